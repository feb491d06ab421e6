/**
 * What a hostile window would try first, through the real app core over the same dispatch as IPC
 * and over the browser preview's WebSocket: choosing a program to run, choosing the update feed,
 * sending a stored secret to another host, walking out of a job endpoint with "." or "..". Each is
 * refused with a clear error, and nothing is lost: the settings file keeps what it had.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import type { RequestName } from '../../preload/contract/channels';
import { dispatch } from '../../preload/contract/contract';
import type { Result } from '../../preload/contract/model';
import { createAppCore } from '../../main/core/app-core';
import type { AppCore, PlatformPorts } from '../../main/core/app-core-types';
import { silentLogger } from '../../main/ports/ports';
import { startWebTransport, type WebTransport } from '../../main/web/server';
import { createMemorySecretStore, type MemorySecretStore } from '../helpers/memory-stores';
import { connectWebSocket } from '../helpers/web-socket-client';
import { startAodocsSimulator, type AodocsSimulator } from '../simulators/aodocs/server';

const CODE = 'sec-code-BridgeAttack-7c1e';
const LICENSE = '5091E665-8916-4D21-996E-00A2DE5DE416';
const RESTART = { file: 'C:\\Program Files\\MeadCo\\ScriptX.Services\\restart.cmd', args: ['--quiet', 'now please'] };
const FEED = 'https://updates.example.com/pqm/';

/** A server that records what it is sent: where a stolen secret would land. */
interface Catcher {
  url: string;
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}

async function startCatcher(): Promise<Catcher> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"message":"who are you"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, seen, close: () => new Promise((r) => server.close(() => r())) };
}

type Call = (name: RequestName, input: unknown) => Promise<Result<unknown>>;

interface Rig {
  dir: string;
  config: string;
  core: AppCore;
  secrets: MemorySecretStore;
  confirmations: { title: string; message: string; detail: string }[];
  answer: { confirm: boolean };
  transport: WebTransport;
  ipc: Call;
  web: Call;
  ws: WebSocket;
}

let sim: AodocsSimulator;
let catcher: Catcher;
let rig: Rig;

function fileSettings(): Record<string, unknown> {
  return {
    version: 1,
    sources: [
      { id: 'local', kind: 'scriptx', baseUrl: 'http://127.0.0.1:9', service: { restart: RESTART } },
      { id: 'ao', kind: 'aodocs', baseUrl: sim.baseUrl, libraryIds: ['lib-a'], user: 'ann@example.com' },
    ],
    updates: { feedUrl: FEED },
  };
}

async function webCall(transport: WebTransport): Promise<{ ws: WebSocket; call: Call }> {
  const client = await connectWebSocket(transport);
  return { ws: client.ws, call: (name, input) => client.send({ type: 'request', name, input }) as Promise<Result<unknown>> };
}

beforeAll(async () => {
  sim = await startAodocsSimulator({ credentials: [{ scheme: 'securityCode', value: CODE, user: 'ann@example.com' }], libraries: [{ id: 'lib-a', admins: ['ann@example.com'] }] });
  catcher = await startCatcher();
  const dir = await mkdtemp(join(tmpdir(), 'pqm-bridge-'));
  const config = join(dir, 'settings.json');
  await writeFile(config, JSON.stringify(fileSettings(), null, 2));
  // Stored as the app stored them before secrets were bound: they belong to the file's sources.
  const secrets = createMemorySecretStore({ 'ao.SECURITY_CODE': CODE, 'local.LICENSE': LICENSE });
  const confirmations: Rig['confirmations'] = [];
  const answer = { confirm: false };
  const platform: PlatformPorts = {
    pickFileToPrint: async () => null,
    pickSavePath: async () => null,
    openExternal: async () => undefined,
    confirmCommand: async (request) => {
      confirmations.push(request);
      return answer.confirm;
    },
    versions: () => ({}),
  };
  const core = await createAppCore({ configPath: config, secrets, platform, logger: silentLogger });
  await mkdir(join(dir, 'renderer'));
  await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
  const transport = await startWebTransport({ core, rendererDir: join(dir, 'renderer'), port: 0 });
  const { ws, call } = await webCall(transport);
  rig = {
    dir,
    config,
    core,
    secrets,
    confirmations,
    answer,
    transport,
    ipc: (name, input) => dispatch(core.handlers, name, input),
    web: call,
    ws,
  };
});

afterAll(async () => {
  rig?.ws.terminate();
  await rig?.transport.close();
  await rig?.core.stop();
  await catcher?.close();
  await sim?.close();
  if (rig) await rm(rig.dir, { recursive: true, force: true });
});

function errorOf(r: Result<unknown>): { code: string; message: string; field?: string } {
  expect(r.ok).toBe(false);
  return (r as { ok: false; error: { code: string; message: string; field?: string } }).error;
}

const onDisk = async () => JSON.parse(await readFile(rig.config, 'utf8')) as { sources: Record<string, unknown>[]; updates?: { feedUrl?: string } };

describe.each(['ipc', 'web'] as const)('over %s', (via) => {
  const call: Call = (name, input) => rig[via](name, input);

  it('cannot choose a program to run: a changed service command is refused, and the file keeps its own', async () => {
    const before = await readFile(rig.config, 'utf8');
    const evil = fileSettings();
    (evil.sources as Record<string, unknown>[])[0]!.service = { restart: { file: '/bin/sh', args: ['-c', 'touch /tmp/pwned'] } };
    const e = errorOf(await call('saveSettings', { settings: evil }));
    expect(e.code).toBe('invalid-input');
    expect(e.field).toBe('settings.sources.0.service');
    expect(e.message).toContain(rig.config);
    expect(await readFile(rig.config, 'utf8')).toBe(before);

    // A new source cannot bring its own commands either.
    const added = fileSettings();
    (added.sources as Record<string, unknown>[]).push({ id: 'extra', kind: 'scriptx', service: { start: { file: 'calc.exe' } } });
    expect(errorOf(await call('saveSettings', { settings: added })).field).toBe('settings.sources.2.service');

    // A save that leaves them out keeps the file's commands and feed: nothing is lost.
    const plain = fileSettings();
    delete (plain.sources as Record<string, unknown>[])[0]!.service;
    delete plain.updates;
    const saved = await call('saveSettings', { settings: { ...plain, history: { retentionDays: 12, maxJobs: 5000 } } });
    expect(saved.ok).toBe(true);
    const disk = await onDisk();
    expect(disk.sources[0]!.service).toEqual({ restart: RESTART });
    expect(disk.updates?.feedUrl).toBe(FEED);
  });

  it('cannot choose the update feed', async () => {
    const before = await readFile(rig.config, 'utf8');
    const e = errorOf(await call('saveSettings', { settings: { ...fileSettings(), updates: { feedUrl: 'https://evil.example/feed/' } } }));
    expect(e).toMatchObject({ code: 'invalid-input', field: 'settings.updates.feedUrl' });
    expect(await readFile(rig.config, 'utf8')).toBe(before);
  });

  it('a configured command runs only after a native confirmation that shows it exactly', async () => {
    rig.confirmations.length = 0;
    rig.answer.confirm = false;
    const e = errorOf(await call('serviceAction', { sourceId: 'local', action: 'restart' }));
    expect(e.code).toBe('conflict');
    expect(e.message).toMatch(/Nothing was run/);
    expect(rig.confirmations).toHaveLength(1);
    expect(rig.confirmations[0]!.detail).toContain('"C:\\Program Files\\MeadCo\\ScriptX.Services\\restart.cmd" --quiet "now please"');
    expect(rig.confirmations[0]!.detail).toContain(rig.config);
  });

  it('cannot send a stored secret to another host: a test with a new URL gets no stored credential', async () => {
    catcher.seen.length = 0;
    const r = await call('testSource', { source: { id: 'ao', kind: 'aodocs', baseUrl: `${catcher.url}/api`, libraryIds: ['lib-a'] } });
    expect(r.ok).toBe(true);
    const r2 = await call('testSource', { source: { id: 'local', kind: 'scriptx', baseUrl: catcher.url } });
    expect(r2.ok).toBe(true);
    const sent = JSON.stringify(catcher.seen);
    expect(sent).not.toContain(CODE);
    expect(sent).not.toContain(Buffer.from(`${LICENSE}:`).toString('base64'));
    expect(catcher.seen.every((h) => h.authorization === undefined)).toBe(true);

    // The same test with a code typed into it sends that code, and stores nothing.
    catcher.seen.length = 0;
    await call('testSource', { source: { id: 'ao', kind: 'aodocs', baseUrl: `${catcher.url}/api`, libraryIds: ['lib-a'] }, secrets: { SECURITY_CODE: 'typed-code-123456' } });
    expect(catcher.seen.some((h) => h.authorization === 'securityCode typed-code-123456')).toBe(true);
    expect(rig.secrets.values.get('ao.SECURITY_CODE')).toContain(CODE);

    // Unchanged, the stored code still works where it belongs.
    const ok = await call('testSource', { source: { id: 'ao', kind: 'aodocs', baseUrl: sim.baseUrl, libraryIds: ['lib-a'], user: 'ann@example.com' } });
    expect(ok).toMatchObject({ ok: true, value: { status: 'ok' } });
  });

  it('ids that are "." or ".." never reach a job endpoint', async () => {
    const before = sim.requests.length;
    for (const id of ['.', '..', 'a/..', '../b', './.']) {
      const e = errorOf(await call('trackJob', { sourceId: 'ao', id }));
      expect(e).toMatchObject({ code: 'invalid-input', field: 'id' });
    }
    expect(sim.requests.slice(before).filter((q) => q.path.startsWith('/api/job'))).toEqual([]);
  });
});

describe('a changed URL saved from the window', () => {
  it('drops the stored secret instead of carrying it to the new host', async () => {
    catcher.seen.length = 0;
    const moved = fileSettings();
    delete (moved.sources as Record<string, unknown>[])[0]!.service;
    (moved.sources as Record<string, unknown>[])[1]!.baseUrl = `${catcher.url}/api`;
    const r = await rig.ipc('saveSettings', { settings: moved });
    expect(r.ok).toBe(true);
    expect(rig.secrets.values.has('ao.SECURITY_CODE')).toBe(false);
    await rig.core.pollOnce();
    expect(JSON.stringify(catcher.seen)).not.toContain(CODE);
    const view = await rig.ipc('getSettings', {});
    expect((view as { ok: true; value: { secrets: { sourceId: string; present: boolean }[] } }).value.secrets.find((s) => s.sourceId === 'ao')?.present).toBe(false);
    // Entered again, it is bound to the new destination and used there.
    expect((await rig.ipc('setSecret', { sourceId: 'ao', name: 'SECURITY_CODE', value: 'new-code-for-new-host' })).ok).toBe(true);
    catcher.seen.length = 0;
    await rig.core.pollOnce();
    expect(catcher.seen.some((h) => h.authorization === 'securityCode new-code-for-new-host')).toBe(true);
  });

  it('a removed source takes its secrets with it: adding one with the same id elsewhere gets none', async () => {
    await rig.secrets.set('local', 'LICENSE', LICENSE);
    const without = fileSettings();
    (without.sources as Record<string, unknown>[]).splice(0, 2, { id: 'ao', kind: 'aodocs', baseUrl: `${catcher.url}/api`, libraryIds: ['lib-a'] });
    expect((await rig.ipc('saveSettings', { settings: without })).ok).toBe(true);
    expect(rig.secrets.values.has('local.LICENSE')).toBe(false);
    catcher.seen.length = 0;
    const back = { ...without, sources: [...(without.sources as unknown[]), { id: 'local', kind: 'scriptx', baseUrl: catcher.url }] };
    expect((await rig.ipc('saveSettings', { settings: back })).ok).toBe(true);
    await rig.core.pollOnce();
    expect(JSON.stringify(catcher.seen)).not.toContain(Buffer.from(`${LICENSE}:`).toString('base64'));
  });
});
