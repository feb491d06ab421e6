/**
 * A modal dialog: focus moves in, Tab stays in, Escape closes, and focus returns to the element
 * that opened it, or where `returnFocus` says when that one is gone (see focus-return.ts).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/messages';
import { firstFocusable, focusableIn, focusOpener, type FocusFallback } from './focus-return';

export function Modal(props: {
  title: string;
  onClose: () => void;
  children: ComponentChildren;
  wide?: boolean;
  role?: 'dialog' | 'alertdialog';
  testId?: string;
  /** Where the focus goes on closing when the element that opened the dialog is gone (a row canceled). */
  returnFocus?: FocusFallback;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const titleId = useId();
  const onClose = useRef(props.onClose);
  onClose.current = props.onClose;
  const fallback = useRef(props.returnFocus);
  fallback.current = props.returnFocus;

  // What had the focus when the dialog was first drawn: its contents' own effects run before this
  // component's, and one of them may already have taken the focus in (the source editor).
  const [opener] = useState(() => (typeof document === 'undefined' ? null : document.activeElement));
  useEffect(() => {
    const dialog = ref.current;
    const giveBack = focusOpener(dialog, () => fallback.current?.(), opener);
    if (!dialog?.contains(document.activeElement)) firstFocusable(dialog)?.focus();
    return giveBack;
  }, []);

  // Focus can fall out of the dialog to the page (the focused button got disabled while saving):
  // Escape still closes the top-most dialog then.
  useEffect(() => {
    const onDocKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      const active = document.activeElement;
      if (active && active !== document.body) return;
      const modals = document.querySelectorAll('.modal');
      if (modals[modals.length - 1] !== ref.current) return;
      e.preventDefault();
      onClose.current();
    };
    document.addEventListener('keydown', onDocKey);
    return () => document.removeEventListener('keydown', onDocKey);
  }, []);

  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape') {
      e.stopPropagation();
      e.preventDefault();
      onClose.current();
      return;
    }
    if (e.key !== 'Tab' || !ref.current) return;
    // The controls the focus can reach: not those of a hidden part (the settings' other tabs).
    const items = focusableIn(ref.current);
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  }

  return (
    <div class="backdrop">
      <div
        ref={ref}
        class={props.wide ? 'modal modal-wide' : 'modal'}
        role={props.role ?? 'dialog'}
        aria-modal="true"
        aria-labelledby={titleId}
        data-testid={props.testId}
        onKeyDown={onKeyDown}
      >
        <div class="modal-head">
          <h2 id={titleId}>{props.title}</h2>
          <button type="button" class="icon-button" aria-label={t.close} title={t.close} onClick={() => onClose.current()}>
            ✕
          </button>
        </div>
        <div class="modal-body">{props.children}</div>
      </div>
    </div>
  );
}

/** A field's error under it, tied to the input with aria-describedby. */
export function FieldError(props: { id: string; message?: string | null }) {
  if (!props.message) return null;
  return (
    <p class="field-error" id={props.id} role="alert">
      {props.message}
    </p>
  );
}
