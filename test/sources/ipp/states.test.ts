/** The IPP source's pure parts: settings, job keys, state and reason words, message structure. */
import { describe, expect, it } from 'vitest';
import { ExternalJobId } from '../../../preload/contract/contract';
import { IppSourceConfig, JobKey } from '../../../preload/contract/model';
import { checkStructure, encodeRequest, IppFormatError, OP } from '../../../main/sources/ipp/codec';
import { ippTime, jobLocator, jobReasonWords, parseLocator, printerReasonWords, toPrinterState, toSourceJob, toSourcePrinter } from '../../../main/sources/ipp/states';
import { httpUrlOf } from '../../../main/sources/ipp/client';
import { TAG } from '../../../main/sources/ipp/codec';
import { ippTarget } from '../../../main/sources/ipp/source';

describe('IPP settings', () => {
  it('accepts printers and servers, refuses credentials in the URL and queue names CUPS refuses', () => {
    for (const url of ['ipp://printer.example.com/printers/office', 'ipps://p.example.com:443/ipp/print', 'http://cups.example.com:631', 'https://cups.example.com:631']) {
      expect(IppSourceConfig.safeParse({ id: 'p', kind: 'ipp', url }).success, url).toBe(true);
    }
    const bad = IppSourceConfig.safeParse({ id: 'p', kind: 'ipp', url: 'ipp://alex:secret@printer.example.com/printers/office' });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toMatch(/must not contain a user name or password/);
    expect(IppSourceConfig.safeParse({ id: 'p', kind: 'ipp', url: 'ftp://x' }).success).toBe(false);
    expect(IppSourceConfig.safeParse({ id: 'p', kind: 'ipp', url: 'http://cups:631', printers: ['a/b'] }).error?.issues[0]?.message).toMatch(/cannot contain/);
    expect(IppSourceConfig.safeParse({ id: 'p', kind: 'ipp', url: 'http://cups:631', user: 'a:b' }).success).toBe(false);
  });

  it('reads the URL as one printer or a whole server', () => {
    expect(ippTarget({ url: 'ipp://h/printers/Front%20Desk' })).toEqual({ kind: 'printer', uri: 'ipp://h/printers/Front%20Desk', id: 'Front Desk' });
    // CUPS knows /printers/a, not /printers/a/.
    expect(ippTarget({ url: 'https://h:8443/printers/a/' })).toEqual({ kind: 'printer', uri: 'ipps://h:8443/printers/a', id: 'a' });
    expect(ippTarget({ url: 'ipps://h/ipp/print' })).toEqual({ kind: 'printer', uri: 'ipps://h/ipp/print', id: 'print' });
    expect(ippTarget({ url: 'http://h:631', printers: ['x'] })).toEqual({ kind: 'server', base: 'ipp://h:631', queues: ['x'] });
    expect(ippTarget({ url: 'https://h:631/' })).toEqual({ kind: 'server', base: 'ipps://h:631', queues: null });
    // ipp://host:631/ is the server, as http://host:631 is.
    expect(ippTarget({ url: 'ipp://h:631/' })).toEqual({ kind: 'server', base: 'ipp://h:631', queues: null });
    expect(ippTarget({ url: 'ipps://[fe80::1]' })).toEqual({ kind: 'server', base: 'ipps://[fe80::1]', queues: null });
    // Without a port, https:// means 443 and http:// 80, where ipps:// and ipp:// mean 631.
    expect(ippTarget({ url: 'https://h/ipp/print' })).toEqual({ kind: 'printer', uri: 'ipps://h:443/ipp/print', id: 'print' });
    const https = ippTarget({ url: 'https://h/ipp/print' });
    expect(https.kind === 'printer' && httpUrlOf(https.uri)).toBe('https://h:443/ipp/print');
    expect(ippTarget({ url: 'http://h' })).toEqual({ kind: 'server', base: 'ipp://h:80', queues: null });
    expect(ippTarget({ url: 'ipp://h/printers/a' })).toEqual({ kind: 'printer', uri: 'ipp://h/printers/a', id: 'a' });
  });
});

describe('IPP job keys', () => {
  it('carry any queue name within the contract id rules, and come back unchanged', () => {
    for (const name of ['office', 'Büro 2', 'a:b', 'x%y', 'q?#\\', 'front/desk']) {
      const locator = jobLocator(name, 42);
      expect(JobKey.safeParse(`cups:${locator}`).success).toBe(true);
      expect(ExternalJobId.safeParse(locator).success, name).toBe(true);
      expect(parseLocator(locator)).toEqual({ printerId: name, jobId: 42 });
    }
    for (const bad of ['office', 'office/0', 'office/x', '/12', 'a/b/12', '%E0%A4%A/12']) expect(parseLocator(bad), bad).toBeNull();
  });
});

describe('IPP words', () => {
  it('says the reasons in plain words, once each, and keeps unknown keywords readable', () => {
    expect(jobReasonWords(['job-hold-until-specified'])).toEqual(['Waiting to be released']);
    expect(jobReasonWords(['none', 'job-printing', 'job-queued'])).toEqual([]);
    expect(jobReasonWords(['job-password-wait', 'vendor-x-thing'])).toEqual(['Waiting for a PIN at the printer', 'Vendor x thing']);
    expect(printerReasonWords(['media-jam-error', 'media-jam-warning', 'toner-low-report', 'none'])).toEqual(['Paper jam', 'Toner low']);
    expect(toPrinterState(3, [])).toBe('ready');
    expect(toPrinterState(4, [])).toBe('printing');
    expect(toPrinterState(5, ['media-jam'])).toBe('stopped');
    expect(toPrinterState(3, ['offline-report'])).toBe('offline');
    expect(toPrinterState(9, [])).toBe('unknown');
  });

  it('a printer someone paused is Paused; one a fault stops is Stopped, paused besides or not', () => {
    // CUPS: every stopped queue (cupsdisable) is stopped with the reason paused.
    expect(toPrinterState(5, ['paused'])).toBe('paused');
    expect(toPrinterState(5, ['moving-to-paused'])).toBe('paused');
    // What is only worth telling does not make it a fault.
    expect(toPrinterState(5, ['paused', 'toner-low-report', 'media-low-warning', 'marker-waste-almost-full'])).toBe('paused');
    // A fault too: the device needs fixing, whatever else.
    expect(toPrinterState(5, ['paused', 'media-jam-error'])).toBe('stopped');
    expect(toPrinterState(5, ['paused', 'door-open'])).toBe('stopped');
    expect(toPrinterState(5, [])).toBe('stopped');
    // Offline wins; still printing its last job while pausing is printing.
    expect(toPrinterState(5, ['paused', 'offline-report'])).toBe('offline');
    expect(toPrinterState(4, ['moving-to-paused'])).toBe('printing');
    // The state's word is not said again among the reasons; the operator's words are.
    const printer = (reasons: string[], message?: string) =>
      toSourcePrinter({ tag: TAG.PRINTER, values: new Map<string, (string | number | boolean)[]>(Object.entries({ 'printer-name': ['office'], 'printer-state': [5], 'printer-state-reasons': reasons, 'printer-is-accepting-jobs': [true], ...(message ? { 'printer-state-message': [message] } : {}) })) }, 'cups', 'office');
    expect(printer(['paused'], 'Paused')).toMatchObject({ state: 'paused', reasons: [] });
    expect(printer(['paused'], 'Toner being replaced')).toMatchObject({ state: 'paused', reasons: ['Toner being replaced'] });
    expect(printer(['paused', 'media-jam-error'])).toMatchObject({ state: 'stopped', reasons: ['Paused', 'Paper jam'] });
    expect(printer(['paused', 'moving-to-paused'], 'Cleaning')).toMatchObject({ state: 'paused', reasons: ['Cleaning'] });
    expect(printer(['offline-report'])).toMatchObject({ state: 'offline', reasons: [] });
    expect(printer(['offline-report', 'timed-out-report'])).toMatchObject({ state: 'offline', reasons: ['The printer does not answer'] });
  });

  it('"other" is a fault said in words; passing or chosen reasons are none (PWG 5100.11, 5100.13)', () => {
    expect(printerReasonWords(['other'])).toEqual(['Printer error']);
    expect(toPrinterState(5, ['paused', 'other'])).toBe('stopped');
    for (const r of ['identify-printer-requested', 'fuser-under-temp', 'hold-new-jobs', 'printer-restarted']) expect(toPrinterState(5, ['paused', r]), r).toBe('paused');
    expect(printerReasonWords(['identify-printer-requested', 'hold-new-jobs', 'printer-restarted', 'fuser-under-temp'])).toEqual(['Holding new jobs', 'Restarted', 'Fuser warming up']);
  });

  it('a finished job is not "being stopped"; CUPS\'s per-job message is read; mine is without case', () => {
    const job = (values: Record<string, (string | number | boolean)[]>, user = 'alex') =>
      toSourceJob({ tag: TAG.JOB, values: new Map(Object.entries({ 'job-id': [7], 'job-originating-user-name': ['ALEX'], ...values })) }, { sourceId: 'cups', printer: { id: 'office', name: 'Office' }, user, nowMs: 0 })!;
    // CUPS 2.4.0-2.4.7 leave processing-to-stop-point on every printed job.
    expect(job({ 'job-state': [9], 'job-state-reasons': ['processing-to-stop-point', 'job-completed-successfully'] })).toMatchObject({ state: 'completed', reason: null, detail: null, rawState: '9 completed (processing-to-stop-point, job-completed-successfully)' });
    expect(job({ 'job-state': [7], 'job-state-reasons': ['processing-to-stop-point', 'job-canceled-by-user'] })).toMatchObject({ state: 'canceled', reason: 'Canceled by its owner' });
    expect(job({ 'job-state': [5], 'job-state-reasons': ['processing-to-stop-point'] })).toMatchObject({ state: 'printing', reason: 'Being stopped' });
    // CUPS has no job-state-message: the printer's words for the job come in job-printer-state-message.
    expect(job({ 'job-state': [5], 'job-state-reasons': ['job-printing'], 'job-printer-state-message': ['The printer is not responding. '] })).toMatchObject({ detail: 'The printer is not responding.' });
    expect(job({ 'job-state': [5], 'job-state-message': ['Warming up'], 'job-printer-state-message': ['Connecting'] })).toMatchObject({ detail: 'Warming up' });
    // A printed job keeps the last of them, which says nothing about how it ended.
    expect(job({ 'job-state': [9], 'job-printer-state-message': ['Sending data to printer.'] })).toMatchObject({ detail: null });
    expect(job({ 'job-state': [8], 'job-printer-state-message': ['Unable to locate printer.'] })).toMatchObject({ state: 'failed', detail: 'Unable to locate printer.' });
    expect(job({ 'job-state': [3] }).mine).toBe(true);
    expect(job({ 'job-state': [3] }, 'sam').mine).toBe(false);
  });

  it('reads CUPS epoch times and RFC up-times', () => {
    const now = Date.UTC(2026, 0, 5, 9, 0, 0);
    expect(ippTime(1_767_600_000, null, now)).toBe(new Date(1_767_600_000_000).toISOString());
    expect(ippTime(100, 160, now)).toBe(new Date(now - 60_000).toISOString());
    expect(ippTime(100, null, now)).toBeNull();
    expect(ippTime(0, 10, now)).toBeNull();
  });
});

describe('IPP message structure', () => {
  it('accepts a well-formed message and names the fault of a broken one', () => {
    const ok = encodeRequest(OP.GET_JOBS, 7, [{ tag: 0x44, name: 'which-jobs', value: 'completed' }]);
    expect(() => checkStructure(ok)).not.toThrow();
    expect(() => checkStructure(ok.subarray(0, ok.length - 1))).toThrow(IppFormatError);
    const long = Buffer.from(ok);
    long.writeUInt16BE(0xfffe, 10);
    expect(() => checkStructure(long)).toThrow(/name is longer than the answer/);
    const int = Buffer.concat([ok.subarray(0, ok.length - 1), Buffer.from([0x21, 0x00, 0x01, 0x61, 0x00, 0x02, 0x00, 0x01, 0x03])]);
    expect(() => checkStructure(int)).toThrow(/has 2 bytes instead of 4/);
    expect(() => checkStructure(Buffer.from('<html></html>'))).toThrow(/not an IPP message/);
  });
});
