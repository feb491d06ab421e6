import { afterEach, describe, expect, it } from 'vitest';
import { parseDeepLink } from '../../../main/desktop/deep-link';
import { createScriptxSource } from '../../../main/sources/scriptx/source';
import { closedPort, harness, signal, type Harness } from './helpers';

let h: Harness | null = null;
afterEach(async () => {
  await h?.close();
  h = null;
});

describe('finding ScriptX.Services', () => {
  it('asks the orchestrator for this user\'s port', async () => {
    const nowhere = await closedPort();
    h = await harness({ sim: { orchestrator: true }, discover: true });
    const src = h;
    src.config.orchestratorUrl = src.sim.orchestratorUrl!;
    src.config.probePorts = { from: nowhere, to: nowhere };
    src.restart();
    const r = await src.poll('full');
    expect(r.health).toMatchObject({ status: 'ok', detail: { foundBy: 'orchestrator', baseUrl: src.sim.url } });
    expect(r.health.message).toContain('found by orchestrator');
    expect(src.sim.requests[0]).toMatchObject({ server: 'orchestrator', path: '/api/v1' });
    const info = await src.source.serviceInfo!(signal());
    expect(info).toMatchObject({ reachable: true, foundBy: 'orchestrator', baseUrl: src.sim.url, serviceClass: 'Windows PC', version: '2.23.1.5' });
  });

  it('probes licensing/ping on the configured ports when there is no orchestrator', async () => {
    const noOrch = await closedPort();
    h = await harness({ discover: true });
    h.config.orchestratorUrl = `http://127.0.0.1:${noOrch}`;
    h.config.probePorts = { from: h.sim.port, to: h.sim.port };
    h.restart();
    const r = await h.poll('full');
    expect(r.health.detail).toMatchObject({ foundBy: 'port probe', baseUrl: h.sim.url });
    expect(h.sim.requests[0]).toMatchObject({ path: '/api/v1/licensing/ping', auth: 'none' });
  });

  it('uses a configured base URL (On-Premise) as is', async () => {
    h = await harness({ sim: { serviceClass: 2 }, license: null });
    const r = await h.poll('full');
    expect(r.health).toMatchObject({ status: 'ok', detail: { foundBy: 'configured URL' } });
    expect(h.source.loopback).toBe(true);
  });

  it('an On-Premise server on the LAN is not a loopback source; jobs handed in are mine only on this PC', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const lan = createScriptxSource({ id: 'srv', kind: 'scriptx', baseUrl: 'http://printsrv.example:8080' }, h.deps);
    expect(lan.loopback).toBe(false);
    expect(lan.name).toBe('ScriptX.Services (printsrv.example:8080)');
    const token = h.sim.addJob();
    expect((await h.source.track!(token, {}, signal())).mine).toBe(true);
  });

  it('says what it tried when nothing answers, and finds the service once it starts', async () => {
    const a = await closedPort();
    h = await harness({ sim: { orchestrator: true }, discover: true });
    h.config.orchestratorUrl = h.sim.orchestratorUrl!;
    h.config.probePorts = { from: a, to: a };
    h.restart();
    await h.sim.setFault({ type: 'refuse' });
    const err = await h.poll('full').catch((e) => e);
    expect(err).toMatchObject({ status: 'down' });
    expect(err.message).toContain(`ScriptX.Services is not running on this PC (nothing answered at the orchestrator ${h.sim.orchestratorUrl} or on ports ${a}-${a}).`);
    await h.sim.setFault(null);
    expect((await h.poll('full')).health.status).toBe('ok');
  });

  it('follows the service to a new port after it restarts', async () => {
    const a = await closedPort();
    h = await harness({ sim: { orchestrator: true, stepMs: 100_000 }, discover: true });
    h.config.orchestratorUrl = h.sim.orchestratorUrl!;
    h.config.probePorts = { from: a, to: a };
    h.restart();
    const token = h.sim.addJob();
    await h.source.track!(token, {}, signal());
    const oldUrl = h.sim.url;
    await h.sim.moveTo(0);
    await h.clock.advance(1000);
    await expect(h.poll()).rejects.toMatchObject({ status: 'down', message: expect.stringContaining(oldUrl) });
    await h.clock.advance(1000);
    const r = await h.poll();
    expect(r.health.detail).toMatchObject({ baseUrl: h.sim.url });
    expect(r.jobs[0]).toMatchObject({ nativeId: token, state: 'queued' });
  });

  it('tolerates the 401 of GET /api on builds before 2.21.1.16 and still reads the license', async () => {
    h = await harness({ sim: { version: '2.20.0.3' }, license: null });
    const info = await h.source.serviceInfo!(signal());
    expect(info.reachable).toBe(true);
    expect(info.version).toBeNull();
    expect(info.message).toContain('This service describes itself only with a valid license.');
    expect(info.message).toContain('the license GUID is missing or not valid for this service');
    await h.secrets.set('local', 'LICENSE', '5091E665-8916-4D21-996E-00A2DE5DE416');
    const info2 = await h.source.serviceAction!({ sourceId: 'local', action: 'refresh' }, signal());
    expect(info2.version).toBe('2.20.0.3');
    expect(info2.license?.company).toBe('Acme Ltd');
  });
});

describe('service facts', () => {
  it('lists the printers with status and default, the license, and warns 14 days before expiry', async () => {
    h = await harness({ sim: { licenseInfo: { to: '2026-01-15T00:00:00' } } });
    const info = await h.source.serviceInfo!(signal());
    expect(info.license).toMatchObject({ company: 'Acme Ltd', validTo: '2026-01-15T00:00:00', expiresInDays: 9, domains: ['*'] });
    expect(info.message).toBe('The license expires in 9 days (2026-01-15).');
    expect(info.defaultPrinter).toBe('Microsoft Print to PDF');
    expect(info.printers.map((p) => [p.name, p.isDefault, p.isNetwork, p.status])).toEqual([
      ['Microsoft Print to PDF', true, false, 'ready'],
      ['HP LaserJet 400 (Office)', false, false, 'ready'],
      ['\\\\PRINTSRV\\Finance', false, true, 'ready'],
    ]);
    expect(h.sim.requests.some((r) => r.rawPath === '/api/v1/printHtml/deviceinfo/%7C%7C%7C%7CPRINTSRV%7C%7CFinance/2')).toBe(true);
    const r = await h.poll('full');
    expect(r.health.detail).toMatchObject({ licenseExpiresInDays: 9 });
    expect(r.health.message).toContain('The ScriptX license of Acme Ltd expires in 9 days (2026-01-15).');
  });

  it('reports an unreachable service instead of failing', async () => {
    h = await harness();
    await h.sim.setFault({ type: 'refuse' });
    const info = await h.source.serviceInfo!(signal());
    expect(info).toMatchObject({ reachable: false, printers: [], license: null });
    expect(info.message).toMatch(/could not be reached/);
  });
});

describe('ids handed in', () => {
  it('a track deep link reaches the source with its id and kind', async () => {
    h = await harness({ sim: { stepMs: 100_000 } });
    const token = h.sim.addJob({ token: 'batch:12', kind: 'pdf' });
    const parsed = parseDeepLink(`print-queue-monitor://track?source=local&id=${encodeURIComponent(token)}&kind=pdf`, (id) => id === 'local');
    expect(parsed.ok).toBe(true);
    if (!parsed.ok || parsed.link.action !== 'track') throw new Error('not a track link');
    const job = await h.source.track!(parsed.link.id, { kind: parsed.link.kind }, signal());
    expect(job).toMatchObject({ key: 'local:batch:12', extra: { kind: 'pdf' } });
    expect(h.tracked.jobs).toMatchObject([{ sourceId: 'local', id: 'batch:12', kind: 'pdf' }]);
  });
});
