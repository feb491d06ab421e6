/** The IPP source's pure parts: settings, job keys, state and reason words, message structure. */
import { describe, expect, it } from 'vitest';
import { ExternalJobId } from '../../../preload/contract/contract';
import { IppSourceConfig, JobKey } from '../../../preload/contract/model';
import { checkStructure, encodeRequest, IppFormatError, OP } from '../../../main/sources/ipp/codec';
import { ippTime, jobLocator, jobReasonWords, parseLocator, printerReasonWords, toPrinterState } from '../../../main/sources/ipp/states';
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
    expect(ippTarget({ url: 'https://h:8443/printers/a/' })).toEqual({ kind: 'printer', uri: 'ipps://h:8443/printers/a/', id: 'a' });
    expect(ippTarget({ url: 'ipps://h/ipp/print' })).toEqual({ kind: 'printer', uri: 'ipps://h/ipp/print', id: 'print' });
    expect(ippTarget({ url: 'http://h:631', printers: ['x'] })).toEqual({ kind: 'server', base: 'ipp://h:631', queues: ['x'] });
    expect(ippTarget({ url: 'https://h:631/' })).toEqual({ kind: 'server', base: 'ipps://h:631', queues: null });
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
    expect(toPrinterState(5, ['paused'])).toBe('stopped');
    expect(toPrinterState(3, ['offline-report'])).toBe('offline');
    expect(toPrinterState(9, [])).toBe('unknown');
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
