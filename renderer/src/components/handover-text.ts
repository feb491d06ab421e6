/** The row's words for a ScriptX job handed to this PC's Windows queue ("Handed to Office Laser → printing page 3 of 7"). */
import type { Job } from '../../../preload/contract/model';
import { formatInt } from '../i18n/format';
import { t } from '../i18n/messages';

/** What became of the job in the printer's queue, or null when it was not handed over. */
export function handoverText(job: Job): string | null {
  const h = job.handover;
  if (!h) return null;
  if (h.status === 'waiting') return t.handedTo(h.printer, t.handoverWaiting);
  if (h.status === 'ambiguous') return t.handedTo(h.printer, t.handoverAmbiguous(formatInt(h.candidates)));
  if (h.status === 'unmatched' || h.state === null) return t.handedTo(h.printer, t.handoverUnmatched);
  let what = t.handoverStates[h.state];
  if (h.state === 'printing' && h.pages && h.pagesPrinted) what = t.handoverPage(formatInt(Math.min(h.pagesPrinted, h.pages)), formatInt(h.pages));
  if ((h.state === 'paused' || h.state === 'failed' || h.state === 'queued') && h.reason) what = `${what}: ${h.reason}`;
  return t.handedTo(h.printer, what);
}
