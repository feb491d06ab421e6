/**
 * Drop-down menus (`<details class="menu">`) close as menus do: on a click or tap outside them and
 * on Escape (which returns the focus to the menu's button).
 */
import { useEffect } from 'preact/hooks';

function openMenus(root: HTMLElement): HTMLDetailsElement[] {
  return [...root.querySelectorAll<HTMLDetailsElement>('details.menu[open]')];
}

/** Closes the open menus inside `root` on an outside pointer press and on Escape. */
export function useClosingMenus(root: { readonly current: HTMLElement | null }): void {
  useEffect(() => {
    const onPointer = (e: Event) => {
      const el = root.current;
      if (!el) return;
      for (const menu of openMenus(el)) if (!menu.contains(e.target as Node)) menu.open = false;
    };
    const onKey = (e: KeyboardEvent) => {
      const el = root.current;
      if (e.key !== 'Escape' || !el) return;
      for (const menu of openMenus(el)) {
        const inside = menu.contains(document.activeElement);
        menu.open = false;
        if (inside) menu.querySelector<HTMLElement>('summary')?.focus();
        e.preventDefault();
      }
    };
    document.addEventListener('pointerdown', onPointer, true);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer, true);
      document.removeEventListener('keydown', onKey);
    };
  }, [root]);
}
