/**
 * CSV (RFC 4180) that is safe to open in a spreadsheet: the one encoder for every export, the
 * history file written by the app and the CLI and the view the window exports.
 */

/**
 * One CSV cell. A cell starting with = + - @ tab or CR is prefixed with a single quote so a
 * spreadsheet shows it as text and never evaluates it as a formula (OWASP "CSV injection").
 * Then quoted per RFC 4180 when it holds a comma, quote, CR or LF.
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * A CSV text as a file to open in a spreadsheet: it starts with the UTF-8 byte order mark. Without
 * it Excel on Windows reads the file in the PC's ANSI code page and every name that is not plain
 * ASCII (Résumé.pdf, Müller, 東京, עברית) comes out garbled. Output to a pipe stays without it.
 */
export function csvFile(csv: string): string {
  return `\uFEFF${csv}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/**
 * An instant as a spreadsheet reads a date and time, in the PC's time zone: "2026-06-15 12:00:00".
 * Excel reads this form (year first, no T, no zone) as a date and time, so the column sorts and
 * filters as dates; an ISO time with a T, a Z or an offset stays text. Empty for a missing or
 * unreadable time.
 */
export function csvLocalTime(iso: string | null | undefined): string {
  const ms = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(ms)) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/**
 * How far the PC's local time was from UTC at an instant, as "UTC+02:00" or "UTC-04:00": which
 * zone a local time column is in, and which pass of the hour the clocks go back repeats. Named
 * with UTC first, so the cell never starts with + or - (the formula guard would prefix it).
 */
export function csvUtcOffset(iso: string | null | undefined): string {
  const ms = iso ? Date.parse(iso) : NaN;
  if (!Number.isFinite(ms)) return '';
  const east = -new Date(ms).getTimezoneOffset();
  const abs = Math.abs(east);
  return `UTC${east < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

/** A whole CSV text: a header row, then one row per record, CRLF line ends, ending with one. */
export function toCsv(headers: readonly string[], rows: readonly (readonly unknown[])[]): string {
  const lines = [headers.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
