import { afterEach, describe, expect, it } from 'vitest';
import type { PrintRequest } from '../../../preload/contract/contract';
import type { Job } from '../../../preload/contract/model';
import type { SourceJob } from '../../../main/queue/source';
import type { CommandResult, CommandRunner } from '../../../main/sources/scriptx/service-control';
import { HttpClient } from '../../../main/http/client';
import { until } from '../../cli/helpers';
import { harness, signal, LICENSE, type Harness } from './helpers';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

const asJob = (j: SourceJob): Job => ({ ...j, stale: false, stuck: false, gone: false, lastSeenAt: j.updatedAt });
const pdfBytes = new TextEncoder().encode('%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n');
const req = (r: Partial<PrintRequest> & Pick<PrintRequest, 'document'>): PrintRequest => ({ sourceId: 'local', ...r });

/** Runs an action that waits on the fake clock, moving time while real I/O completes. */
async function drive<T>(h: Harness, p: Promise<T>): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
  void p.then(
    (value) => (outcome = { ok: true, value }),
    (error) => (outcome = { ok: false, error }),
  );
  for (let i = 0; i < 400 && !outcome; i++) {
    await h.clock.advance(50);
    await new Promise((r) => setTimeout(r, 2));
  }
  const o = outcome as { ok: true; value: T } | { ok: false; error: unknown } | null;
  if (!o) throw new Error('the action did not finish');
  if (!o.ok) throw o.error;
  return o.value;
}

describe('cancel', () => {
  it('cancels a queued job: the service answers -2 Abandoned', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const token = h.sim.addJob();
    const job = await h.source.track!(token, {}, signal());
    expect(job.cancel).toEqual({ allowed: true });
    const after = await h.source.act(asJob(job), { type: 'cancel' }, signal());
    expect(after).toMatchObject({ state: 'canceled', rawState: '-2 Abandoned', detail: 'The job was cancelled' });
    expect(h.sim.requests.some((r) => r.method === 'PUT' && r.path === `/api/v1/printHtml/canceljob/${token}` && r.auth === 'valid')).toBe(true);
    await h.clock.advance(1000);
    const n = h.statusRequests(token);
    await h.poll('full');
    expect(h.statusRequests(token)).toBe(n);
  });

  it('refuses while pages print, without asking, and when the service says it is printing', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const printing = h.sim.addJob({ steps: [{ status: 5, afterMs: 0 }] });
    const job = await h.source.track!(printing, {}, signal());
    const before = h.sim.requests.length;
    await expect(h.source.act(asJob(job), { type: 'cancel' }, signal())).rejects.toMatchObject({
      code: 'too-late',
      message: 'The job cannot be canceled: pages are already printing; ScriptX cannot stop this job.',
    });
    expect(h.sim.requests.length).toBe(before);

    const racing = h.sim.addJob({ steps: [{ status: 4, afterMs: 0 }, { status: 5, afterMs: 100 }] });
    const seen = await h.source.track!(racing, { kind: 'html' }, signal());
    expect(seen.cancel.allowed).toBe(true);
    await h.clock.advance(200);
    await expect(h.source.act(asJob(seen), { type: 'cancel' }, signal())).rejects.toMatchObject({ code: 'too-late' });
    const r = await h.poll();
    expect(r.jobs.find((j) => j.nativeId === racing)?.rawState).toBe('5 Printing');
  });

  it('says cancel needs 2.10 on an older service', async () => {
    h = await harness({ sim: { version: '2.9.4.0', stepMs: 100_000 } });
    const token = h.sim.addJob();
    const job = await h.source.track!(token, {}, signal());
    await expect(h.source.act(asJob(job), { type: 'cancel' }, signal())).rejects.toMatchObject({
      code: 'unsupported',
      message: 'The job cannot be canceled: cancel needs ScriptX.Services 2.10 or later (this is 2.9.4.0).',
    });
    expect(h.sim.requests.some((r) => r.path.includes('canceljob'))).toBe(false);
  });

  it('refuses a job that has already finished', async () => {
    h = await harness();
    const token = h.sim.addJob({ steps: [{ status: 6, afterMs: 0 }] });
    const job = await h.source.track!(token, {}, signal());
    await expect(h.source.act(asJob(job), { type: 'cancel' }, signal())).rejects.toMatchObject({ code: 'conflict', message: 'This job has already finished (6 Completed); there is nothing to cancel.' });
  });
});

describe('printing', () => {
  it('prints a URL with printer, copies, paper and orientation in MeadCo\'s body names', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const job = await h.source.print!(req({ document: { type: 'url', url: 'https://intranet.example/report' }, title: 'Report', printer: 'HP LaserJet 400 (Office)', copies: 2, paperSize: 'A4', orientation: 'landscape' }), null, { signal: signal() });
    expect(h.sim.prints[0]).toEqual({
      path: '/api/v1/printHtml/print',
      body: { ContentType: 1, Content: 'https://intranet.example/report', Settings: { jobTitle: 'Report', page: { orientation: 1 } }, Device: { printerName: 'HP LaserJet 400 (Office)', copies: 2, paperSizeName: 'A4' } },
    });
    expect(job).toMatchObject({ state: 'queued', rawState: '1 Queued', document: 'Report', printer: 'HP LaserJet 400 (Office)', mine: true, extra: { printAnswer: 'QueuedToDevice', submittedByApp: true } });
    expect(h.tracked.jobs[0]).toMatchObject({ id: job.nativeId, kind: 'html', submission: { toFile: false, printAnswer: 'QueuedToDevice' } });
  });

  it('prints HTML, an HTML file and a PDF file (as a data URL)', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    await h.source.print!(req({ document: { type: 'html', html: '<p>Hi</p>' } }), null, { signal: signal() });
    await h.source.print!(req({ document: { type: 'file' }, orientation: 'portrait' }), { name: 'page.htm', contentType: 'text/html', bytes: new TextEncoder().encode('<h1>Ü</h1>') }, { signal: signal() });
    const pdf = await h.source.print!(req({ document: { type: 'file' }, title: 'Invoice', orientation: 'portrait', printer: 'Microsoft Print to PDF' }), { name: 'inv.pdf', contentType: 'application/pdf', bytes: pdfBytes }, { signal: signal() });
    expect(h.sim.prints.map((p) => p.body)).toEqual([
      { ContentType: 2, Content: '<p>Hi</p>' },
      { ContentType: 2, Content: '<h1>Ü</h1>', Settings: { page: { orientation: 2 } } },
      { Document: `data:application/pdf;base64,${Buffer.from(pdfBytes).toString('base64')}`, Settings: { jobDescription: 'Invoice', orientation: 2 }, Device: { printerName: 'Microsoft Print to PDF' } },
    ]);
    expect(h.sim.prints[2].path).toBe('/api/v1/printPdf/print');
    expect(pdf).toMatchObject({ document: 'Invoice', extra: { kind: 'pdf' } });
    await h.clock.advance(1000);
    await h.poll();
    expect(h.sim.requests.at(-1)?.path).toMatch(/^\/api\/v1\/print(Html|Pdf)\/status\//);
    expect(h.sim.requests.some((r) => r.path === `/api/v1/printPdf/status/${pdf.nativeId}`)).toBe(true);
  });

  it('a print sent and not answered in time may still print: it says so, not that the service could not be reached', async () => {
    h = await harness();
    // The HTTP deadlines on the test's clock: the answer never comes, the deadline passes when the test says.
    h.deps.http = new HttpClient({ timeoutMs: 60_000, timers: h.clock });
    h.restart();
    await h.sim.setFault({ type: 'slow', ms: 600_000, path: '/api/v1/printHtml/print' });
    const printing = h.source.print!(req({ document: { type: 'html', html: '<p>x</p>' } }), null, { signal: signal() }).then(
      () => null,
      (e: unknown) => e,
    );
    const sim = h.sim;
    await until(() => sim.heldAnswers === 1);
    await h.clock.advance(60_000);
    expect(await printing).toMatchObject({
      code: 'unreachable',
      message: `Printing: ScriptX.Services at ${h.sim.url} did not answer in time after the document was sent; it may still print. Look at the printer's queue before printing it again.`,
    });
    // Not sent at all: the service could not be reached, and printing again is safe.
    await h.sim.setFault({ type: 'refuse' });
    await expect(h.source.print!(req({ document: { type: 'html', html: '<p>x</p>' } }), null, { signal: signal() })).rejects.toMatchObject({ code: 'unreachable', message: expect.stringMatching(/^Printing failed: ScriptX\.Services at .* could not be reached\.$/) });
  });

  it('a printed job that cannot be saved for tracking is still the printed job, saying why it is not tracked', async () => {
    h = await harness();
    h.tracked.add = async () => {
      throw Object.assign(new Error("EROFS: read-only file system, open 'tracked.json'"), { code: 'EROFS' });
    };
    const job = await h.source.print!(req({ document: { type: 'html', html: '<p>x</p>' } }), null, { signal: signal() });
    expect(job.state).toBe('queued');
    expect(job.extra.notTracked).toMatch(/^it could not be saved for tracking \(.*read-only file system.*\), so it is followed only while this program runs$/);
    expect(h.sim.prints).toHaveLength(1);
  });

  it('shows SoftError, Ok and a 400 refusal as the service said them', async () => {
    h = await harness();
    await expect(h.source.print!(req({ document: { type: 'html', html: '<p>x</p>' }, printer: 'Nope' }), null, { signal: signal() })).rejects.toMatchObject({
      code: 'invalid-input',
      message: 'ScriptX.Services did not print it (SoftError): The printer "Nope" is not available',
    });
    h.sim.setNextPrint({ status: 4, message: 'Printed' });
    const ok = await h.source.print!(req({ document: { type: 'html', html: '<p>x</p>' } }), null, { signal: signal() });
    expect(ok).toMatchObject({ state: 'completed', rawState: '4 Ok', detail: 'Printed' });
    expect(h.tracked.jobs).toEqual([]);
    h.sim.setNextPrint({ status: 3, httpStatus: 400, message: 'print failed: the content could not be loaded' });
    await expect(h.source.print!(req({ document: { type: 'url', url: 'https://x.example/' } }), null, { signal: signal() })).rejects.toMatchObject({
      code: 'invalid-input',
      message: 'Printing failed: ScriptX.Services answered 400: "print failed: the content could not be loaded".',
    });
  });

  it('refuses files over the limit, empty files, and files that are neither HTML nor PDF', async () => {
    h = await harness({ source: { maxFileBytes: 1024 } });
    const big = { name: 'big.pdf', contentType: 'application/pdf', bytes: new Uint8Array(4096) };
    await expect(h.source.print!(req({ document: { type: 'file' } }), big, { signal: signal() })).rejects.toMatchObject({ code: 'invalid-input', message: 'The file "big.pdf" is 4 KB; ScriptX.Services can be sent files up to 1 KB.' });
    // Just over: two sizes that would read alike ("1.0 MB ... up to 1.0 MB") are said in bytes.
    const mb = await harness({ source: { maxFileBytes: 1024 * 1024 } });
    try {
      const over = { name: 'over.pdf', contentType: 'application/pdf', bytes: new Uint8Array(1024 * 1024 + 10) };
      await expect(mb.source.print!(req({ document: { type: 'file' } }), over, { signal: signal() })).rejects.toMatchObject({ message: 'The file "over.pdf" is 1,048,586 bytes; ScriptX.Services can be sent files up to 1,048,576 bytes.' });
    } finally {
      await mb.close();
    }
    await expect(h.source.print!(req({ document: { type: 'file' } }), { name: 'a.docx', contentType: 'application/msword', bytes: new Uint8Array(10) }, { signal: signal() })).rejects.toMatchObject({ code: 'unsupported' });
    await expect(h.source.print!(req({ document: { type: 'file' } }), { name: 'e.pdf', contentType: 'application/pdf', bytes: new Uint8Array(0) }, { signal: signal() })).rejects.toMatchObject({ code: 'invalid-input', message: 'The file "e.pdf" is empty; there is nothing to print.' });
    await expect(h.source.print!(req({ document: { type: 'file' } }), { name: 'fake.pdf', contentType: 'application/pdf', bytes: new TextEncoder().encode('hello') }, { signal: signal() })).rejects.toMatchObject({ message: 'The file "fake.pdf" is not a PDF (it does not start with %PDF).' });
    expect(h.sim.prints).toEqual([]);
  });

  it('prints to a file, offers the output when it is ready, saves it, and the job is Collected', async () => {
    h = await harness({ sim: { stepMs: 1000 } });
    const job = await h.source.print!(req({ document: { type: 'html', html: '<p>file</p>' }, printToFileName: 'C:\\out\\report.pdf' }), null, { signal: signal() });
    expect(job.extra).toMatchObject({ toFile: true, printAnswer: 'QueuedToFile' });
    await expect(h.source.downloadOutput!(asJob(job), signal())).rejects.toMatchObject({ code: 'conflict' });
    await h.clock.advance(5000);
    const r = await h.poll();
    const ready = r.jobs.find((j) => j.nativeId === job.nativeId)!;
    expect(ready).toMatchObject({ state: 'paused', rawState: '6 Completed', extra: { outputReady: true } });
    const out = await h.source.downloadOutput!(asJob(ready), signal());
    expect(Buffer.from(out.bytes).toString('latin1')).toMatch(/^%PDF-1\.7/);
    expect(out).toMatchObject({ suggestedName: 'report.pdf', contentType: 'application/pdf' });
    await h.clock.advance(1000);
    const r2 = await h.poll();
    expect(r2.jobs.find((j) => j.nativeId === job.nativeId)).toMatchObject({ state: 'completed', rawState: '100 Collected' });
    const n = h.statusRequests(job.nativeId);
    await h.clock.advance(5000);
    await h.poll('full');
    expect(h.statusRequests(job.nativeId)).toBe(n);
  });

  it('an uncollected output is abandoned (-2) and seen at the idle rate', async () => {
    h = await harness({ sim: { stepMs: 1000 } });
    const job = await h.source.print!(req({ document: { type: 'html', html: '<p>f</p>' }, printToFileName: 'x.pdf' }), null, { signal: signal() });
    await h.clock.advance(5000);
    await h.poll();
    await h.clock.advance(20_000);
    const n = h.statusRequests(job.nativeId);
    await h.poll('active');
    expect(h.statusRequests(job.nativeId)).toBe(n);
    const r = await h.poll('full');
    expect(r.jobs.find((j) => j.nativeId === job.nativeId)).toMatchObject({ state: 'canceled', rawState: '-2 Abandoned', extra: { retryable: true } });
  });
});

describe('retry', () => {
  it('submits a failed job the app printed again, with the same body', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    h.sim.setNextPrint({ status: 1, steps: [{ status: -1, afterMs: 0, message: 'The content could not be printed' }] });
    const file = { name: 'inv.pdf', contentType: 'application/pdf', bytes: pdfBytes };
    const failed = await h.source.print!(req({ document: { type: 'file' }, copies: 3 }), file, { signal: signal() });
    expect(failed).toMatchObject({ state: 'failed', rawState: '-1 ItemError', detail: 'The content could not be printed' });
    const again = await h.source.retry!(asJob(failed), signal());
    expect(again.nativeId).not.toBe(failed.nativeId);
    expect(again.state).toBe('queued');
    expect(h.sim.prints[1].body).toEqual(h.sim.prints[0].body);
  });

  it('refuses jobs handed in from elsewhere, active jobs, and a file job after a restart', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const foreign = h.sim.addJob({ steps: [{ status: -1, afterMs: 0 }] });
    const fj = await h.source.track!(foreign, {}, signal());
    await expect(h.source.retry!(asJob(fj), signal())).rejects.toMatchObject({ code: 'not-allowed' });
    const active = await h.source.print!(req({ document: { type: 'html', html: '<p>a</p>' } }), null, { signal: signal() });
    await expect(h.source.retry!(asJob(active), signal())).rejects.toMatchObject({ code: 'conflict' });
    h.sim.setNextPrint({ status: 1, steps: [{ status: -1, afterMs: 0 }] });
    const failed = await h.source.print!(req({ document: { type: 'file' } }), { name: 'inv.pdf', contentType: 'application/pdf', bytes: pdfBytes }, { signal: signal() });
    const restarted = h.restart();
    await expect(restarted.retry!(asJob(failed), signal())).rejects.toMatchObject({ code: 'not-found', message: expect.stringContaining('"inv.pdf" is no longer held by the app') });
  });
});

describe('service panel actions', () => {
  const NEW = '11111111-2222-4333-8444-555555555555';

  it('applies a license, stores the GUID, and passes on a refusal without the GUID in it', async () => {
    h = await harness({ sim: { warehouseLicenses: [LICENSE, NEW] } });
    const info = await h.source.serviceAction!({ sourceId: 'local', action: 'applyLicense', url: 'warehouse', revision: 3, guid: NEW }, signal());
    // Sent as MeadCo's client sends it ({ Guid, Url, Revision }, without Authorization: the license
    // stored may be the one being replaced), and kept in MeadCo's written form.
    const post = h.sim.requests.find((r) => r.method === 'POST');
    expect(post?.body).toEqual({ Guid: `{${NEW}}`, Url: 'warehouse', Revision: 3 });
    expect(post?.auth).toBe('none');
    expect(h.sim.license).toBe(`{${NEW}}`);
    expect(h.secrets.values.get('local.LICENSE')).toBe(`{${NEW}}`);
    expect(info.message).toContain('The license of Acme Ltd was applied; it is valid until 2027-01-01.');
    const BAD = '99999999-2222-4333-8444-555555555555';
    const err = await h.source.serviceAction!({ sourceId: 'local', action: 'applyLicense', url: 'warehouse', revision: 1, guid: BAD }, signal()).catch((e) => e);
    expect(err).toMatchObject({ code: 'invalid-input', message: 'ScriptX.Services refused the license: "The license (license GUID) could not be found at warehouse".' });
    expect(JSON.stringify(err.toJSON())).not.toContain('99999999');
    expect(h.secrets.values.get('local.LICENSE')).toBe(`{${NEW}}`);
  });

  it('adds and removes a printer connection, and sets the default printer', async () => {
    h = await harness();
    const added = await h.source.serviceAction!({ sourceId: 'local', action: 'addPrinter', printer: '\\\\PRINTSRV\\Marketing' }, signal());
    expect(added.printers.map((p) => p.name)).toContain('\\\\PRINTSRV\\Marketing');
    expect(h.sim.requests.some((r) => r.method === 'PUT' && r.rawPath === '/api/v1/printer/connection/%7C%7C%7C%7CPRINTSRV%7C%7CMarketing')).toBe(true);
    const removed = await h.source.serviceAction!({ sourceId: 'local', action: 'removePrinter', printer: '\\\\PRINTSRV\\Marketing' }, signal());
    expect(removed.printers.map((p) => p.name)).not.toContain('\\\\PRINTSRV\\Marketing');
    await expect(h.source.serviceAction!({ sourceId: 'local', action: 'addPrinter', printer: '\\\\NOWHERE\\X' }, signal())).rejects.toMatchObject({ code: 'not-found', message: 'Adding the printer connection "\\\\NOWHERE\\X" failed: Printer not found: \\\\NOWHERE\\X.' });
    await expect(h.source.serviceAction!({ sourceId: 'local', action: 'removePrinter', printer: 'Microsoft Print to PDF' }, signal())).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('is not a printer connection and cannot be removed') });
    const def = await h.source.serviceAction!({ sourceId: 'local', action: 'setDefaultPrinter', printer: 'HP LaserJet 400 (Office)' }, signal());
    expect(def.defaultPrinter).toBe('HP LaserJet 400 (Office)');
    expect(def.message).toContain('"HP LaserJet 400 (Office)" is now the default printer.');
  });

  it('says printer connections need 2.19', async () => {
    h = await harness({ sim: { version: '2.18.0.0' } });
    await expect(h.source.serviceAction!({ sourceId: 'local', action: 'addPrinter', printer: 'X' }, signal())).rejects.toMatchObject({ code: 'unsupported', message: 'Adding a printer connection needs ScriptX.Services 2.19 or later (this is 2.18.0.0).' });
  });

  function recorder(effect: (file: string, args: string[]) => Promise<CommandResult> | CommandResult): CommandRunner & { calls: { file: string; args: string[]; timeoutMs: number }[] } {
    const calls: { file: string; args: string[]; timeoutMs: number }[] = [];
    const run: CommandRunner = async (file, args, o) => {
      calls.push({ file, args, timeoutMs: o.timeoutMs });
      return effect(file, args);
    };
    return Object.assign(run, { calls });
  }
  const ok: CommandResult = { exitCode: 0, stdout: '', stderr: '', timedOut: false };

  it('starts and stops with the configured commands, then checks licensing/ping', async () => {
    let sim: Harness['sim'] | null = null;
    const runner = recorder(async (_f, args) => {
      await sim!.setFault(args[0] === 'stop' ? { type: 'refuse' } : null);
      return ok;
    });
    h = await harness({ source: { runner, platform: 'win32' } });
    sim = h.sim;
    h.config.service = { start: { file: 'C:\\Program Files\\ScriptX\\svc.exe', args: ['start', '--quiet'], timeoutMs: 5000 }, stop: { file: 'C:\\Program Files\\ScriptX\\svc.exe', args: ['stop'] } };
    h.restart();
    const stopped = await drive(h, h.source.serviceAction!({ sourceId: 'local', action: 'stop' }, signal()));
    expect(stopped.message).toContain(`ScriptX.Services has stopped (nothing answers at ${h.sim.url}).`);
    expect(stopped.reachable).toBe(false);
    const started = await drive(h, h.source.serviceAction!({ sourceId: 'local', action: 'start' }, signal()));
    expect(started.message).toContain(`ScriptX.Services is running (it answers at ${h.sim.url}).`);
    expect(started.canControl).toEqual({ start: true, stop: true, restart: true });
    expect(runner.calls).toEqual([
      { file: 'C:\\Program Files\\ScriptX\\svc.exe', args: ['stop'], timeoutMs: 30_000 },
      { file: 'C:\\Program Files\\ScriptX\\svc.exe', args: ['start', '--quiet'], timeoutMs: 5000 },
    ]);
    // restart without its own command: stop then start
    runner.calls.length = 0;
    await drive(h, h.source.serviceAction!({ sourceId: 'local', action: 'restart' }, signal()));
    expect(runner.calls.map((c) => c.args[0])).toEqual(['stop', 'start']);
  });

  it('controls an On-Premise Windows service with sc.exe, elevated (the panel says so first)', async () => {
    const runner = recorder(() => ok);
    h = await harness({ source: { runner, platform: 'win32', env: { SystemRoot: 'C:\\Windows' } }, config: { service: { windowsServiceName: 'ScriptX Services' } } });
    await drive(h, h.source.serviceAction!({ sourceId: 'local', action: 'restart' }, signal()));
    const script = (args: string[]) => Buffer.from(args[args.length - 1], 'base64').toString('utf16le');
    expect(runner.calls.map((c) => [c.file, c.timeoutMs])).toEqual([
      ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 120_000],
      ['C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe', 120_000],
    ]);
    expect(script(runner.calls[0].args)).toContain(`$psi.Arguments = 'stop "ScriptX Services"'`);
    expect(script(runner.calls[1].args)).toContain(`$psi.Arguments = 'start "ScriptX Services"'`);
    const info = await h.source.serviceInfo!(signal());
    expect(info.needsAdmin).toEqual({ start: true, stop: true, restart: true });
  });

  it('reports a failing, hanging or missing command, a service that never comes up, and other platforms', async () => {
    const results: CommandResult[] = [
      { exitCode: 5, stdout: '', stderr: 'Access is denied.\r\n', timedOut: false },
      { exitCode: null, stdout: '', stderr: '', timedOut: true },
      { exitCode: null, stdout: '', stderr: '', timedOut: false, spawnError: 'ENOENT' },
    ];
    const runner = recorder(() => results.shift() ?? ok);
    h = await harness({ source: { runner, platform: 'win32' }, config: { service: { start: { file: 'C:\\svc.exe', args: [], timeoutMs: 2000 } } } });
    const act = () => drive(h!, h!.source.serviceAction!({ sourceId: 'local', action: 'start' }, signal()));
    await expect(act()).rejects.toMatchObject({ code: 'internal', message: 'C:\\svc.exe failed (exit code 5): Access is denied.' });
    await expect(act()).rejects.toMatchObject({ message: 'C:\\svc.exe did not finish within 2 s and was stopped.' });
    await expect(act()).rejects.toMatchObject({ message: 'Could not run C:\\svc.exe (the program was not found).' });
    await h.sim.setFault({ type: 'refuse' });
    await expect(act()).rejects.toMatchObject({ code: 'unreachable', message: expect.stringContaining('The start command finished, but ScriptX.Services did not answer at') });
    await expect(h.source.serviceAction!({ sourceId: 'local', action: 'stop' }, signal())).rejects.toMatchObject({ code: 'unsupported', message: expect.stringContaining('No stop command is configured') });
    const other = await harness({ source: { runner, platform: 'linux' }, config: { service: { start: { file: '/x', args: [] } } } });
    try {
      await expect(other.source.serviceAction!({ sourceId: 'local', action: 'start' }, signal())).rejects.toMatchObject({ code: 'unsupported', message: 'Starting and stopping ScriptX.Services is available on Windows only (this is linux).' });
    } finally {
      await other.close();
    }
  });
});
