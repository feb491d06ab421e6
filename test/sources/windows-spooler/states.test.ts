import { describe, expect, it } from 'vitest';
import { jobLocator, parseLocator, parseMsDate, rowsOf, toSourceJob, toSourcePrinter } from '../../../main/sources/windows-spooler/mapping';
import { jobStateOf, STATUS_BITS } from '../../../main/sources/windows-spooler/states';
import { JobKey } from '../../../preload/contract/model';

describe('Windows spooler states', () => {
  it('maps every StatusMask bit Microsoft documents', () => {
    expect(jobStateOf(0)).toEqual({ state: 'queued', reason: null });
    expect(jobStateOf(STATUS_BITS.Spooling)).toEqual({ state: 'processing', reason: 'Spooling' });
    expect(jobStateOf(STATUS_BITS.Printing)).toEqual({ state: 'printing', reason: null });
    expect(jobStateOf(STATUS_BITS.Printing | STATUS_BITS.Spooling)).toEqual({ state: 'printing', reason: null });
    expect(jobStateOf(STATUS_BITS.Paused)).toEqual({ state: 'paused', reason: 'Paused' });
    expect(jobStateOf(STATUS_BITS.Printing | STATUS_BITS.Paperout)).toEqual({ state: 'paused', reason: 'Out of paper' });
    expect(jobStateOf(STATUS_BITS.Offline)).toEqual({ state: 'paused', reason: 'The printer is offline' });
    expect(jobStateOf(STATUS_BITS.Error | STATUS_BITS.Printing)).toEqual({ state: 'paused', reason: 'Error at the printer' });
    expect(jobStateOf(STATUS_BITS.User_Intervention_Req)).toEqual({ state: 'paused', reason: 'The printer needs attention' });
    expect(jobStateOf(STATUS_BITS.Blocked_DevQ)).toEqual({ state: 'paused', reason: 'Blocked by the printer driver' });
    expect(jobStateOf(STATUS_BITS.Restart)).toEqual({ state: 'queued', reason: 'Restarting' });
    expect(jobStateOf(STATUS_BITS.Printed)).toEqual({ state: 'completed', reason: 'Printed' });
    expect(jobStateOf(STATUS_BITS.Printed | STATUS_BITS.Retained)).toEqual({ state: 'completed', reason: 'Printed (kept in the queue)' });
    expect(jobStateOf(STATUS_BITS.Deleting | STATUS_BITS.Printing)).toEqual({ state: 'canceled', reason: 'Being deleted' });
    expect(jobStateOf(STATUS_BITS.Deleted)).toEqual({ state: 'canceled', reason: 'Deleted' });
    expect(jobStateOf(STATUS_BITS.Complete)).toEqual({ state: 'printing', reason: 'Sent to the printer' });
  });

  it('reads PowerShell 5.1 dates, in the JSON text and once parsed', () => {
    expect(parseMsDate('\\/Date(1767603600000)\\/')).toBe('2026-01-05T09:00:00.000Z');
    expect(parseMsDate('/Date(1767603600000)/')).toBe('2026-01-05T09:00:00.000Z');
    expect(parseMsDate('/Date(1767603600000+0100)/')).toBe('2026-01-05T09:00:00.000Z');
    expect(parseMsDate('2026-01-05T09:00:00Z')).toBeNull();
    expect(parseMsDate(null)).toBeNull();
  });

  it('reads none, one object and an array alike', () => {
    expect(rowsOf('')).toEqual([]);
    expect(rowsOf('  ')).toEqual([]);
    expect(rowsOf('{"JobId":3}')).toEqual([{ JobId: 3 }]);
    expect(rowsOf('[{"JobId":3},{"JobId":4}]')).toHaveLength(2);
    expect(() => rowsOf('{"JobId":')).toThrow(SyntaxError);
  });

  it('encodes a \\\\server\\queue printer name into a valid key and back', () => {
    const locator = jobLocator('\\\\print01\\Büro, 2nd floor', 12);
    expect(JobKey.safeParse(`spooler:${locator}`).success).toBe(true);
    expect(locator).not.toMatch(/[\\, ]/);
    expect(parseLocator(locator)).toEqual({ printer: '\\\\print01\\Büro, 2nd floor', jobId: 12 });
    expect(parseLocator('x/0')).toBeNull();
    expect(parseLocator('%E0%A4%A/3')).toBeNull();
  });

  it('a job the printer holds up is shown Paused, and Resume says what it waits for, not "not paused"', () => {
    const row = (mask: number) => ({ Document: 'Pick list.pdf', JobStatus: 'Error, Printing', StatusMask: mask, JobId: 4, Name: 'Label printer, 4' });
    const blocked = toSourceJob(row(STATUS_BITS.Printing | STATUS_BITS.Paperout), { sourceId: 'pc', user: 'alex' });
    expect(blocked).toMatchObject({ state: 'paused', reason: 'Out of paper', pause: { allowed: true } });
    expect(blocked?.resume).toEqual({ allowed: false, reason: 'The job is not paused: it waits for the printer (out of paper), and goes on once that is put right at the printer.' });
    const offline = toSourceJob(row(STATUS_BITS.Offline), { sourceId: 'pc', user: 'alex' });
    expect(offline?.resume?.reason).toBe('The job is not paused: it waits for the printer (the printer is offline), and goes on once that is put right at the printer.');
    // Paused by someone as well: Resume it is.
    expect(toSourceJob(row(STATUS_BITS.Paused | STATUS_BITS.Paperout), { sourceId: 'pc', user: 'alex' })?.resume).toEqual({ allowed: true });
    expect(toSourceJob(row(0), { sourceId: 'pc', user: 'alex' })?.resume).toEqual({ allowed: false, reason: 'The job is not paused.' });
  });

  it('maps a Win32_PrintJob row with pages as progress and its printer from Name', () => {
    const job = toSourceJob(
      { Document: 'Invoice.pdf', Owner: 'Alex', JobStatus: 'Printing', StatusMask: 16, TotalPages: 7, PagesPrinted: 3, Size: 48213, TimeSubmitted: '/Date(1767603600000)/', JobId: 12, Name: 'Office, Laser, 12' },
      { sourceId: 'pc', user: 'alex' },
    );
    expect(job).toMatchObject({ key: 'pc:Office%2C%20Laser/12', printer: 'Office, Laser', state: 'printing', pages: 7, pagesPrinted: 3, sizeBytes: 48213, mine: true, createdAt: '2026-01-05T09:00:00.000Z', pause: { allowed: true }, resume: { allowed: false } });
    expect(job?.progress).toBeCloseTo(3 / 7);
    expect(toSourceJob({ JobId: 12, Name: 'Office, 13' }, { sourceId: 'pc', user: 'alex' })).toBeNull();
  });

  it('maps Win32_Printer status to the printer model', () => {
    const p = (over: Record<string, unknown>) => toSourcePrinter({ Name: '\\\\srv\\Front', PrinterStatus: 3, DetectedErrorState: 2, WorkOffline: false, ExtendedPrinterStatus: 2, ...over }, 'pc');
    expect(p({})).toMatchObject({ key: 'pc:%5C%5Csrv%5CFront', name: '\\\\srv\\Front', state: 'ready', reasons: [] });
    expect(p({ PrinterStatus: 4 })).toMatchObject({ state: 'printing' });
    expect(p({ DetectedErrorState: 8, PrinterStatus: 1 })).toMatchObject({ state: 'stopped', reasons: ['Paper jam'] });
    expect(p({ WorkOffline: true })).toMatchObject({ state: 'offline', reasons: ['Set to use the printer offline'] });
    expect(p({ PrinterStatus: 7, ExtendedPrinterStatus: 7 })).toMatchObject({ state: 'offline', reasons: [] });
    // DetectedErrorState 9 Offline says the state itself: not again among the reasons.
    expect(p({ DetectedErrorState: 9 })).toMatchObject({ state: 'offline', reasons: [] });
    expect(p({ DetectedErrorState: 5 })).toMatchObject({ state: 'ready', reasons: ['Toner low'] });
  });

  it('a printer someone paused (PRINTER_STATUS_PAUSED) is Paused, as Windows says; paused with an error is Stopped', () => {
    const p = (over: Record<string, unknown>) => toSourcePrinter({ Name: 'Front', PrinterStatus: 3, DetectedErrorState: 2, WorkOffline: false, ExtendedPrinterStatus: 2, ...over }, 'pc');
    // Whatever PrinterStatus says beside it (Other, Idle, Stopped printing).
    for (const PrinterStatus of [1, 3, 6]) expect(p({ PrinterStatus, ExtendedPrinterStatus: 8 })).toMatchObject({ state: 'paused', reasons: [] });
    expect(p({ ExtendedPrinterStatus: 8, DetectedErrorState: 5 })).toMatchObject({ state: 'paused', reasons: ['Toner low'] });
    // Paused and jammed: the device needs fixing, and it is said to be paused too.
    expect(p({ ExtendedPrinterStatus: 8, DetectedErrorState: 8 })).toMatchObject({ state: 'stopped', reasons: ['Paper jam', 'Paused'] });
    expect(p({ ExtendedPrinterStatus: 8, WorkOffline: true })).toMatchObject({ state: 'offline', reasons: ['Set to use the printer offline', 'Paused'] });
    // Stopped by an error alone stays Stopped.
    expect(p({ PrinterStatus: 1, ExtendedPrinterStatus: 9 })).toMatchObject({ state: 'stopped', reasons: ['Error'] });
  });

  it('reads ExtendedDetectedErrorState: the faults DetectedErrorState cannot say stop a paused printer, low paper or toner does not', () => {
    const p = (over: Record<string, unknown>) => toSourcePrinter({ Name: 'Front', PrinterStatus: 3, DetectedErrorState: 2, ExtendedDetectedErrorState: 2, WorkOffline: false, ExtendedPrinterStatus: 2, ...over }, 'pc');
    const paused = (ExtendedDetectedErrorState: number) => p({ ExtendedPrinterStatus: 8, DetectedErrorState: 1, ExtendedDetectedErrorState });
    // Faults, in the words Microsoft gives each value, with "Paused" among the reasons.
    expect(paused(13)).toMatchObject({ state: 'stopped', reasons: ['User intervention required', 'Paused'] });
    expect(paused(11)).toMatchObject({ state: 'stopped', reasons: ['Paper problem', 'Paused'] });
    expect(paused(12)).toMatchObject({ state: 'stopped', reasons: ['Cannot print page', 'Paused'] });
    expect(paused(14)).toMatchObject({ state: 'stopped', reasons: ['Out of memory', 'Paused'] });
    for (const [value, words] of [[4, 'Out of paper'], [6, 'Out of toner'], [7, 'Door open'], [8, 'Paper jam'], [9, 'Service requested'], [10, 'Output bin full']] as const) {
      expect(paused(value)).toMatchObject({ state: 'stopped', reasons: [words, 'Paused'] });
    }
    // Warnings: a paused printer stays Paused, and a ready one Ready.
    expect(paused(3)).toMatchObject({ state: 'paused', reasons: ['Low paper'] });
    expect(paused(5)).toMatchObject({ state: 'paused', reasons: ['Toner low'] });
    expect(p({ ExtendedDetectedErrorState: 3 })).toMatchObject({ state: 'ready', reasons: ['Low paper'] });
    // Not paused: a fault alone stops it.
    expect(p({ PrinterStatus: 1, ExtendedDetectedErrorState: 13 })).toMatchObject({ state: 'stopped', reasons: ['User intervention required'] });
    // 9 is Service Requested here, not Offline as in DetectedErrorState.
    expect(p({ ExtendedDetectedErrorState: 9 })).toMatchObject({ state: 'stopped', reasons: ['Service requested'] });
    // Both properties saying the same thing say it once.
    expect(p({ DetectedErrorState: 8, ExtendedDetectedErrorState: 8 })).toMatchObject({ state: 'stopped', reasons: ['Paper jam'] });
    // Unknown, Other, No Error, Server Unknown, absent: no fault.
    for (const ExtendedDetectedErrorState of [0, 1, 2, null, undefined]) expect(p({ ExtendedDetectedErrorState })).toMatchObject({ state: 'ready', reasons: [] });
    expect(p({ ExtendedDetectedErrorState: 15 })).toMatchObject({ state: 'ready', reasons: ['Server unknown'] });
    expect(paused(15)).toMatchObject({ state: 'paused', reasons: ['Server unknown'] });
  });
});
