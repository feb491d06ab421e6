/** Human-readable output of `pqm`: aligned tables, one line per job or source. */
import type { SignInProgress } from '../../preload/contract/contract';
import type { HistoryEntry, Job, SourceHealth } from '../../preload/contract/model';

/** Control characters in service-provided text must not move the cursor or fake other lines. */
export function clean(s: string | null | undefined): string {
  return (s ?? '').replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ');
}

function cut(s: string, width: number): string {
  return s.length > width ? `${s.slice(0, Math.max(1, width - 1))}…` : s;
}

export function table(headers: string[], rows: string[][], maxWidths: number[] = []): string {
  const cells = rows.map((r) => r.map((c, i) => cut(clean(c), maxWidths[i] ?? 60)));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return `${[line(headers), ...cells.map(line)].join('\n')}\n`;
}

function flags(j: Job): string {
  return [j.stale ? 'stale' : '', j.stuck ? 'stuck' : '', j.gone ? 'gone' : ''].filter(Boolean).join(',');
}

export function jobsTable(jobs: readonly Job[]): string {
  if (!jobs.length) return 'No jobs.\n';
  return table(
    ['KEY', 'STATE', 'DOCUMENT', 'OWNER', 'PRINTER', 'UPDATED', 'FLAGS'],
    jobs.map((j) => [j.key, j.state + (j.progress !== null && !['completed', 'failed', 'canceled'].includes(j.state) ? ` ${Math.round(j.progress * 100)}%` : ''), j.document ?? '', j.owner ?? '', j.printer ?? '', j.updatedAt ?? j.createdAt ?? '', flags(j)]),
    [48, 16, 40, 24, 28, 24, 16],
  );
}

export function jobLine(j: Job): string {
  const parts = [j.key, j.state, j.rawState ? `(${j.rawState})` : '', j.document ?? '', j.detail ?? ''].filter(Boolean).map(clean);
  return `${parts.join('  ')}\n`;
}

export function sourcesTable(sources: readonly SourceHealth[]): string {
  if (!sources.length) return 'No sources are configured.\n';
  return table(
    ['ID', 'KIND', 'STATUS', 'MESSAGE'],
    sources.map((s) => [s.id, s.kind, s.status, s.message]),
    [32, 8, 14, 200],
  );
}

export function historyTable(entries: readonly HistoryEntry[]): string {
  if (!entries.length) return 'No finished jobs in the history.\n';
  return table(
    ['FINISHED', 'KEY', 'STATE', 'DOCUMENT', 'OWNER', 'PRINTER'],
    entries.map((e) => [e.finishedAt, e.job.key, e.job.state, e.job.document ?? '', e.job.owner ?? '', e.job.printer ?? '']),
    [24, 48, 10, 40, 24, 28],
  );
}

/**
 * What `pqm` tells the user (on stderr) while a sign-in runs: the device code, where to enter it
 * and until when, and when it is done. The browser page is announced by the platform itself, and a
 * failure ends the command with its error.
 */
export function signInLine(p: SignInProgress): string | null {
  switch (p.stage) {
    case 'device-code':
      return `sign-in for source ${p.sourceId}: ${clean(p.message)} (code ${clean(p.userCode)} at ${clean(p.verificationUri)}, valid until ${p.expiresAt})`;
    case 'done':
      return `signed in for source ${p.sourceId}`;
    default:
      return null;
  }
}
