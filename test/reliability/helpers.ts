/**
 * Shared pieces for the fault-injection tests: an HTTP client that counts its requests (to prove
 * backoff bounds the request rate), a DNS lookup that can be made to fail (never a real lookup), a
 * watcher for unhandled rejections and uncaught exceptions, a source wrapper that records every
 * poll, and a driver that moves a FakeClock forward while real loopback I/O completes.
 */
import type { LookupFunction } from 'node:net';
import type { z } from 'zod';
import { HttpClient, type HttpClientOptions, type HttpRequest, type HttpResponse } from '../../main/http/client';
import type { JobSource, PollContext, PollResult } from '../../main/queue/source';
import type { FakeClock } from '../helpers/fake-clock';
import { settle } from '../helpers/fake-clock';

/**
 * An HttpClient that counts requests started, and those still in flight. Its request deadline
 * runs on the test's fake clock (pass `timers`), so a loaded machine never times out a request
 * the service answers; a service holding its answer back (`held`) meets the deadline only when
 * the test moves fake time past it.
 */
export class CountingHttpClient extends HttpClient {
  inFlight = 0;
  total = 0;
  /** Answers the simulator holds back on purpose now (its `heldAnswers`): they wait on fake time. */
  held: () => number = () => 0;
  /** Request targets in order: `GET /api/job/v1/...` (path only, never the query). */
  readonly targets: string[] = [];

  constructor(opts: HttpClientOptions = {}) {
    super(opts);
  }

  override async request<T = unknown>(req: HttpRequest, schema?: z.ZodType<T>): Promise<HttpResponse<T>> {
    this.inFlight++;
    this.total++;
    let path = req.url;
    try {
      path = new URL(req.url).pathname;
    } catch {
      /* keep as given */
    }
    this.targets.push(`${(req.method ?? 'GET').toUpperCase()} ${path}`);
    try {
      return await super.request(req, schema);
    } finally {
      this.inFlight--;
    }
  }
}

/**
 * A DNS lookup for the HTTP layer: every host name resolves to 127.0.0.1 until `fail(code)`, after
 * which each lookup fails with that code (ENOTFOUND, EAI_AGAIN) until `heal()`.
 */
/**
 * The network side of a fault rig: a DNS lookup that can be made to fail, and a counting HTTP client
 * whose deadline runs on the test's fake clock and which knows the answers the simulator holds back.
 */
export function faultNetwork(clock: FakeClock, timeoutMs: number, sim: { readonly heldAnswers: number }): { dns: ReturnType<typeof switchableLookup>; http: CountingHttpClient } {
  const dns = switchableLookup();
  const http = new CountingHttpClient({ lookup: dns.lookup, timeoutMs, timers: clock });
  http.held = () => sim.heldAnswers;
  return { dns, http };
}

export function switchableLookup(): { lookup: LookupFunction; fail(code?: string): void; heal(): void; readonly calls: string[] } {
  let failing: string | null = null;
  const calls: string[] = [];
  const lookup = ((hostname: string, options: unknown, callback?: unknown) => {
    const cb = (typeof options === 'function' ? options : callback) as (err: NodeJS.ErrnoException | null, address?: unknown, family?: number) => void;
    const all = typeof options === 'object' && options !== null && (options as { all?: boolean }).all === true;
    calls.push(hostname);
    setImmediate(() => {
      if (failing) {
        const err: NodeJS.ErrnoException = new Error(`getaddrinfo ${failing} ${hostname}`);
        err.code = failing;
        err.syscall = 'getaddrinfo';
        (err as { hostname?: string }).hostname = hostname;
        cb(err);
      } else if (all) {
        cb(null, [{ address: '127.0.0.1', family: 4 }]);
      } else {
        cb(null, '127.0.0.1', 4);
      }
    });
  }) as unknown as LookupFunction;
  return {
    lookup,
    calls,
    fail(code = 'ENOTFOUND') {
      failing = code;
    },
    heal() {
      failing = null;
    },
  };
}

/** Collects unhandled rejections and uncaught exceptions while a test runs. */
export function watchProcessErrors(): { errors: unknown[]; stop(): void } {
  const errors: unknown[] = [];
  const onRejection = (reason: unknown) => void errors.push(reason);
  const onException = (err: unknown) => void errors.push(err);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  return {
    errors,
    stop() {
      process.off('unhandledRejection', onRejection);
      process.off('uncaughtException', onException);
    },
  };
}

export interface PollRecord {
  mode: PollContext['mode'];
  startedAt: number;
  endedAt: number | null;
  ok: boolean | null;
  complete?: boolean;
  error?: unknown;
}

/** Wraps a source so every poll is recorded with its (fake) start and end time and outcome. */
export function recordPolls(source: JobSource, clock: { now(): number }): { source: JobSource; polls: PollRecord[]; inFlight(): number } {
  const polls: PollRecord[] = [];
  let inFlight = 0;
  const wrapped: JobSource = Object.create(source) as JobSource;
  Object.defineProperty(wrapped, 'poll', {
    value: async (ctx: PollContext): Promise<PollResult> => {
      const rec: PollRecord = { mode: ctx.mode, startedAt: clock.now(), endedAt: null, ok: null };
      polls.push(rec);
      inFlight++;
      try {
        const r = await source.poll(ctx);
        rec.ok = true;
        rec.complete = r.complete;
        return r;
      } catch (err) {
        rec.ok = false;
        rec.error = err;
        throw err;
      } finally {
        inFlight--;
        rec.endedAt = clock.now();
      }
    },
  });
  return { source: wrapped, polls, inFlight: () => inFlight };
}

/**
 * Waits (in real time) until no HTTP request is in flight but those the simulator holds back, and
 * promise chains have settled, so whatever remains is waiting on the fake clock. No deadline of its
 * own: request deadlines run on the fake clock, which does not move meanwhile, so every answer on
 * its way arrives however loaded the machine is; one that never does is a hang, and the test's time
 * limit reports it.
 */
export async function quiesce(http: { inFlight: number; held?: () => number }): Promise<void> {
  let quiet = 0;
  while (quiet < 2) {
    await settle();
    // Requests whose answers the simulator holds back end only on the (fake) deadline.
    if (http.inFlight - (http.held?.() ?? 0) <= 0) quiet++;
    else {
      quiet = 0;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

/**
 * Moves the fake clock forward by `ms`, one timer at a time, letting real I/O finish after each,
 * so retries, backoff and polls happen as they would in `ms` of real time. Stops early when
 * `until` returns true (checked after each timer).
 */
export async function runFor(clock: FakeClock, http: { inFlight: number; held?: () => number }, ms: number, until?: () => boolean): Promise<void> {
  const target = clock.now() + ms;
  await quiesce(http);
  for (let n = 0; n < 10_000; n++) {
    if (until?.()) return;
    const next = clock.nextDueIn();
    if (next === null || clock.now() + next > target) break;
    await clock.advance(next);
    await quiesce(http);
  }
  if (until?.()) return;
  await clock.advance(Math.max(0, target - clock.now()));
  await quiesce(http);
}
