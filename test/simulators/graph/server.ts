/**
 * A strict simulator of Microsoft Graph Universal Print (v1.0) plus a small Microsoft identity
 * platform token endpoint, served over real HTTP on 127.0.0.1.
 *
 * Strict means: it refuses what Graph refuses (unknown query options, absolute or versioned URLs
 * inside $batch, more than 20 batch steps, duplicate step ids, an Authorization header on an
 * upload URL, delegated tokens for abort, ...), so a client that passes against it does not lean
 * on leniency the real service does not have. Job lifecycles are scripted and advanced with
 * `tick()` (or a real timer for the browser preview), so tests run in fake time.
 *
 * Graph base URL for clients: `${sim.url}/v1.0`; `${sim.url}/beta` serves only seed 001's
 * upload-session DELETE on printers. Token endpoint:
 * `${sim.url}/<tenant>/oauth2/v2.0/token` (+ `/devicecode`, `/authorize`).
 *
 * The parts: model.ts (shapes, options, helpers), state.ts (what it holds), routes.ts (the v1.0
 * routing table) with places.ts, jobs.ts and uploads.ts, batch.ts, auth.ts (the token endpoint),
 * http.ts (faults and dispatch), controls.ts (what tests drive).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authControls, catalogControls, faultControls, jobControls } from './controls';
import { handle, send } from './http';
import { err, type GraphSimulator, type GraphSimulatorOptions } from './model';
import { createState, type SimState } from './state';

export * from './model';

function listen(st: SimState): Server {
  const server = createServer((req, res) => {
    handle(st, req, res).catch((e: unknown) => {
      if (!res.headersSent) send(res, err(500, 'InternalServerError', e instanceof Error ? e.message : String(e)));
    });
  });
  server.on('connection', (s) => {
    st.sockets.add(s);
    s.on('close', () => st.sockets.delete(s));
  });
  return server;
}

export async function startGraphSimulator(opts: GraphSimulatorOptions = {}): Promise<GraphSimulator> {
  const st = createState(opts);
  const server = listen(st);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  st.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let timer: ReturnType<typeof setInterval> | null = null;
  const sim: GraphSimulator = {
    url: st.origin,
    baseUrl: `${st.origin}/v1.0`,
    async close() {
      if (timer) clearInterval(timer);
      for (const s of st.sockets) s.destroy();
      if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async goOffline() {
      if (!server.listening) return;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of st.sockets) s.destroy();
      await closed;
    },
    async goOnline() {
      if (server.listening) return;
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(Number(new URL(st.origin).port), '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    },
    ...catalogControls(st),
    ...jobControls(st),
    ...authControls(st),
    ...faultControls(st),
    log: st.log,
    get heldAnswers() {
      return st.held.count;
    },
  };
  if (opts.autoAdvanceMs) {
    timer = setInterval(() => sim.tick(), opts.autoAdvanceMs);
    timer.unref();
  }
  return sim;
}
