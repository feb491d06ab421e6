/**
 * The context menu of a row (right-click, Shift+F10, the Menu key): what that job allows, where
 * the job is. Items that do not apply are shown disabled with the reason; keyboard shortcuts are
 * named. A WAI-ARIA menu: arrows move, Home/End jump, Enter/Space choose, Escape or Tab closes and
 * the focus goes back to the grid.
 */
import { useLayoutEffect, useRef } from 'preact/hooks';
import type { Job } from '../../../preload/contract/model';
import { isFinal } from '../../../preload/contract/job-states';
import { t } from '../i18n/messages';
import { formatInt } from '../i18n/format';
import { docName, type Store } from '../state/store';
import { askCancel, skipReason } from './actions';

export interface RowMenuRequest {
  /** The jobs the menu acts on: the selection when the row is part of it, else the row. */
  keys: string[];
  /** The row the menu was opened on. */
  key: string;
  x: number;
  y: number;
}

interface Item {
  id: string;
  label: string;
  shortcut?: string;
  /** Why the item does not apply; the item is disabled when set. */
  disabledReason?: string;
  run: () => void;
}

function itemsFor(store: Store, job: Job, keys: string[]): Item[] {
  const jobs = keys.map((k) => store.jobs.get(k)).filter((j): j is Job => !!j);
  const cancelable = jobs.filter((j) => j.cancel.allowed && !isFinal(j));
  const items: Item[] = [
    {
      id: 'cancel',
      label: jobs.length > 1 ? t.menuCancelMany(formatInt(cancelable.length), formatInt(jobs.length)) : t.cancelJob,
      shortcut: t.keyDelete,
      disabledReason: cancelable.length ? undefined : jobs.length > 1 ? t.menuNoneCancelable : skipReason(job),
      run: () => askCancel(store, keys),
    },
  ];
  if (job.abort && !isFinal(job)) {
    items.push({ id: 'abort', label: t.abortJob, disabledReason: job.abort.allowed ? undefined : (job.abort.reason ?? t.menuNotAllowed), run: () => (store.abortKey.value = job.key) });
  }
  // Hold/Release (IPP) and Pause/Resume (the Windows spooler) only where the source declares them for this job.
  for (const [id, label, action] of [
    ['hold', t.holdJobAction, 'hold'],
    ['release', t.releaseJobAction, 'release'],
    ['pause', t.pauseJobAction, 'pause'],
    ['resume', t.resumeJobAction, 'resume'],
  ] as const) {
    const permission = job[action];
    if (!permission || isFinal(job)) continue;
    items.push({ id, label, disabledReason: permission.allowed ? undefined : (permission.reason ?? t.menuNotAllowed), run: () => void store.holdJob(job.key, action) });
  }
  items.push(
    {
      id: 'retry',
      label: t.retryJob,
      disabledReason: job.extra.retryable === true ? undefined : t.menuRetryNotAvailable,
      run: () => void store.retryJob(job.key),
    },
    { id: 'details', label: t.menuShowDetails, shortcut: t.keyEnter, run: () => store.openDetails(job.key) },
    { id: 'copy', label: t.menuCopyId, run: () => void copyId(store, job) },
    {
      id: 'printer',
      label: job.printer ? t.menuShowPrinter(job.printer) : t.menuShowPrinterNone,
      disabledReason: job.printer ? undefined : t.menuNoPrinter,
      run: () => store.showPrinterQueue(job.sourceId, job.printer!),
    },
  );
  return items;
}

async function copyId(store: Store, job: Job): Promise<void> {
  try {
    await navigator.clipboard.writeText(job.nativeId);
    store.notify('info', t.copiedId(job.nativeId, docName(job)));
  } catch (err) {
    store.notify('error', t.copyFailed(err instanceof Error ? err.message : String(err)));
  }
}

export function RowMenu(props: { store: Store; request: RowMenuRequest; onClose: () => void }) {
  const { store, request } = props;
  const job = store.jobs.get(request.key);
  const ref = useRef<HTMLDivElement>(null);
  const items = job ? itemsFor(store, job, request.keys) : [];

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    // Inside the window: flipped left or up where it would leave it. Set through the DOM (the CSP
    // forbids style attributes).
    const { innerWidth, innerHeight } = window;
    const r = el.getBoundingClientRect();
    el.style.left = `${Math.max(0, Math.min(request.x, innerWidth - r.width - 4))}px`;
    el.style.top = `${Math.max(0, request.y + r.height > innerHeight ? request.y - r.height : request.y)}px`;
    (el.querySelector<HTMLElement>('[role="menuitem"]:not([aria-disabled="true"])') ?? el.querySelector<HTMLElement>('[role="menuitem"]'))?.focus();
  }, [request]);

  useLayoutEffect(() => {
    const away = (e: Event) => {
      if (ref.current && !ref.current.contains(e.target as Node)) props.onClose();
    };
    document.addEventListener('mousedown', away, true);
    window.addEventListener('blur', props.onClose);
    return () => {
      document.removeEventListener('mousedown', away, true);
      window.removeEventListener('blur', props.onClose);
    };
  }, [props.onClose]);

  if (!job) return null;

  function onKeyDown(e: KeyboardEvent) {
    const all = [...(ref.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
    const i = all.indexOf(document.activeElement as HTMLElement);
    const go = (n: number) => all[(n + all.length) % all.length]?.focus();
    switch (e.key) {
      case 'ArrowDown':
        go(i + 1);
        break;
      case 'ArrowUp':
        go(i - 1);
        break;
      case 'Home':
        go(0);
        break;
      case 'End':
        go(all.length - 1);
        break;
      case 'Escape':
      case 'Tab':
        props.onClose();
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }

  const choose = (item: Item) => {
    if (item.disabledReason) return;
    props.onClose();
    item.run();
  };

  return (
    <div ref={ref} class="row-menu" role="menu" aria-label={t.menuLabel(docName(job))} data-testid="row-menu" onKeyDown={onKeyDown}>
      {items.map((item) => (
        <div
          key={item.id}
          role="menuitem"
          tabIndex={-1}
          class="row-menu-item"
          data-item={item.id}
          aria-disabled={item.disabledReason ? 'true' : undefined}
          aria-describedby={item.disabledReason ? `row-menu-why-${item.id}` : undefined}
          aria-keyshortcuts={item.shortcut}
          onClick={() => choose(item)}
          onKeyDown={(e) => {
            if (e.key !== 'Enter' && e.key !== ' ') return;
            e.preventDefault();
            e.stopPropagation();
            choose(item);
          }}
        >
          <span class="row-menu-label">{item.label}</span>
          {item.shortcut && (
            <kbd class="row-menu-key" aria-hidden="true">
              {item.shortcut}
            </kbd>
          )}
          {item.disabledReason && (
            <span class="row-menu-why" id={`row-menu-why-${item.id}`}>
              {t.reasonLine(item.disabledReason)}
            </span>
          )}
        </div>
      ))}
    </div>
  );
}
