/** The job detail panel: every field, the timeline, what the service said, and the job's actions. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AppError, Job, JobDetails } from '../../../preload/contract/model';
import { isFinal } from '../../../preload/contract/job-states';
import { t } from '../i18n/messages';
import { count, formatBytes, formatDateTime, formatPercent } from '../i18n/format';
import { docName } from '../state/store';
import { askCancel, askCancelAll, cancelRefusal, cancelableOf } from './actions';
import { useStore } from './context';
import { focusOpener, returnFocus } from './focus-return';
import { HandoverSection } from './HandoverSection';
import { JobPrinterChip } from './PrintersView';

function text(v: unknown): string {
  if (v == null || v === '') return t.none;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Narrower than this, the panel lies over the list (app.css has the same width). */
export const OVERLAY_QUERY = '(max-width: 60rem)';

/** Whether the window is narrow enough for the panel to lie over the list, following resizes and zoom. */
function useOverlay(): boolean {
  const query = typeof matchMedia === 'function' ? matchMedia(OVERLAY_QUERY) : null;
  const [overlay, setOverlay] = useState(query?.matches ?? false);
  useEffect(() => {
    if (!query) return;
    const changed = () => setOverlay(query.matches);
    query.addEventListener('change', changed);
    return () => query.removeEventListener('change', changed);
  }, []);
  return overlay;
}

/**
 * Over the list, the panel takes the focus (its heading) when it opens and gives it back when it
 * closes: to where it was, or the grid. Beside the list, it gives the focus it has on closing (its
 * Close button, an action) to the grid. A resize across the width where the panel moves over or
 * beside the list leaves the focus where the user is: the panel is still open. Only moving over the
 * list with the focus outside the panel (the list, now under it) brings the focus to its heading.
 */
function usePanelFocus(overlay: boolean, panel: { readonly current: HTMLElement | null }): void {
  const giveBack = useRef<(() => void) | null>(null);
  useEffect(() => {
    const el = panel.current;
    const toGrid = () => document.querySelector<HTMLElement>('[role="grid"]');
    if (overlay && !el?.contains(document.activeElement)) {
      giveBack.current = focusOpener(el, toGrid);
      el?.querySelector<HTMLElement>('.detail-head h2')?.focus();
    } else giveBack.current ??= () => returnFocus(null, toGrid, el);
  }, [overlay]);
  // Only the panel closing gives the focus back, not the switch between over and beside the list.
  useEffect(() => () => giveBack.current?.(), []);
}

export function DetailPanel() {
  const store = useStore();
  const overlay = useOverlay();
  const panelRef = useRef<HTMLElement>(null);
  usePanelFocus(overlay, panelRef);
  const key = store.detailKey.value;
  void store.jobsVersion.value;
  const job = key ? store.jobs.get(key) : undefined;
  const [details, setDetails] = useState<JobDetails | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [loading, setLoading] = useState(false);
  const [moreBusy, setMoreBusy] = useState(false);

  // Reload whenever the job changes state or is updated, so the timeline stays current.
  const version = job ? `${job.state}|${job.updatedAt}|${job.gone}` : '';
  useEffect(() => {
    if (!key) return;
    let live = true;
    setLoading(true);
    void store.jobDetails({ key }).then((r) => {
      if (!live) return;
      setLoading(false);
      if (r.ok) {
        setDetails(r.value);
        setError(null);
      } else setError(r.error);
    });
    return () => {
      live = false;
    };
  }, [key, version]);

  if (!key) return null;
  const close = () => (store.detailKey.value = null);
  const shown: Job | undefined = job ?? details?.job;

  async function more() {
    if (!key || !details?.eventsNextPageToken) return;
    setMoreBusy(true);
    const r = await store.jobDetails({ key, eventsPageToken: details.eventsNextPageToken });
    setMoreBusy(false);
    if (r.ok) setDetails({ ...details, events: [...(details.events ?? []), ...(r.value.events ?? [])], eventsNextPageToken: r.value.eventsNextPageToken ?? null });
    else store.notify('error', t.detailFailed(r.error.message));
  }

  return (
    <aside
      ref={panelRef}
      class={overlay ? 'detail is-overlay' : 'detail'}
      data-testid="detail-panel"
      data-overlay={overlay ? 'true' : 'false'}
      aria-label={shown ? t.detailsFor(docName(shown)) : t.details}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || e.defaultPrevented) return;
        e.preventDefault();
        close();
      }}
    >
      <header class="detail-head">
        <h2 tabIndex={-1}>{shown ? docName(shown) : t.details}</h2>
        <button type="button" class="icon-button" aria-label={t.close} title={t.close} onClick={close}>
          ✕
        </button>
      </header>
      {!shown && loading && <p role="status">{t.detailLoading}</p>}
      {error && (
        <p class="error-text" role="alert">
          {t.detailFailed(error.message)}
        </p>
      )}
      {shown && <JobActions job={shown} />}
      {shown?.stuck && <StuckHelp job={shown} />}
      {shown && <JobFields job={shown} sourceName={store.sourceNames.value.get(shown.sourceId) ?? shown.sourceId} />}
      {details && (
        <>
          <section>
            <h3>{t.timeline}</h3>
            {details.timeline.length ? (
              <ol class="timeline" data-testid="timeline">
                {details.timeline.map((e, i) => (
                  <li key={i}>
                    <time dateTime={e.at}>{formatDateTime(e.at)}</time> <span class={`badge badge-${e.state}`}>{t.states[e.state]}</span>
                    {e.detail && <span class="muted"> {e.detail}</span>}
                    {e.rawState && <span class="muted tech"> ({e.rawState})</span>}
                  </li>
                ))}
              </ol>
            ) : (
              <p class="muted">{t.timelineEmpty}</p>
            )}
          </section>
          {shown && <HandoverSection store={store} job={shown} details={details} />}
          {details.documents && details.documents.length > 0 && (
            <section>
              <h3>{t.documents}</h3>
              <ul class="plain">
                {details.documents.map((d) => (
                  <li key={d.id}>
                    {d.name ?? d.id}
                    {d.contentType && <span class="muted"> · {d.contentType}</span>}
                    {d.size != null && <span class="muted"> · {formatBytes(d.size)}</span>}
                    {d.uploadedAt && <span class="muted"> · {formatDateTime(d.uploadedAt)}</span>}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {details.tasks && details.tasks.length > 0 && (
            <section>
              <h3>{t.tasks}</h3>
              <ul class="plain">
                {details.tasks.map((task) => (
                  <li key={task.id}>
                    <span class="badge">{task.state}</span> {task.description ?? task.id}
                  </li>
                ))}
              </ul>
            </section>
          )}
          {details.events && (
            <section>
              <h3>{t.events}</h3>
              {details.events.length === 0 ? (
                <p class="muted">{t.eventsEmpty}</p>
              ) : (
                <ul class="plain">
                  {details.events.map((ev, i) => (
                    <li key={i}>
                      <span class={`badge severity-${ev.severity.toLowerCase()}`}>{ev.severity}</span> {ev.message}
                      {ev.timestamp && <span class="muted"> · {formatDateTime(ev.timestamp)}</span>}
                    </li>
                  ))}
                </ul>
              )}
              {details.eventsNextPageToken && (
                <button type="button" onClick={() => void more()} disabled={moreBusy}>
                  {moreBusy ? t.working : t.eventsMore}
                </button>
              )}
            </section>
          )}
          {details.facts && details.facts.length > 0 && (
            <section>
              <h3>{t.facts}</h3>
              <dl class="facts">
                {details.facts.map((f) => (
                  <div key={f.label}>
                    <dt>{f.label}</dt>
                    <dd>{f.value}</dd>
                  </div>
                ))}
              </dl>
            </section>
          )}
        </>
      )}
      {shown && (
        <section data-testid="technical-details">
          <h3>{t.extra}</h3>
          <dl class="facts">
            {[[t.fields.rawState, shown.rawState] as const, ...Object.entries(shown.extra)].map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{text(v)}</dd>
              </div>
            ))}
          </dl>
        </section>
      )}
    </aside>
  );
}

function JobFields(props: { job: Job; sourceName: string }) {
  const { job } = props;
  const f = t.fields;
  const redirected = typeof job.extra.redirectedTo === 'string' ? job.extra.redirectedTo : null;
  const rows: [string, string][] = [
    [f.source, props.sourceName],
    [f.printer, text(job.printer)],
    [f.document, text(job.document)],
    [f.owner, text(job.owner)],
    [f.state, t.states[job.state]],
    [f.reason, text(job.reason ?? null)],
    [f.detail, text(job.detail)],
    [f.progress, job.progress == null ? t.none : formatPercent(job.progress)],
    [f.createdAt, formatDateTime(job.createdAt) || t.none],
    [f.updatedAt, formatDateTime(job.updatedAt) || t.none],
    [f.lastSeenAt, formatDateTime(job.lastSeenAt) || t.none],
    [f.mine, job.mine ? t.yes : t.no],
    [f.nativeId, job.nativeId],
    [f.key, job.key],
  ];
  if (redirected) rows.splice(2, 0, [f.printedOn, redirected]);
  return (
    <section>
      <div class="detail-flags">
        {job.stale && <span class="badge badge-stale">{job.lastSeenAt ? t.stale(formatDateTime(job.lastSeenAt)) : t.staleNever}</span>}
        {job.stuck && <span class="badge badge-stuck">{t.stuck}</span>}
        <JobPrinterChip sourceId={job.sourceId} printer={job.printer} />
        {job.gone && <span class="badge badge-gone">{t.gone(props.sourceName)}</span>}
      </div>
      <dl class="facts">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** A stuck job: which state, since when, what the service last said, and the ways out. */
function StuckHelp(props: { job: Job }) {
  const store = useStore();
  const { job } = props;
  const said = job.reason ?? job.detail;
  const since = job.stuckSince ?? job.updatedAt;
  return (
    <section class="stuck-help" data-testid="stuck-help" aria-labelledby="stuck-help-title">
      <h3 id="stuck-help-title">{t.stuckWhyTitle}</h3>
      <p>{t.stuckWhy(t.states[job.state], formatDateTime(since) || t.none)}</p>
      <p>{said ? t.stuckSaid(said) : t.stuckSaidNothing}</p>
      <h4>{t.stuckWayOut}</h4>
      <div class="source-actions">
        <button type="button" class="danger" disabled={!job.cancel.allowed} aria-describedby={job.cancel.allowed ? undefined : 'stuck-cancel-reason'} onClick={() => askCancel(store, [job.key])}>
          {t.cancelJob}
        </button>
        {store.capabilitiesOf(job.sourceId).servicePanel && (
          <button type="button" onClick={() => (store.panel.value = { kind: 'service', sourceId: job.sourceId })}>
            {t.stuckRestartService}
          </button>
        )}
        {job.printer && (
          <button type="button" onClick={() => store.showPrinterQueue(job.sourceId, job.printer!)}>
            {t.stuckOpenPrinter(job.printer)}
          </button>
        )}
      </div>
      {!job.cancel.allowed && (
        <p class="muted reason" id="stuck-cancel-reason">
          {t.reasonLine(cancelRefusal(job))}
        </p>
      )}
    </section>
  );
}

function JobActions(props: { job: Job }) {
  const store = useStore();
  const { job } = props;
  const pending = store.pending.value.get(job.key);
  const rowError = store.rowErrors.value.get(job.key);
  const final = isFinal(job);
  const cancelReason = job.cancel.allowed ? undefined : t.reasonLine(cancelRefusal(job));
  const printerPeers = job.printer && !final ? cancelableOf(store, { sourceId: job.sourceId, printer: job.printer }) : [];
  return (
    <section class="detail-actions" aria-label={t.actionsLabel}>
      {!final && (
        <span class="with-reason">
          <button type="button" class="danger" disabled={!job.cancel.allowed || !!pending} aria-describedby={cancelReason ? 'cancel-reason' : undefined} onClick={() => askCancel(store, [job.key])}>
            {pending === 'cancel' ? t.pendingCancel : t.cancelJob}
          </button>
          {cancelReason && (
            <span id="cancel-reason" class="muted reason">
              {cancelReason}
            </span>
          )}
        </span>
      )}
      {job.abort?.allowed && !final && (
        <button type="button" disabled={!!pending} onClick={() => (store.abortKey.value = job.key)}>
          {t.abortJob}
        </button>
      )}
      {job.abort && !job.abort.allowed && !final && job.abort.reason && <span class="muted reason">{job.abort.reason}</span>}
      {job.extra.retryable === true && (
        <button type="button" disabled={!!pending} onClick={() => void store.retryJob(job.key)}>
          {pending === 'retry' ? t.pendingRetry : t.retryJob}
        </button>
      )}
      {job.extra.outputReady === true && (
        <button type="button" onClick={() => void store.saveJobOutput(job.key)}>
          {t.saveOutput}
        </button>
      )}
      {final && (
        <button type="button" disabled={!!pending} onClick={() => void store.dismissJob(job.key)}>
          {t.dismiss}
        </button>
      )}
      {printerPeers.length > 1 && (
        <button type="button" onClick={() => askCancelAll(store, { sourceId: job.sourceId, printer: job.printer }, job.printer!)}>
          {t.cancelAllOnPrinter(job.printer!, count(printerPeers.length))}
        </button>
      )}
      {rowError && (
        <p class="error-text" role="alert">
          {rowError}
        </p>
      )}
    </section>
  );
}
