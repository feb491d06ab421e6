/**
 * The History view over the stored history: finished jobs per hour or day stacked by outcome,
 * failures by printer and by reason, time to print p50/p95 per printer, under the queue's source
 * and printer filters and a period (24 hours, 7 days, 30 days). Choosing a bar lists its jobs below
 * the charts. "Show as tables" gives the same numbers as tables (for screen readers). Loaded only
 * when the view is first opened, so the queue's start does not pay for the chart library.
 */
import { useSignal, type Signal } from '@preact/signals';
import type { HistoryEntry } from '../../../preload/contract/model';
import { jobName } from '../../../preload/contract/job-states';
import { t } from '../i18n/messages';
import { formatDateTime, count, formatInt, formatPeriodStart } from '../i18n/format';
import { OUTCOMES, outcomeOf, RANGES, type BucketSize, type HistoryPick, type HistoryRange, type HistoryStats } from '../history/aggregate';
import { formatBucket, formatDuration, printerLabel, reasonLabel } from '../history/format';
import { historyOf, type HistoryState } from '../state/history';
import type { Store } from '../state/store';
import { useStore } from './context';
import { BarList, JobsChart, type BarItem } from './HistoryViewCharts';

/** Rows of the job list drawn at most (the rest are counted). */
const MAX_LISTED = 100;

function pickId(pick: HistoryPick | null): string | null {
  if (!pick) return null;
  switch (pick.kind) {
    case 'bucket':
      return `bucket:${pick.start}:${pick.outcome ?? ''}`;
    case 'failed-printer':
    case 'printer-completed':
      return `${pick.kind}:${pick.id}`;
    case 'failed-reason':
      return `failed-reason:${pick.reason ?? ''}`;
  }
}

type PrinterLabel = (sourceId: string, printer: string | null) => string;

function pickWords(pick: HistoryPick, bucket: BucketSize, label: PrinterLabel): string {
  const printerOf = (id: string) => {
    const [sourceId = '', printer = ''] = id.split('\u0000');
    return label(sourceId, printer || null);
  };
  switch (pick.kind) {
    case 'bucket':
      return t.historyPickBucket(formatBucket(pick.start, bucket), pick.outcome ? t.historyOutcomes[pick.outcome] : null);
    case 'failed-printer':
      return t.historyPickFailedOn(printerOf(pick.id));
    case 'failed-reason':
      return t.historyPickReason(reasonLabel(pick.reason));
    case 'printer-completed':
      return t.historyPickCompletedOn(printerOf(pick.id));
  }
}

function barItems(stats: HistoryStats, names: ReadonlyMap<string, string>) {
  const many = new Set([...stats.failuresByPrinter, ...stats.timeToPrint].map((p) => p.sourceId)).size > 1;
  const label: PrinterLabel = (sourceId, printer) => (many ? `${printerLabel(printer)} (${names.get(sourceId) ?? sourceId})` : printerLabel(printer));
  const byPrinter: BarItem[] = stats.failuresByPrinter.map((p) => ({ id: `failed-printer:${p.id}`, label: label(p.sourceId, p.printer), value: p.count, text: formatInt(p.count), pick: { kind: 'failed-printer', id: p.id } }));
  const byReason: BarItem[] = stats.failuresByReason.map((r) => ({ id: `failed-reason:${r.reason ?? ''}`, label: reasonLabel(r.reason), value: r.count, text: formatInt(r.count), pick: { kind: 'failed-reason', reason: r.reason } }));
  const times: BarItem[] = stats.timeToPrint.map((p) => ({ id: `printer-completed:${p.id}`, label: label(p.sourceId, p.printer), value: p.p95Ms, inner: p.p50Ms, text: t.historyTimes(formatDuration(p.p50Ms), formatDuration(p.p95Ms)), pick: { kind: 'printer-completed', id: p.id } }));
  return { byPrinter, byReason, times, label };
}

export function HistoryView() {
  const store = useStore();
  const h = historyOf(store);
  const stats = h.stats.value;
  /** The numbers the chart last drew: only the ready mark reads it, so a draw re-renders nothing else. */
  const drawnFor = useSignal<HistoryStats | null>(null);
  const status = h.status.value;
  const tables = h.tables.value;
  const picked = pickId(h.pick.value);
  const onPick = (pick: HistoryPick) => (h.pick.value = pickId(pick) === picked ? null : pick);
  const bars = barItems(stats, store.sourceNames.value);
  return (
    <div class="history-view" data-testid="history-view" data-status={status}>
      <HistoryControls h={h} store={store} />
      {status === 'error' && (
        <p class="error" role="alert">
          {t.historyLoadFailed(h.error.value?.message ?? '')}
        </p>
      )}
      {status === 'loading' && (
        <p class="loading" role="status">
          {t.historyLoading}
        </p>
      )}
      {/* While a new period is read, the last one stays drawn (nothing is torn down and rebuilt twice). */}
      {h.shown.value && (
        <>
          <p data-testid="history-totals">{t.historyTotals(OUTCOMES.filter((o) => o !== 'other' || stats.totals.other).map((o) => `${formatInt(stats.totals[o])} ${t.historyOutcomes[o].toLowerCase()}`))}</p>
          {tables ? (
            <HistoryTables stats={stats} label={bars.label} picked={picked} onPick={onPick} />
          ) : (
            <div class="history-charts">
              <JobsChart buckets={stats.buckets} bucket={stats.bucket} theme={store.ui.value.theme} onPick={onPick} onDrawn={() => (drawnFor.value = stats)} />
              <BarList title={t.historyFailuresByPrinter} items={bars.byPrinter} outcome="failed" empty={t.historyNoFailures} picked={picked} onPick={onPick} testId="history-failures-printer" />
              <BarList title={t.historyFailuresByReason} items={bars.byReason} outcome="failed" empty={t.historyNoFailures} picked={picked} onPick={onPick} testId="history-failures-reason" />
              <BarList title={t.historyTimeToPrint} items={bars.times} outcome="completed" empty={t.historyNoCompleted} picked={picked} onPick={onPick} testId="history-time-to-print" />
            </div>
          )}
          <HistoryList h={h} store={store} label={bars.label} />
        </>
      )}
      <ReadyMark h={h} drawnFor={drawnFor} />
    </div>
  );
}

/** Marks the view ready once the period is read and drawn: as tables, or the chart drawn with its numbers. */
function ReadyMark(props: { h: HistoryState; drawnFor: Signal<HistoryStats | null> }) {
  const { h } = props;
  const ready = h.status.value === 'ready' && (h.tables.value || props.drawnFor.value === h.stats.value);
  return ready ? <span hidden data-testid="history-ready" /> : null;
}

function HistoryControls(props: { h: HistoryState; store: Store }) {
  const { h, store } = props;
  const ui = store.ui.value;
  const names = store.sourceNames.value;
  const shown = h.shown.value;
  const filters = [
    ui.sourceFilter.length ? t.historyFilterSources(ui.sourceFilter.map((id) => names.get(id) ?? id).join(', ')) : '',
    ui.printerFilter.length ? t.historyFilterPrinters(ui.printerFilter.join(', ')) : '',
  ].filter(Boolean);
  return (
    <div class="history-controls">
      <label>
        {t.historyRange}{' '}
        <select value={h.range.value} onChange={(e) => h.setRange((e.currentTarget as HTMLSelectElement).value as HistoryRange)} aria-describedby={shown ? 'history-since' : undefined} data-testid="history-range">
          {(Object.keys(RANGES) as HistoryRange[]).map((r) => (
            <option key={r} value={r}>
              {t.historyRanges[r]}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t.historyBucket}{' '}
        <select value={h.bucket.value} onChange={(e) => h.setBucket((e.currentTarget as HTMLSelectElement).value as BucketSize)} data-testid="history-bucket">
          <option value="hour">{t.historyBuckets.hour}</option>
          <option value="day">{t.historyBuckets.day}</option>
        </select>
      </label>
      {/* The period starts at its first whole hour or day: what it covers, totals and tables included, is said as such. */}
      {shown && (
        <span class="muted" id="history-since" data-testid="history-since">
          {t.historySince(formatPeriodStart(h.stats.value.from))}
        </span>
      )}
      <button type="button" aria-pressed={h.tables.value} onClick={() => (h.tables.value = !h.tables.value)} data-testid="history-tables-toggle">
        {t.historyAsTables}
      </button>
      <button type="button" onClick={() => void h.load()}>
        {t.historyRefresh}
      </button>
      {filters.length > 0 && <span class="muted">{t.historyFiltered(filters.join('; '))}</span>}
    </div>
  );
}

/** The charts' numbers as tables: one row per bar, each row's first cell picks its jobs. */
function HistoryTables(props: { stats: HistoryStats; label: PrinterLabel; picked: string | null; onPick: (p: HistoryPick) => void }) {
  const { stats } = props;
  const rows = stats.buckets.map((b, index) => ({ ...b, index })).filter((b) => OUTCOMES.some((o) => b.counts[o] > 0));
  const pickButton = (pick: HistoryPick, text: string) => (
    <button type="button" class="history-pick" aria-pressed={props.picked === pickId(pick)} onClick={() => props.onPick(pick)}>
      {text}
    </button>
  );
  return (
    <div class="history-tables" data-testid="history-tables">
      <table class="history-table" data-testid="history-table-jobs">
        <caption>
          {t.historyJobsPer(stats.bucket)}. {t.historyEmptyBucketsLeftOut(stats.bucket)}
        </caption>
        <thead>
          <tr>
            <th scope="col">{t.historyBucketColumn(stats.bucket)}</th>
            {OUTCOMES.map((o) => (
              <th scope="col" key={o}>
                {t.historyOutcomes[o]}
              </th>
            ))}
            <th scope="col">{t.historyTotal}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((b) => (
            <tr key={b.start} data-index={b.index}>
              <th scope="row">{pickButton({ kind: 'bucket', start: b.start, end: b.end }, formatBucket(b.start, stats.bucket))}</th>
              {OUTCOMES.map((o) => (
                <td key={o} data-outcome={o}>
                  {formatInt(b.counts[o])}
                </td>
              ))}
              <td>{formatInt(OUTCOMES.reduce((n, o) => n + b.counts[o], 0))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <CountTable testId="history-table-printers" caption={t.historyFailuresByPrinter} head={[t.historyColumns.printer, t.historyFailed]} empty={t.historyNoFailures}>
        {stats.failuresByPrinter.map((p) => (
          <tr key={p.id} data-id={`failed-printer:${p.id}`}>
            <th scope="row">{pickButton({ kind: 'failed-printer', id: p.id }, props.label(p.sourceId, p.printer))}</th>
            <td>{formatInt(p.count)}</td>
          </tr>
        ))}
      </CountTable>
      <CountTable testId="history-table-reasons" caption={t.historyFailuresByReason} head={[t.historyColumns.reason, t.historyFailed]} empty={t.historyNoFailures}>
        {stats.failuresByReason.map((r) => (
          <tr key={r.reason ?? ''} data-id={`failed-reason:${r.reason ?? ''}`}>
            <th scope="row">{pickButton({ kind: 'failed-reason', reason: r.reason }, reasonLabel(r.reason))}</th>
            <td>{formatInt(r.count)}</td>
          </tr>
        ))}
      </CountTable>
      <CountTable testId="history-table-times" caption={t.historyTimeToPrint} head={[t.historyColumns.printer, t.historyCompletedJobs, t.historyMedian, t.historyP95]} empty={t.historyNoCompleted}>
        {stats.timeToPrint.map((p) => (
          <tr key={p.id} data-id={`printer-completed:${p.id}`}>
            <th scope="row">{pickButton({ kind: 'printer-completed', id: p.id }, props.label(p.sourceId, p.printer))}</th>
            <td>{formatInt(p.count)}</td>
            <td>{formatDuration(p.p50Ms)}</td>
            <td>{formatDuration(p.p95Ms)}</td>
          </tr>
        ))}
      </CountTable>
    </div>
  );
}

function CountTable(props: { testId: string; caption: string; head: string[]; empty: string; children: preact.ComponentChildren[] }) {
  if (!props.children.length) {
    return (
      <section class="history-table-empty" data-testid={props.testId} aria-label={props.caption}>
        <h2 class="history-heading">{props.caption}</h2>
        <p class="muted">{props.empty}</p>
      </section>
    );
  }
  return (
    <table class="history-table" data-testid={props.testId}>
      <caption>{props.caption}</caption>
      <thead>
        <tr>
          {props.head.map((h) => (
            <th scope="col" key={h}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{props.children}</tbody>
    </table>
  );
}

/** The finished jobs the chosen bar stands for (or all of the period), newest first. */
function HistoryList(props: { h: HistoryState; store: Store; label: PrinterLabel }) {
  const { h, store } = props;
  const list = h.picked.value;
  const pick = h.pick.value;
  const names = store.sourceNames.value;
  const shown = list.slice(0, MAX_LISTED);
  const heading = pick ? t.historyListPicked(pickWords(pick, h.stats.value.bucket, props.label), count(list.length)) : t.historyListAll(count(list.length));
  return (
    <section class="history-list" aria-label={t.historyListLabel} data-testid="history-list">
      <h2 class="history-heading" data-testid="history-list-heading">
        {heading}{' '}
        {pick && (
          <button type="button" onClick={() => (h.pick.value = null)}>
            {t.historyShowAll}
          </button>
        )}
      </h2>
      {list.length === 0 ? (
        <p class="muted">{t.historyEmpty}</p>
      ) : (
        <table class="history-table">
          <caption class="visually-hidden">{heading}</caption>
          <thead>
            <tr>
              {(['document', 'owner', 'state', 'reason', 'printer', 'source', 'submitted', 'finished'] as const).map((c) => (
                <th scope="col" key={c}>
                  {t.historyColumns[c]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((e) => (
              <HistoryRow key={e.job.key} entry={e} source={names.get(e.job.sourceId) ?? e.job.sourceId} />
            ))}
          </tbody>
        </table>
      )}
      {list.length > shown.length && <p class="muted">{t.historyListMore(formatInt(list.length - shown.length))}</p>}
    </section>
  );
}

function HistoryRow(props: { entry: HistoryEntry; source: string }) {
  const { job, finishedAt } = props.entry;
  const outcome = outcomeOf(job);
  return (
    <tr data-testid="history-row" data-key={job.key} data-outcome={outcome}>
      <td class="history-doc">{jobName(job)}</td>
      <td class="history-owner">{job.owner ?? ''}</td>
      <td>
        <span class={`badge badge-${job.state}`}>{outcome === 'other' ? t.historyOutcomes.other : t.states[job.state]}</span>
      </td>
      <td>{job.reason ?? job.detail ?? ''}</td>
      <td class="history-printer">{printerLabel(job.printer)}</td>
      <td>{props.source}</td>
      <td>{formatDateTime(job.createdAt)}</td>
      <td>{formatDateTime(finishedAt)}</td>
    </tr>
  );
}
