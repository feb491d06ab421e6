/**
 * Hostile input on every request of the bridge, through both transports' shared validation
 * (dispatch: what the IPC handlers run) and over the browser preview's WebSocket: every payload
 * the contract does not accept is answered with invalid-input, never reaches a handler, pollutes
 * nothing, and the bridge keeps answering afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dispatch, requests } from '../../preload/contract/contract';
import type { Result } from '../../preload/contract/model';
import { startWebTransport, type WebTransport } from '../../main/web/server';
import { createFakeCore } from '../unit/web/fake-core';
import { connectWebSocket } from '../helpers/web-socket-client';
import { ALL_REQUESTS, hostilePayloads } from './hostile';

const PER_REQUEST = 250;

function assertNoPollution(): void {
  const probe: Record<string, unknown> = {};
  expect(probe.polluted).toBeUndefined();
  expect(probe.isAdmin).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
}

describe('dispatch (the IPC path) under hostile payloads', () => {
  it(`rejects every payload the contract does not accept, on all ${ALL_REQUESTS.length} requests`, async () => {
    const core = createFakeCore();
    let rejected = 0;
    let accepted = 0;
    for (const [i, name] of ALL_REQUESTS.entries()) {
      for (const payload of hostilePayloads(name, PER_REQUEST, 1000 + i)) {
        const before = core.calls.length;
        const valid = requests[name].input.safeParse(payload).success;
        const result = (await dispatch(core.handlers, name, payload)) as Result<unknown>;
        expect(typeof result.ok).toBe('boolean');
        if (!valid) {
          rejected++;
          expect(result.ok).toBe(false);
          if (!result.ok) {
            expect(result.error.code).toBe('invalid-input');
            expect(result.error.message.length).toBeGreaterThan(0);
            // The message names what was wrong but never echoes a huge input back.
            expect(result.error.message.length).toBeLessThan(2_000);
          }
          expect(core.calls.length).toBe(before);
        } else {
          accepted++;
          expect(core.calls.length).toBe(before + 1);
          // What reached the handler carries no prototype-pollution key of its own.
          const got = core.calls[core.calls.length - 1]!.input as Record<string, unknown>;
          expect(Object.prototype.hasOwnProperty.call(got, '__proto__')).toBe(false);
        }
      }
    }
    assertNoPollution();
    expect(rejected).toBeGreaterThan(ALL_REQUESTS.length * PER_REQUEST * 0.8);
    expect(accepted + rejected).toBe(ALL_REQUESTS.length * PER_REQUEST);
    // Still answering after the storm.
    const after = await dispatch(core.handlers, 'getSnapshot', {});
    expect(after.ok).toBe(true);
  });

  it('refuses names that are not requests, inherited properties included', async () => {
    const core = createFakeCore();
    for (const name of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'getsnapshot', 42, null, { name: 'getSnapshot' }]) {
      const result = await dispatch(core.handlers, name, {});
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error.code).toBe('invalid-input');
    }
    expect(core.calls).toHaveLength(0);
  });
});

describe('web transport under hostile frames', () => {
  let dir: string;
  let transport: WebTransport;
  const core = createFakeCore();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pqm-fuzz-'));
    await mkdir(join(dir, 'renderer'), { recursive: true });
    await writeFile(join(dir, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
    transport = await startWebTransport({ core, rendererDir: join(dir, 'renderer'), port: 0, maxRequestsPerSecond: 100_000, maxPendingPerSocket: 100_000 });
  });
  afterAll(async () => {
    await transport.close();
    await rm(dir, { recursive: true, force: true });
  });

  const connect = () => connectWebSocket(transport);

  it('answers thousands of hostile requests with invalid-input and keeps serving', async () => {
    const client = await connect();
    let count = 0;
    for (const [i, name] of ALL_REQUESTS.entries()) {
      // Frames above the transport's size limit are covered by its own tests; keep these under it.
      const payloads = hostilePayloads(name, 120, 5000 + i).filter((p) => JSON.stringify(p).length < 500_000);
      const before = core.calls.length;
      const results = (await Promise.all(payloads.map((input) => client.send({ type: 'request', name, input })))) as Result<unknown>[];
      let invalid = 0;
      let wholeQueue = 0;
      payloads.forEach((p, j) => {
        // Judged as the socket carries it: JSON drops undefined values and non-enumerable keys.
        const carried = JSON.parse(JSON.stringify(p)) as unknown;
        if (!requests[name].input.safeParse(carried).success) {
          invalid++;
          const r = results[j]!;
          expect(r.ok).toBe(false);
          if (!r.ok) expect(r.error.code).toBe('invalid-input');
        } else if (name === 'getSnapshot' && typeof carried === 'object' && carried !== null && Object.keys(carried).length === 0) {
          wholeQueue++;
          expect(results[j]!.ok).toBe(true);
        }
      });
      // Every valid request reaches the core, except that whole-queue snapshots asked for with no
      // event between them share one read (the server's prepared answer, main/web/server.ts).
      const reads = core.calls.length - before;
      expect(reads).toBeGreaterThanOrEqual(payloads.length - invalid - wholeQueue);
      expect(reads).toBeLessThanOrEqual(payloads.length - invalid - wholeQueue + Math.min(1, wholeQueue));
      count += payloads.length;
    }
    expect(count).toBeGreaterThan(3000);
    // Garbage frames: not JSON, wrong message types, unknown names, a request with no id.
    for (const text of ['not json', '[]', '{"type":"request"}', '{"type":"hello","token":"x"}', '{"type":"request","id":{},"name":"getSnapshot"}', '\u0000'.repeat(100)]) {
      client.raw(text);
    }
    const unknown = (await client.send({ type: 'request', name: '__proto__', input: {} })) as Result<unknown>;
    expect(unknown.ok).toBe(false);
    const after = (await client.send({ type: 'request', name: 'getSnapshot', input: {} })) as Result<unknown>;
    expect(after.ok).toBe(true);
    assertNoPollution();
    client.ws.terminate();
  }, 60_000);
});
