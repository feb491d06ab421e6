/**
 * The Windows spooler source against the stand-in for host.ps1 in Windows PowerShell 5.1
 * (test/simulators/windows-spooler/powershell-host.mjs): jobs and printers as ConvertTo-Json writes them,
 * pushed changes, actions and PowerShell's failures.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { HOST_SCRIPT } from '../../../main/sources/windows-spooler/host-script';
import { powershellErrorMessage } from '../../../main/sources/windows-spooler/host';
import { createWindowsSpoolerSource, spoolerUnavailableReason } from '../../../main/sources/windows-spooler/source';
import { SourceError, type JobSource, type PollResult, type SourceJob } from '../../../main/queue/source';
import { AppFailure, type Job, type WindowsSpoolerSourceConfig } from '../../../preload/contract/model';
import { createStandIn, type StandIn, type StandInJob, type StandInPrinter, type StandInSeed } from '../../simulators/windows-spooler/stand-in';
import { makeDeps } from '../aodocs/helpers';

const printer = (Name: string, over: Partial<StandInPrinter> = {}): StandInPrinter => ({ Name, PrinterStatus: 3, DetectedErrorState: 2, WorkOffline: false, ExtendedPrinterStatus: 2, ...over });
const SUBMITTED = Date.UTC(2026, 0, 5, 9, 0, 0);
const job = (JobId: number, over: Partial<StandInJob> = {}): StandInJob => ({ printer: 'Office Laser', JobId, Document: `Doc ${JobId}`, Owner: 'alex', StatusMask: 0, TotalPages: 4, PagesPrinted: 0, Size: 2048, submittedMs: SUBMITTED, ...over });

const open: { source: JobSource; standIn: StandIn }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) {
    o.source.dispose?.();
    o.standIn.stop();
  }
});

function rig(seed: StandInSeed, config: Partial<WindowsSpoolerSourceConfig> = {}) {
  const standIn = createStandIn(seed);
  const { deps, logger } = makeDeps();
  const source = createWindowsSpoolerSource({ id: 'pc', kind: 'windows-spooler', ...config }, deps, { spawnHost: standIn.spawn, user: 'Alex', platform: 'linux' });
  open.push({ source, standIn });
  const poll = (): Promise<PollResult> => source.poll({ mode: 'full', signal: new AbortController().signal, activeJobs: new Map() });
  const asJob = (j: SourceJob): Job => ({ ...j, stale: false, stuck: false, gone: false, lastSeenAt: null });
  return { standIn, source, poll, logger, asJob };
}

describe('Windows spooler source against the PowerShell stand-in', () => {
  it('lists jobs and printers whether ConvertTo-Json wrote none, one object or an array', async () => {
    const { standIn, poll } = rig({ printers: [printer('Office Laser')], jobs: [] });
    let r = await poll();
    expect(r.jobs).toEqual([]);
    expect(r.printers).toEqual([expect.objectContaining({ key: 'pc:Office%20Laser', name: 'Office Laser', state: 'ready', sourceKind: 'windows-spooler' })]);
    await standIn.control({ type: 'job', job: job(7, { StatusMask: 16, PagesPrinted: 2, Document: "Tom's <Q&A>.pdf" }) });
    r = await poll();
    expect(r.jobs).toEqual([expect.objectContaining({ key: 'pc:Office%20Laser/7', nativeId: '7', state: 'printing', document: "Tom's <Q&A>.pdf", owner: 'alex', mine: true, pages: 4, pagesPrinted: 2, progress: 0.5, sizeBytes: 2048, createdAt: '2026-01-05T09:00:00.000Z', printer: 'Office Laser' })]);
    await standIn.control({ type: 'job', job: job(8) });
    await standIn.control({ type: 'printer', printer: printer('\\\\print01\\Front desk', { DetectedErrorState: 4, PrinterStatus: 1 }) });
    await standIn.control({ type: 'job', job: job(9, { printer: '\\\\print01\\Front desk', StatusMask: 64 | 16 }) });
    r = await poll();
    expect(r.complete).toBe(true);
    expect(r.jobs.map((j) => [j.key, j.state, j.reason])).toEqual([
      ['pc:Office%20Laser/7', 'printing', null],
      ['pc:Office%20Laser/8', 'queued', null],
      ['pc:%5C%5Cprint01%5CFront%20desk/9', 'paused', 'Out of paper'],
    ]);
    expect(r.printers?.find((p) => p.name === '\\\\print01\\Front desk')).toMatchObject({ state: 'stopped', reasons: ['Out of paper'] });
  });

  it('shows only my jobs by default, everyone\'s with scope all, and only the printers named', async () => {
    const seed = { printers: [printer('Office Laser'), printer('Labels')], jobs: [job(1), job(2, { Owner: 'sam' }), job(3, { printer: 'Labels' })] };
    expect((await rig(seed).poll()).jobs.map((j) => j.nativeId)).toEqual(['1', '3']);
    expect((await rig(seed, { scope: 'all' }).poll()).jobs.map((j) => j.nativeId)).toEqual(['1', '2', '3']);
    const only = await rig(seed, { printers: ['labels'] }).poll();
    expect(only.jobs.map((j) => j.nativeId)).toEqual(['3']);
    expect(only.printers?.map((p) => p.name)).toEqual(['Labels']);
  });

  it('asks Win32_Printer for ExtendedDetectedErrorState: a paused printer that needs someone is Stopped', async () => {
    const fields = /^\$PrinterFields = @\((.*)\)$/m.exec(HOST_SCRIPT)?.[1]?.split(', ').map((f) => f.replace(/^'|'$/g, ''));
    expect(fields).toEqual(['Name', 'PrinterStatus', 'DetectedErrorState', 'ExtendedDetectedErrorState', 'WorkOffline', 'ExtendedPrinterStatus']);
    expect(HOST_SCRIPT).toContain('Get-CimInstance -ClassName Win32_Printer | Select-Object -Property $PrinterFields');
    const { standIn, poll } = rig({ printers: [printer('Office Laser', { ExtendedPrinterStatus: 8, DetectedErrorState: 1, ExtendedDetectedErrorState: 13 })], jobs: [] });
    expect((await poll()).printers).toEqual([expect.objectContaining({ name: 'Office Laser', state: 'stopped', reasons: ['User intervention required', 'Paused'] })]);
    await standIn.control({ type: 'printer', printer: { Name: 'Office Laser', ExtendedDetectedErrorState: 3 } });
    expect((await poll()).printers).toEqual([expect.objectContaining({ name: 'Office Laser', state: 'paused', reasons: ['Low paper'] })]);
  });

  it('sends only the requests host.ps1 answers, in its protocol, from one long-lived process', async () => {
    const { standIn, poll, source, asJob } = rig({ printers: [printer('Office Laser')], jobs: [job(4)] });
    source.watch?.(() => undefined);
    const r = await poll();
    await poll();
    await source.act(asJob(r.jobs[0]!), { type: 'pause' }, new AbortController().signal);
    // The stand-in reports requests, in order, over its control channel, which may trail its answers.
    await standIn.nextRequest((q) => q.op === 'pause');
    expect(standIn.spawned).toBe(1);
    expect(standIn.requests.map((q) => q.op)).toEqual(['subscribe', 'printers', 'jobs', 'printers', 'jobs', 'pause']);
    expect(standIn.requests.at(-1)).toEqual({ id: 6, op: 'pause', printer: 'Office Laser', jobId: 4 });
    // Every op the source sends is one host.ps1 handles, and the other way round.
    const script = HOST_SCRIPT;
    const handled = [...script.matchAll(/^\s{4}'([a-z]+)' \{/gm)].map((m) => m[1]).sort();
    expect(handled).toEqual(['cancel', 'jobs', 'pause', 'printers', 'resume', 'subscribe']);
    expect(script).toContain("Register-CimIndicationEvent -Query \"SELECT * FROM __InstanceOperationEvent WITHIN 1 WHERE TargetInstance ISA 'Win32_PrintJob'\"");
    for (const cmdlet of ['Remove-PrintJob', 'Suspend-PrintJob', 'Resume-PrintJob', 'Get-CimInstance -ClassName Win32_PrintJob', 'Get-CimInstance -ClassName Win32_Printer']) expect(script).toContain(cmdlet);
    // Job events are written while no request comes only if reading the next request does not
    // block the loop: [Console]::In is .NET Framework's SyncTextReader, whose ReadLineAsync reads
    // the line before it returns; a StreamReader over the standard input stream reads on the
    // thread pool.
    const code = script.split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    expect(code).toContain('$reader = [System.IO.StreamReader]::new([Console]::OpenStandardInput(), $utf8)');
    expect(code).toMatch(/\$pending\.Wait\(200\)/);
    expect(code).not.toMatch(/\[Console\]::In\b/);
  });

  it('asks the engine for a poll when Windows reports a job created, changed or deleted', async () => {
    const { standIn, poll, source } = rig({ printers: [printer('Office Laser')], jobs: [] });
    const changes: number[] = [];
    let wake: () => void = () => undefined;
    source.watch?.(() => {
      changes.push(1);
      wake();
    });
    const first = await poll();
    expect(first.health).toMatchObject({ status: 'ok', message: expect.stringContaining('changes pushed by Windows') });
    const pushed = new Promise<void>((resolve) => (wake = resolve));
    await standIn.control({ type: 'job', job: job(5) });
    await pushed;
    expect(changes.length).toBeGreaterThanOrEqual(1);
    expect((await poll()).jobs.map((j) => j.nativeId)).toEqual(['5']);
  });

  it('pauses, resumes and cancels, and a job that printed and left the queue is completed', async () => {
    const { standIn, poll, source, asJob } = rig({ printers: [printer('Office Laser')], jobs: [job(10), job(11, { StatusMask: 16, PagesPrinted: 3 })] });
    const signal = new AbortController().signal;
    let r = await poll();
    const ten = asJob(r.jobs.find((j) => j.nativeId === '10')!);
    expect(await source.act(ten, { type: 'pause' }, signal)).toMatchObject({ state: 'paused', resume: { allowed: true } });
    r = await poll();
    const paused = asJob(r.jobs.find((j) => j.nativeId === '10')!);
    expect(paused).toMatchObject({ state: 'paused', reason: 'Paused', rawState: '1 Paused', pause: { allowed: false }, resume: { allowed: true } });
    await source.act(paused, { type: 'resume' }, signal);
    r = await poll();
    expect(r.jobs.find((j) => j.nativeId === '10')).toMatchObject({ state: 'queued', pause: { allowed: true } });
    expect(await source.act(asJob(r.jobs.find((j) => j.nativeId === '10')!), { type: 'cancel' }, signal)).toMatchObject({ state: 'canceled' });
    // Job 11 finishes printing: Windows removes it from the queue.
    await standIn.control({ type: 'remove', printer: 'Office Laser', jobId: 11 });
    r = await poll();
    expect(r.jobs).toEqual([expect.objectContaining({ nativeId: '11', state: 'completed', reason: 'Printed', progress: 1, pagesPrinted: 4 })]);
    // Job 10 was canceled: it left the queue and is not reported as printed.
    expect(r.jobs.some((j) => j.nativeId === '10')).toBe(false);
  });

  it('a job that left the queue while blocked is not reported printed; Windows\' own deletion event says how a job ended', async () => {
    // Without change events the poll goes by the job as it last saw it: out of paper is not printed.
    const a = rig({ printers: [printer('Office Laser')], jobs: [job(60, { StatusMask: 16 | 64 }), job(61, { StatusMask: 16, PagesPrinted: 2 })] });
    expect((await a.poll()).jobs.map((j) => [j.nativeId, j.state, j.reason])).toEqual([
      ['60', 'paused', 'Out of paper'],
      ['61', 'printing', null],
    ]);
    await a.standIn.control({ type: 'remove', printer: 'Office Laser', jobId: 60 });
    await a.standIn.control({ type: 'remove', printer: 'Office Laser', jobId: 61 });
    expect((await a.poll()).jobs.map((j) => [j.nativeId, j.state, j.reason])).toEqual([['61', 'completed', 'Printed']]);

    // With change events, the job in the deletion event is the last Windows saw of it.
    const b = rig({ printers: [printer('Office Laser')], jobs: [job(62, { StatusMask: 16 | 64 }), job(63, { StatusMask: 16 | 64 })] });
    let events = 0;
    let fourth: () => void = () => undefined;
    const allFour = new Promise<void>((resolve) => (fourth = resolve));
    b.source.watch?.(() => {
      if (++events === 4) fourth();
    });
    await b.poll();
    // Someone deletes 62 in Windows' queue window; 63 prints once the paper is in.
    await b.standIn.control({ type: 'job', job: job(62, { StatusMask: 16 | 64 | 4 }) });
    await b.standIn.control({ type: 'remove', printer: 'Office Laser', jobId: 62 });
    await b.standIn.control({ type: 'job', job: job(63, { StatusMask: 16 | 128, PagesPrinted: 4 }) });
    await b.standIn.control({ type: 'remove', printer: 'Office Laser', jobId: 63 });
    await allFour;
    const r = await b.poll();
    expect(r.jobs.map((j) => [j.nativeId, j.state, j.reason, j.detail])).toEqual([
      ['62', 'canceled', 'Deleted', 'Deleted in Windows; it left the queue'],
      ['63', 'completed', 'Printed', 'Printed; Windows removed it from the queue'],
    ]);
    expect(r.jobs[0]).toMatchObject({ cancel: { allowed: false }, pause: { allowed: false }, resume: { allowed: false } });
  });

  it('stops a PowerShell that no longer answers, and starts a new one for the next request', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const { standIn, poll } = rig({ printers: [printer('Office Laser')], jobs: [job(50)] });
      expect((await poll()).jobs.map((j) => j.nativeId)).toEqual(['50']);
      await standIn.control({ type: 'hang' });
      const from = standIn.requests.length;
      const hung = poll().then(
        () => null,
        (e: unknown) => e,
      );
      await standIn.nextRequest((q) => q.op === 'printers', from);
      await vi.advanceTimersByTimeAsync(30_000);
      expect(await hung).toMatchObject({ status: 'down', message: 'Could not read the printers: Windows PowerShell did not answer "printers" within 30 s; it was stopped and starts again with the next request.' });
      expect((await poll()).jobs.map((j) => j.nativeId)).toEqual(['50']);
      expect(standIn.spawned).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('says why PowerShell ended in its own words, not in the CLIXML of its error stream', async () => {
    const clixml =
      '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">Cannot set property. Property setting is supported only on core types in this language mode._x000D__x000A_</S><S S="Error">At line:15 char:1_x000D__x000A_</S><S S="Error">+ [Console]::OutputEncoding = $utf8_x000D__x000A_</S><S S="Error">+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~_x000D__x000A_</S><S S="Error">    + CategoryInfo          : InvalidOperation: (:) [], RuntimeException_x000D__x000A_</S><S S="Error">    + FullyQualifiedErrorId : PropertySetterNotSupportedInConstrainedLanguage_x000D__x000A_</S><S S="Error"> _x000D__x000A_</S></Objs>';
    const { poll } = rig({ printers: [printer('Office Laser')], jobs: [], failAtStart: clixml });
    await expect(poll()).rejects.toMatchObject({ status: 'down', message: 'Could not read the printers: Windows PowerShell ended (exit code 1): Cannot set property. Property setting is supported only on core types in this language mode.' });
    // The error view PowerShell writes as text: the message of its last error, with &, < and > as written.
    const view = 'Get-Thing : first failure\r\nAt line:1 char:1\r\n+ Get-Thing\r\n+ ~~~~~~~~~\r\n    + CategoryInfo          : NotSpecified: (:) [], Exception\r\n    + FullyQualifiedErrorId : First\r\n \r\nThe <Spooler> & WMI did not answer.\r\nAt line:9 char:3\r\n    + FullyQualifiedErrorId : Second\r\n';
    expect(powershellErrorMessage(view)).toBe('The <Spooler> & WMI did not answer.');
    expect(powershellErrorMessage('#< CLIXML\r\n<Objs Version="1.1.0.1"><S S="Error">Tom&apos;s &lt;queue&gt; &amp; more_x000D__x000A_</S></Objs>')).toBe("Tom's <queue> & more");
    expect(powershellErrorMessage('')).toBeNull();
  });

  it('reports PowerShell\'s refusal: access denied, printer not found, the spooler stopped', async () => {
    const { standIn, poll, source, asJob } = rig({ printers: [printer('Office Laser')], jobs: [job(20, { denied: true }), job(21)] });
    const signal = new AbortController().signal;
    const r = await poll();
    const denied = asJob(r.jobs.find((j) => j.nativeId === '20')!);
    await expect(source.act(denied, { type: 'cancel' }, signal)).rejects.toMatchObject({ code: 'not-allowed', message: 'Windows does not let you cancel job 20 on Office Laser: Access was denied to the specified resource.' });
    const ghost = { ...asJob(r.jobs.find((j) => j.nativeId === '21')!), key: 'pc:Gone%20printer/21', printer: 'Gone printer' };
    await expect(source.act(ghost, { type: 'pause' }, signal)).rejects.toMatchObject({ code: 'not-found', message: 'Could not pause job 21 on Gone printer: The specified printer was not found.' });
    await expect(source.act(denied, { type: 'abort', reason: 'x' }, signal)).rejects.toBeInstanceOf(AppFailure);
    await standIn.control({ type: 'spooler', running: false });
    const down = await poll().then(
      () => null,
      (e: unknown) => e,
    );
    expect(down).toBeInstanceOf(SourceError);
    expect(down).toMatchObject({ status: 'down', message: 'The Print Spooler service is not running (Stopped). Start the "Print Spooler" service to see this PC\'s print queues.' });
    await expect(source.act(asJob(r.jobs.find((j) => j.nativeId === '21')!), { type: 'resume' }, signal)).rejects.toMatchObject({ code: 'too-late' });
    await expect(source.act(asJob(r.jobs.find((j) => j.nativeId === '21')!), { type: 'cancel' }, signal)).rejects.toMatchObject({ code: 'unreachable', message: expect.stringContaining('spooler service is not running') });
    await standIn.control({ type: 'spooler', running: true });
    expect((await poll()).jobs).toHaveLength(2);
  });

  it('polls without change events when Windows refuses them, and says so', async () => {
    const { poll, source } = rig({ printers: [printer('Office Laser')], jobs: [job(30)], refuseSubscribe: true });
    source.watch?.(() => undefined);
    const refused = await poll();
    expect(refused.health).toMatchObject({ status: 'degraded', message: expect.stringContaining('Windows refused change events: Access denied') });
    expect(refused.jobs.map((j) => j.nativeId)).toEqual(['30']);
  });

  it('starts PowerShell again after it ended, and says what went wrong meanwhile', async () => {
    const { standIn, poll } = rig({ printers: [printer('Office Laser')], jobs: [job(40)] });
    await poll();
    await standIn.control({ type: 'exit', code: 3 });
    expect((await poll()).jobs.map((j) => j.nativeId)).toEqual(['40']);
    expect(standIn.spawned).toBe(2);
    await standIn.control({ type: 'garbage', line: 'WARNING: something PowerShell printed' });
    await expect(poll()).rejects.toMatchObject({ status: 'down', message: expect.stringContaining('not the monitor\'s protocol') });
    expect((await poll()).jobs).toHaveLength(1);
    expect(standIn.spawned).toBe(3);
  });

  it('says plainly that it needs Windows elsewhere', async () => {
    const { deps } = makeDeps();
    const source = createWindowsSpoolerSource({ id: 'pc', kind: 'windows-spooler' }, deps, { platform: 'linux' });
    await expect(source.poll({ mode: 'full', signal: new AbortController().signal, activeJobs: new Map() })).rejects.toMatchObject({ status: 'down', message: 'The Windows print spooler source needs Windows; this computer runs Linux.' });
    expect(spoolerUnavailableReason('win32')).toBeNull();
    expect(spoolerUnavailableReason('darwin')).toMatch(/needs Windows; this computer runs macOS/);
    source.dispose?.();
  });
});
