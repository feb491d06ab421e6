/**
 * The app core with a Windows spooler source: pause and resume through the contract's dispatch
 * (the stand-in for the PowerShell host plays Windows), and on any other system the source says
 * it needs Windows and Settings does not offer it.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { platform as osPlatform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppCore } from '../../../main/core/app-core';
import type { AppCore, PlatformPorts } from '../../../main/core/app-core-types';
import { createEnvSecretStore } from '../../../main/state/secrets-env';
import { createRedactor } from '../../../main/state/redact';
import { dispatch, type SettingsView } from '../../../preload/contract/contract';
import type { RequestName } from '../../../preload/contract/channels';
import type { Job, Result, SourceHealth } from '../../../preload/contract/model';
import { createStandIn, type StandIn } from '../../simulators/windows-spooler/stand-in';

let dir: string;
const cores: AppCore[] = [];
const standIns: StandIn[] = [];
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pqm-spooler-core-'));
});
afterEach(async () => {
  for (const c of cores.splice(0)) await c.stop();
  for (const s of standIns.splice(0)) s.stop();
  await rm(dir, { recursive: true, force: true });
});

async function core(spoolerHost?: PlatformPorts['spoolerHost']) {
  const config = join(dir, 'settings.json');
  await writeFile(config, JSON.stringify({ version: 1, sources: [{ id: 'pc', kind: 'windows-spooler', scope: 'all' }] }));
  const redactor = createRedactor();
  const quiet = () => undefined;
  const platform: PlatformPorts = { pickFileToPrint: async () => null, pickSavePath: async () => null, openExternal: async () => undefined, versions: () => ({ app: 'test' }), ...(spoolerHost ? { spoolerHost } : {}) };
  const c = await createAppCore({ configPath: config, secrets: createEnvSecretStore({}, redactor), platform, logger: { debug: quiet, info: quiet, warn: quiet, error: quiet } });
  cores.push(c);
  const call = <T,>(name: RequestName, input: unknown) => dispatch(c.handlers, name, input, (e) => c.redactor.redactError(e)) as Promise<Result<T>>;
  return { core: c, call };
}

describe('the app core with the Windows spooler', () => {
  it('pauses and resumes a job through pauseJob / resumeJob, and refuses what the job does not allow', async () => {
    const standIn = createStandIn({
      printers: [{ Name: 'Office Laser', PrinterStatus: 3, DetectedErrorState: 2, WorkOffline: false, ExtendedPrinterStatus: 2 }],
      jobs: [{ printer: 'Office Laser', JobId: 3, Document: 'Report.docx', Owner: 'sam', StatusMask: 8, TotalPages: 2, PagesPrinted: 0, Size: 9000 }],
    });
    standIns.push(standIn);
    const { core: c, call } = await core(standIn.spawn);
    await c.pollOnce();
    const key = 'pc:Office%20Laser/3';
    const resumedEarly = await call<Job>('resumeJob', { key });
    expect(resumedEarly).toMatchObject({ ok: false, error: { code: 'not-allowed', message: 'The job is not paused.' } });
    const paused = await call<Job>('pauseJob', { key });
    expect(paused).toMatchObject({ ok: true, value: { key, state: 'paused', resume: { allowed: true } } });
    // The stand-in reports each request over its control channel, which may trail its answer.
    expect(await standIn.nextRequest((r) => r.op === 'pause')).toMatchObject({ printer: 'Office Laser', jobId: 3 });
    await c.pollOnce();
    expect(c.snapshot().jobs.find((j) => j.key === key)).toMatchObject({ state: 'paused', reason: 'Paused' });
    expect(await call<Job>('resumeJob', { key })).toMatchObject({ ok: true, value: { state: 'queued' } });
    expect(await call<Job>('pauseJob', { key: 'pc:Office%20Laser/99' })).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  it.skipIf(osPlatform() === 'win32')('says it needs Windows elsewhere, and Settings does not offer it', async () => {
    const { core: c, call } = await core();
    await c.pollOnce();
    const health = c.snapshot().sources.find((s: SourceHealth) => s.id === 'pc');
    expect(health).toMatchObject({ status: 'down', message: expect.stringMatching(/^The Windows print spooler source needs Windows; this computer runs /) });
    const view = await call<SettingsView>('getSettings', {});
    expect(view.ok && view.value.unavailableKinds).toEqual([{ kind: 'windows-spooler', reason: expect.stringContaining('needs Windows') }]);
  });
});
