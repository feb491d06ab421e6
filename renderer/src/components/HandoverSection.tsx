/**
 * The detail panel's section on a hand-over: for a ScriptX job, the job it became in this PC's
 * Windows queue (or why none is linked); for that spooler job, the ScriptX job that handed it
 * over. The other job's own timeline is shown beside this one's.
 */
import type { Job, JobDetails } from '../../../preload/contract/model';
import { formatDateTime, formatInt } from '../i18n/format';
import { t } from '../i18n/messages';
import { docName, type Store } from '../state/store';
import { handoverText } from './handover-text';

export function HandoverSection(props: { store: Store; job: Job; details: JobDetails }) {
  const { job, details, store } = props;
  const h = job.handover;
  // Details of another job may still be shown while this one's load.
  const linked = details.job.key === job.key ? (details.linked ?? null) : null;
  if (!h && !job.handedOverBy) return null;
  const why = h?.status === 'ambiguous' ? t.handoverAmbiguousWhy(formatInt(h.candidates), h.printer) : h?.status === 'unmatched' ? t.handoverUnmatchedWhy(h.printer) : null;
  return (
    <section data-testid="handover" aria-labelledby="handover-title">
      <h3 id="handover-title">{h ? t.handoverTitle : t.handoverFromTitle}</h3>
      {h && <p>{handoverText(job)}</p>}
      {why && <p class="muted">{why}</p>}
      {linked && (
        <>
          <p>
            <button type="button" class="link" onClick={() => store.openDetails(linked.job.key)}>
              {`${docName(linked.job)} (${store.sourceNames.value.get(linked.job.sourceId) ?? linked.job.sourceId}, ${t.states[linked.job.state]})`}
            </button>
          </p>
          <ol class="timeline" data-testid="handover-timeline">
            {linked.timeline.map((e, i) => (
              <li key={i}>
                <time dateTime={e.at}>{formatDateTime(e.at)}</time> <span class={`badge badge-${e.state}`}>{t.states[e.state]}</span>
                {e.detail && <span class="muted"> {e.detail}</span>}
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}
