/**
 * Every printer, share or queue of every source: its plain state, the source's own reasons, whether
 * it accepts jobs, how many jobs are active and stuck on it, "Show jobs" (its queue; the stuck count
 * shows its stuck jobs only) and "Cancel all on this printer".
 * Printers come from the sources that describe them (getPrinters / printers:changed); a printer that
 * only jobs name (a source that does not describe its printers) is listed with what its jobs say.
 */
import type { Job, Printer, PrinterState } from '../../../preload/contract/model';
import { isFinal } from '../../../preload/contract/job-states';
import { activeJobsOf } from '../../../preload/contract/queue-view';
import { t } from '../i18n/messages';
import { count, formatInt } from '../i18n/format';
import { docName, type Store } from '../state/store';
import { askCancelAll, cancelRefusal } from './actions';
import { useStore } from './context';
import { useState } from 'preact/hooks';

/**
 * How much a printer needs attention, most first: offline or stopped (nothing prints until the
 * device is fixed), and paused with active jobs (they cannot print until it is resumed; a CUPS
 * queue is also paused by CUPS itself after a backend failure); then paused without jobs, not
 * accepting jobs (resume it, accept jobs) or holding stuck jobs; then the others.
 */
function attentionRank(p: Printer): number {
  if (p.state === 'offline' || p.state === 'stopped' || (p.state === 'paused' && p.activeJobs > 0)) return 0;
  if (p.state === 'paused' || p.acceptingJobs === false || p.stuckJobs > 0) return 1;
  return 2;
}

/**
 * The printers as the view lists them: those that need attention first (attentionRank), each
 * group by source and name; those only jobs name are counted from their jobs.
 */
export function listPrinters(store: Store): Printer[] {
  const described = store.printerList.value;
  const known = new Set(described.map((p) => `${p.sourceId}\u0000${p.name}`));
  const byJobs = new Map<string, Printer>();
  for (const j of store.allJobs.value) {
    if (!j.printer || known.has(`${j.sourceId}\u0000${j.printer}`)) continue;
    const id = `${j.sourceId}\u0000${j.printer}`;
    const p = byJobs.get(id) ?? { key: `${j.sourceId}:${j.printer}`, sourceId: j.sourceId, sourceKind: j.sourceKind, id: j.printer, name: j.printer, state: 'unknown', reasons: [], acceptingJobs: null, activeJobs: 0, stuckJobs: 0 };
    if (!isFinal(j)) {
      p.activeJobs++;
      if (j.stuck) p.stuckJobs++;
      if (j.state === 'printing') p.state = 'printing';
    }
    byJobs.set(id, p);
  }
  const names = store.sourceNames.value;
  const all = [...described, ...byJobs.values()];
  return all.sort((a, b) => attentionRank(a) - attentionRank(b) || (names.get(a.sourceId) ?? a.sourceId).localeCompare(names.get(b.sourceId) ?? b.sourceId) || a.name.localeCompare(b.name));
}

/**
 * "Cancel all on this printer" for a printer its source describes: asks first (how many will be
 * canceled, and which the source refuses to cancel, with why), then cancelPrinterJobs requests
 * naming the jobs confirmed (at most MAX_KEYS_PER_REQUEST each, one after another): the app
 * cancels each of them still unfinished on that printer (never one that came since) and answers
 * each one's outcome, listed in one notice. A printer only jobs name is unknown to the app by key:
 * its jobs are canceled by key.
 */
export function askCancelPrinter(store: Store, printer: Printer, described: boolean): void {
  if (!described) {
    askCancelAll(store, { sourceId: printer.sourceId, printer: printer.name }, printer.name);
    return;
  }
  const jobs = activeJobsOf(store.allJobs.value, { sourceId: printer.sourceId, printer: printer.name });
  const allowed = jobs.filter((j) => j.cancel.allowed);
  if (!allowed.length) return;
  const refused = jobs.filter((j) => !j.cancel.allowed);
  store.confirm.value = {
    title: t.cancelManyConfirmTitle,
    body: t.cancelAllConfirm(count(allowed.length), printer.name),
    list: refused.length ? refused.map((j) => `${docName(j)}: ${cancelRefusal(j)}`) : undefined,
    confirmLabel: t.confirmCancelJobs,
    onConfirm: () => store.cancelPrinterJobs(printer, allowed.map((j) => j.key)),
  };
}

/**
 * Why "Cancel all on this printer" is not offered though the printer has `active` jobs: the source
 * lets none of them be canceled (its reasons); null when it has no active job.
 */
function noneCancelable(active: Job[]): string | null {
  return active.length ? t.printerNoneCancelable(count(active.length), [...new Set(active.map(cancelRefusal))]) : null;
}

/** A printer's state; `words`: the state's words where the chip alone would not say it is a printer's. */
export function PrinterStateChip(props: { state: PrinterState; acceptingJobs: boolean | null; words?: Record<PrinterState, string> }) {
  return (
    <>
      <span class={`badge printer-${props.state}`} data-testid="printer-state">
        {(props.words ?? t.printerStates)[props.state]}
      </span>
      {props.acceptingJobs === false && (
        <span class="badge printer-not-accepting" data-testid="printer-not-accepting">
          {t.printerNotAccepting}
        </span>
      )}
    </>
  );
}

/** The state chip of the printer a job is on, when its source describes that printer. */
export function JobPrinterChip(props: { sourceId: string; printer: string | null }) {
  const store = useStore();
  const p = props.printer ? store.printerList.value.find((x) => x.sourceId === props.sourceId && x.name === props.printer) : undefined;
  if (!p) return null;
  return (
    <span class="job-printer-state" title={p.reasons.join(', ') || undefined}>
      <PrinterStateChip state={p.state} acceptingJobs={p.acceptingJobs} words={t.jobPrinterStates} />
      {p.reasons.length > 0 && <span class="printer-reasons"> {p.reasons.join(', ')}</span>}
    </span>
  );
}

export function PrintersView() {
  const store = useStore();
  const [open, setOpen] = useState(false);
  // The list (a pass over every job) is made only while the section is open; closed, it shows a count.
  const printers = open ? listPrinters(store) : [];
  const described = new Set(store.printerList.value.map((p) => p.key));
  const names = store.sourceNames.value;
  return (
    <section class="app-section" aria-label={t.printersTitle}>
    <details class="printers-view" data-testid="printers-view" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        {t.printersTitle}
        {/* Counted once the whole queue is in: the first rows' printers are not all of them. */}
        {store.partial.value ? '' : ` (${formatInt(open ? printers.length : store.printerCount.value)})`}
      </summary>
      {/* Drawn only while open: a closed section costs the queue nothing. */}
      {!open ? null : printers.length === 0 ? (
        <p class="muted">{t.printersNone}</p>
      ) : (
        <table class="printers-table">
          <caption class="visually-hidden">{t.printersTitle}</caption>
          <thead>
            <tr>
              <th scope="col">{t.printerColumns.name}</th>
              <th scope="col">{t.printerColumns.source}</th>
              <th scope="col">{t.printerColumns.state}</th>
              <th scope="col">{t.printerColumns.reasons}</th>
              <th scope="col">{t.printerColumns.active}</th>
              <th scope="col">{t.printerColumns.stuck}</th>
              <th scope="col">
                <span class="visually-hidden">{t.printerColumns.actions}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {printers.map((p) => {
              // One pass over the queue for each printer: its active jobs, of them those it may cancel.
              const active = activeJobsOf(store.allJobs.value, { sourceId: p.sourceId, printer: p.name });
              const cancelable = active.some((j) => j.cancel.allowed);
              const refused = cancelable ? null : noneCancelable(active);
              const whyNot = cancelable ? undefined : (refused ?? t.printerNoActive);
              const whyId = `printer-no-cancel-${encodeURIComponent(p.key)}`;
              return (
                <tr key={p.key} data-testid="printer-row" data-key={p.key}>
                  <th scope="row">{p.name}</th>
                  <td>{names.get(p.sourceId) ?? p.sourceId}</td>
                  <td>
                    <PrinterStateChip state={p.state} acceptingJobs={p.acceptingJobs} />
                  </td>
                  <td data-testid="printer-reasons">{p.reasons.join(', ')}</td>
                  <td>{formatInt(p.activeJobs)}</td>
                  <td>
                    {p.stuckJobs > 0 ? (
                      <button type="button" class="link" data-testid="printer-show-stuck" aria-label={t.printerShowStuck(count(p.stuckJobs), p.name)} onClick={() => store.showPrinterQueue(p.sourceId, p.name, { stuckOnly: true })}>
                        {formatInt(p.stuckJobs)}
                      </button>
                    ) : (
                      formatInt(p.stuckJobs)
                    )}
                  </td>
                  <td>
                    <button type="button" data-testid="printer-show-jobs" aria-label={t.menuShowPrinter(p.name)} onClick={() => store.showPrinterQueue(p.sourceId, p.name)}>
                      {t.printerShowJobs}
                    </button>{' '}
                    <button
                      type="button"
                      class="danger"
                      disabled={!cancelable}
                      title={whyNot}
                      aria-label={`${t.printerCancelAll}: ${p.name}`}
                      aria-describedby={whyNot ? whyId : undefined}
                      onClick={() => askCancelPrinter(store, p, described.has(p.key))}
                    >
                      {t.printerCancelAll}
                    </button>
                    {whyNot && (
                      // Jobs it cannot cancel are said beside it; an idle printer's empty queue only to a screen reader.
                      <span id={whyId} class={refused ? 'muted printer-no-cancel' : 'visually-hidden'}>
                        {whyNot}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </details>
    </section>
  );
}
