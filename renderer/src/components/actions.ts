/** Confirmation flows shared by the grid, the detail panel and the sources panel. */
import type { Job } from '../../../preload/contract/model';
import { isFinal } from '../../../preload/contract/job-states';
import { t } from '../i18n/messages';
import { count, formatInt } from '../i18n/format';
import { activeJobsOf } from '../../../preload/contract/queue-view';
import { docName, type Store } from '../state/store';

export function cancelRefusal(job: Job): string {
  return job.cancel.reason || t.cancelNotAllowed;
}

/** Why a selected job will not be canceled: already finished, or the source's reason. */
export function skipReason(job: Job): string {
  return isFinal(job) ? t.alreadyFinished : cancelRefusal(job);
}

/**
 * Asks before canceling one or several jobs, every time: how many will be canceled, and each job
 * that will not be with why (already finished, not allowed).
 */
export function askCancel(store: Store, keys: string[]): void {
  const jobs = keys.map((k) => store.jobs.get(k)).filter((j): j is Job => !!j);
  if (!jobs.length) return;
  const allowed = jobs.filter((j) => j.cancel.allowed && !isFinal(j));
  const refused = jobs.filter((j) => !allowed.includes(j));
  if (!allowed.length) {
    store.notify('warning', jobs.length === 1 ? `${docName(jobs[0])}: ${cancelRefusal(jobs[0])}` : refused.map((j) => `${docName(j)}: ${skipReason(j)}`).join(' '));
    return;
  }
  if (jobs.length === 1) {
    const job = allowed[0];
    store.confirm.value = {
      title: t.cancelConfirmTitle,
      body: t.cancelConfirm(docName(job), job.printer ?? store.sourceNames.value.get(job.sourceId) ?? job.sourceId),
      confirmLabel: t.cancelJob,
      onConfirm: () => void store.cancelJob(job.key),
    };
    return;
  }
  const skipped = refused.map((job) => ({ job, why: skipReason(job) }));
  store.confirm.value = {
    title: t.cancelManyConfirmTitle,
    body: skipped.length ? t.cancelManyConfirmMixed(count(allowed.length), formatInt(skipped.length)) : t.cancelManyConfirm(count(allowed.length)),
    list: skipped.length ? skipped.map((s) => `${docName(s.job)}: ${s.why}`) : undefined,
    confirmLabel: t.confirmCancelJobs,
    onConfirm: () => store.cancelJobs(allowed.map((j) => j.key), skipped),
  };
}

/** Cancel every active job of one printer, or of one source when printer is undefined. */
export function cancelableOf(store: Store, where: { sourceId: string; printer?: string | null }): Job[] {
  return activeJobsOf(store.allJobs.value, where).filter((j) => j.cancel.allowed);
}

export function askCancelAll(store: Store, where: { sourceId: string; printer?: string | null }, label: string): void {
  const jobs = cancelableOf(store, where);
  if (!jobs.length) return;
  store.confirm.value = {
    title: t.cancelManyConfirmTitle,
    body: t.cancelAllConfirm(count(jobs.length), label),
    confirmLabel: t.confirmCancelJobs,
    onConfirm: () => store.cancelJobs(jobs.map((j) => j.key)),
  };
}
