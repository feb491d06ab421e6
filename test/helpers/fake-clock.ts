/**
 * A deterministic Clock for tests: time moves only when the test says so, timers fire in due-time
 * order (ties in the order they were set), and pending promise chains settle between timers.
 */
import type { Clock } from '../../main/ports/ports';

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** Lets queued microtasks and a few rounds of promise chains (and I/O callbacks) settle. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
  await new Promise<void>((r) => setImmediate(r));
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

export class FakeClock implements Clock {
  private current: number;
  private nextId = 1;
  private readonly timers = new Map<number, FakeTimer>();

  constructor(startMs: number = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    this.timers.set(id, { id, at: this.current + delay, fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === 'number') this.timers.delete(handle);
  }

  /**
   * The wall clock set back by `ms` (the user or time sync changed the PC's time): now() goes back,
   * while timers, which run on a monotonic clock, still fire after the delays they were set for.
   */
  setBack(ms: number): void {
    this.current -= ms;
    for (const t of this.timers.values()) t.at -= ms;
  }

  /** Number of timers set and not yet fired or cleared. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** Due times (epoch ms) of the pending timers, earliest first. */
  pendingDueTimes(): number[] {
    return [...this.timers.values()].map((t) => t.at).sort((a, b) => a - b);
  }

  /** Milliseconds until the earliest pending timer, or null when none is pending. */
  nextDueIn(): number | null {
    const next = this.nextTimer();
    return next ? next.at - this.current : null;
  }

  private nextTimer(): FakeTimer | undefined {
    let best: FakeTimer | undefined;
    for (const t of this.timers.values()) {
      if (!best || t.at < best.at || (t.at === best.at && t.id < best.id)) best = t;
    }
    return best;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, in order, with time
   * set to each timer's due time while it runs. Promise chains settle after each timer, so a timer
   * set by a promise continuation is honoured if it falls due within the window.
   */
  async advance(ms: number): Promise<void> {
    if (ms < 0) throw new Error(`FakeClock.advance: negative duration ${ms}`);
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.nextTimer();
      if (!next || next.at > target) break;
      this.timers.delete(next.id);
      if (next.at > this.current) this.current = next.at;
      next.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /** Advances to an absolute time (epoch ms). */
  async advanceTo(atMs: number): Promise<void> {
    await this.advance(Math.max(0, atMs - this.current));
  }

  /** Lets pending promise chains settle without moving time. */
  async flush(): Promise<void> {
    await settle();
  }

  /**
   * Fires timers one after another (moving time to each) until none is left, or throws after
   * `maxTimers` so a self-rescheduling loop cannot hang a test.
   */
  async runUntilIdle(maxTimers = 1000): Promise<void> {
    await settle();
    for (let n = 0; ; n++) {
      const next = this.nextTimer();
      if (!next) return;
      if (n >= maxTimers) throw new Error(`FakeClock.runUntilIdle: still ${this.timers.size} timer(s) after ${maxTimers} fired`);
      this.timers.delete(next.id);
      if (next.at > this.current) this.current = next.at;
      next.fn();
      await settle();
    }
  }

  /** Fires only the timers that are due now. */
  async runDue(): Promise<void> {
    await this.advance(0);
  }

  /** An ISO string of the current fake time. */
  iso(): string {
    return new Date(this.current).toISOString();
  }
}
