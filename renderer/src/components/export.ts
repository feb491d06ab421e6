/**
 * Export of what the window shows: the rows of the queue as they are listed (view, filters, search
 * and sort applied), every column of the grid under its own heading, times in the user's local
 * format. CSV through the one formula-safe encoder (preload/contract/csv.ts), or JSON with the same fields.
 */
import type { Job } from '../../../preload/contract/model';
import type { SortKeyName } from '../../../preload/contract/queue-view';
import { toCsv } from '../../../preload/contract/csv';
import { t } from '../i18n/messages';
import { formatDateTime } from '../i18n/format';
import { docName } from '../state/store';

/** One cell of a column as the export writes it: text, or a number where the column counts something. */
function cell(job: Job, col: SortKeyName, sourceName: string): string | number | null {
  switch (col) {
    case 'source':
      return sourceName;
    case 'printer':
      return job.printer;
    case 'document':
      return docName(job);
    case 'owner':
      return job.owner;
    case 'state':
      return [t.states[job.state], job.stuck ? t.stuck : null, job.reason].filter(Boolean).join(' — ');
    case 'progress':
      return job.progress == null ? null : Math.round(job.progress * 100);
    case 'pages':
      return job.pages ?? null;
    case 'size':
      return job.sizeBytes ?? null;
    case 'createdAt':
      return formatDateTime(job.createdAt) || null;
    case 'updatedAt':
      return formatDateTime(job.updatedAt) || null;
  }
}

/** The column headings of an export, in the grid's order. */
export function exportHeaders(columns: readonly SortKeyName[]): string[] {
  return columns.map((c) => t.exportColumns[c]);
}

/** The shown rows as a table: one array of cells per job, in the given column order. */
export function exportTable(jobs: readonly Job[], columns: readonly SortKeyName[], sourceNames: ReadonlyMap<string, string>): (string | number | null)[][] {
  return jobs.map((j) => columns.map((c) => cell(j, c, sourceNames.get(j.sourceId) ?? j.sourceId)));
}

export function viewToCsv(jobs: readonly Job[], columns: readonly SortKeyName[], sourceNames: ReadonlyMap<string, string>): string {
  return toCsv(exportHeaders(columns), exportTable(jobs, columns, sourceNames));
}

/** An array of objects keyed by the same headings as the CSV, with nulls for empty cells. */
export function viewToJson(jobs: readonly Job[], columns: readonly SortKeyName[], sourceNames: ReadonlyMap<string, string>): string {
  const headers = exportHeaders(columns);
  const rows = exportTable(jobs, columns, sourceNames).map((cells) => Object.fromEntries(headers.map((h, i) => [h, cells[i]])));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** Hands a text to the browser's download (in the desktop app: Electron's save dialog). */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked once the download has surely read it (revoking at once can cancel it in Chromium).
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
