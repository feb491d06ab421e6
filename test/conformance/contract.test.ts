/**
 * The contract conformance suite: the same scenarios, with the same assertions, against the fake
 * bridge the component tests use and against the real app core (Universal Print source on the Graph
 * simulator) over the browser preview's WebSocket, through the renderer's own web bridge. A fake
 * that behaves differently from the core fails here, so a component test cannot pass on behaviour
 * the app does not have.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EventName } from '../../preload/contract/channels';
import type { Events } from '../../preload/contract/contract';
import { createAppCore } from '../../main/core/app-core';
import type { AppCore, PlatformPorts } from '../../main/core/app-core-types';
import { silentLogger } from '../../main/ports/ports';
import { startWebTransport, type WebTransport } from '../../main/web/server';
import { createWebBridge, type WebBridge } from '../../renderer/src/transport/web';
import { AppFailure, makeJobKey } from '../../preload/contract/model';
import { FakeBridge, makeHealth, makeJob } from '../helpers/fake-bridge';
import { createMemorySecretStore } from '../helpers/memory-stores';
import { makeJwt, startGraphSimulator, type GraphSimulator } from '../simulators/graph/server';
import { SCENARIOS, patchOf, type ConformanceTarget } from './scenarios';

const ANN = 'ann@contoso.com';
const ANN_TOKEN = makeJwt({ upn: ANN, name: 'Ann' });
const SIGN_IN_HOST = 'login.sim.test';
const TENANT = 'tenant-1';
/** The file the user picks: three upload chunks and a bit. */
const FILE_BYTES = 5 * 1024 * 1024 * 3 + 1000;

type TargetFactory = () => Promise<ConformanceTarget & { close(): Promise<void> }>;

// ---- the fake bridge, as the component tests build it ----

function fakeTarget(make: (opts: ConstructorParameters<typeof FakeBridge>[0]) => FakeBridge = (o) => new FakeBridge(o)): TargetFactory {
  return async () => {
    const bridge = make({
      sources: [makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print' }), makeHealth({ id: 'up-signin', kind: 'graph', name: 'Universal Print (sign-in)', status: 'auth-required' })],
      settings: { version: 1, sources: [{ id: 'up', kind: 'graph', shares: ['s1'] }, { id: 'up-signin', kind: 'graph', clientId: 'desktop-app', shares: ['s1'] }] },
      secrets: { 'up.TOKEN': 'token' },
    });
    let n = 0;
    return {
      bridge,
      printSourceId: 'up',
      printer: 's1',
      signInSourceId: 'up-signin',
      holdNextUpload: () => bridge.holdNextUpload(),
      cancellableJob: async () => {
        const job = makeJob({ sourceId: 'up', sourceKind: 'graph', nativeId: `s1/c${++n}`, state: 'queued' });
        bridge.patch([{ type: 'added', job }]);
        return job.key;
      },
      untrackedJobId: async () => `s1/t${++n}`,
      close: async () => undefined,
    };
  };
}

/** A fake that emits upload progress under a key of its own making, as the app once did. */
class OldKeyFakeBridge extends FakeBridge {
  override emit<E extends EventName>(event: E, payload: Events[E]): void {
    if (event === 'print:progress') {
      const p = payload as Events['print:progress'];
      super.emit('print:progress', { ...p, key: `${p.key.split(':')[0]}:upload` });
      return;
    }
    super.emit(event, payload);
  }
}

/** A fake that saves settings without announcing them, as the app once did (the shell watched IPC instead). */
class SilentSaveFakeBridge extends FakeBridge {
  override emit<E extends EventName>(event: E, payload: Events[E]): void {
    if (event !== 'settings:changed') super.emit(event, payload);
  }
}

// ---- the real core over the web transport ----

/**
 * The network as the core sees it through the platform's fetch: Microsoft's sign-in host answers
 * the authority metadata as the identity platform publishes it, and its token endpoints are the
 * simulator's; everything else goes out as it is.
 */
function signInNetwork(sim: GraphSimulator): typeof fetch {
  const authority = `https://${SIGN_IN_HOST}/${TENANT}`;
  const metadata = {
    token_endpoint: `${authority}/oauth2/v2.0/token`,
    authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
    issuer: `${authority}/v2.0`,
    jwks_uri: `${authority}/discovery/v2.0/keys`,
  };
  const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  return async (input, init) => {
    const req = new Request(input, init);
    const url = new URL(req.url);
    if (url.pathname.endsWith('/.well-known/openid-configuration') && url.host === SIGN_IN_HOST) return json(metadata);
    if (url.pathname === '/common/discovery/instance') {
      return json({ tenant_discovery_endpoint: `${authority}/v2.0/.well-known/openid-configuration`, 'api-version': '1.1', metadata: [{ preferred_network: SIGN_IN_HOST, preferred_cache: SIGN_IN_HOST, aliases: [SIGN_IN_HOST] }] });
    }
    if (url.host !== SIGN_IN_HOST) return fetch(req);
    const body = req.method === 'GET' ? undefined : await req.arrayBuffer();
    return fetch(`${sim.url}${url.pathname}${url.search}`, { method: req.method, headers: req.headers, body, signal: req.signal });
  };
}

function coreTarget(): TargetFactory {
  return async () => {
    const sim = await startGraphSimulator({
      tokens: { [ANN_TOKEN]: { kind: 'delegated', upn: ANN, displayName: 'Ann', roles: ['Printer Administrator'] } },
      users: [{ upn: ANN, displayName: 'Ann' }],
      apps: [{ clientId: 'desktop-app' }],
      autoApproveDeviceCodeAs: ANN,
    });
    sim.addPrinter({ id: 'p1', displayName: 'Front desk' });
    sim.addShare({ id: 's1', displayName: 'Front', printerId: 'p1' });
    const dir = await mkdtemp(join(tmpdir(), 'pqm-conformance-'));
    const file = join(dir, 'report.pdf');
    await writeFile(file, Buffer.alloc(FILE_BYTES, 7));
    const config = join(dir, 'settings.json');
    await writeFile(
      config,
      JSON.stringify({
        version: 1,
        sources: [
          { id: 'up', kind: 'graph', baseUrl: sim.baseUrl, shares: ['s1'], userPrincipalName: ANN },
          { id: 'up-signin', kind: 'graph', baseUrl: sim.baseUrl, shares: ['s1'], clientId: 'desktop-app', authority: `https://${SIGN_IN_HOST}/${TENANT}` },
        ],
      }),
    );
    const platform: PlatformPorts = {
      pickFileToPrint: async () => ({ path: file }),
      pickSavePath: async () => null,
      // No browser here: sign-in goes on by device code.
      openExternal: async () => {
        throw new Error('no browser');
      },
      fetch: signInNetwork(sim),
      versions: () => ({}),
    };
    const core: AppCore = await createAppCore({ configPath: config, secrets: createMemorySecretStore({ 'up.TOKEN': ANN_TOKEN }), platform, logger: silentLogger });
    core.start();
    await mkdir(join(dir, 'renderer'));
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
    const transport: WebTransport = await startWebTransport({ core, rendererDir: join(dir, 'renderer'), port: 0 });
    const WS = class extends WebSocket {
      constructor(url: string) {
        super(url, { origin: `http://127.0.0.1:${transport.port}` });
      }
    };
    const bridge: WebBridge = createWebBridge({ url: `ws://127.0.0.1:${transport.port}/ws`, token: transport.token, WebSocketImpl: WS as never });
    /** Waits until the queue shows the job, after asking the source to look now. */
    const shown = async (key: string) => {
      const seen = patchOf(bridge, key);
      await bridge.request('refreshNow', { sourceId: 'up' });
      await seen;
      return key;
    };
    return {
      bridge,
      printSourceId: 'up',
      printer: 's1',
      signInSourceId: 'up-signin',
      // The upload URL keeps the bytes' answer until the client gives up on it.
      holdNextUpload: () => sim.injectFault('PUT /upload/', { kind: 'slow', delayMs: 10 * 60_000 }, 1),
      cancellableJob: async () => {
        const job = sim.addJob({ printerId: 'p1', shareId: 's1', upn: ANN, displayName: 'Pending.pdf', lifecycle: [{ state: 'pending', description: 'The print job is queued.' }] });
        return shown(makeJobKey('up', `s1/${job.id}`));
      },
      untrackedJobId: async () => sim.addJob({ printerId: 'p1', shareId: 's1', upn: 'bob@contoso.com', lifecycle: 'processingForever' }).id,
      close: async () => {
        bridge.close();
        await transport.close();
        await core.stop();
        await sim.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  };
}

const TARGETS: [string, TargetFactory][] = [
  ['the fake bridge', fakeTarget()],
  ['the app core over the web transport', coreTarget()],
];

describe.each(TARGETS)('%s', (_name, factory) => {
  let target: Awaited<ReturnType<TargetFactory>>;
  beforeAll(async () => {
    target = await factory();
  });
  afterAll(async () => {
    await target?.close();
  });
  for (const [name, scenario] of Object.entries(SCENARIOS)) {
    it(name, async () => {
      await scenario(target);
    });
  }
});

describe('the suite itself', () => {
  it('fails a fake that emits upload progress under a key of its own', async () => {
    const target = await fakeTarget((o) => new OldKeyFakeBridge(o))();
    await expect(SCENARIOS.printWithProgress(target)).rejects.toThrow();
    await expect(SCENARIOS.stopUpload(target)).rejects.toThrow();
  });

  it('fails a fake that says of a source what the source does not declare', async () => {
    const target = await fakeTarget()();
    const bridge = target.bridge as FakeBridge;
    bridge.sources = bridge.sources.map((s) => ({ ...s, capabilities: { ...s.capabilities, servicePanel: true } }));
    await expect(SCENARIOS.capabilities(target)).rejects.toThrow();
  });

  it('fails a fake that saves settings without announcing them', async () => {
    const target = await fakeTarget((o) => new SilentSaveFakeBridge(o))();
    await expect(SCENARIOS.settingsSave(target)).rejects.toThrow();
  });

  it('fails a fake whose failures differ from the core\'s', async () => {
    const target = await fakeTarget()();
    (target.bridge as FakeBridge).override('cancelJob', async () => {
      throw new AppFailure('not-found', 'No such job.');
    });
    await expect(SCENARIOS.cancel(target)).rejects.toThrow();
  });
});
