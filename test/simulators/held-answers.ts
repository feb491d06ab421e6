/**
 * Answers a simulator holds back on purpose (a slow answer, a dripped one), counted while they
 * last, so that a test on fake time can tell "the service is making the client wait" from "an
 * answer is still on its way": only the first may be left to the client's deadline.
 */
import type { ServerResponse } from 'node:http';

export interface HeldAnswers {
  /** Answers held back now: from the start of the hold until the exchange has closed. */
  readonly count: number;
  /** Counts `res` as held until it closes (answered in full, or the client gone). */
  hold(res: ServerResponse): void;
  /** Holds `res` for `ms` of real time, or until the client goes away: then nothing is left to answer. */
  delay(res: ServerResponse, ms: number): Promise<void>;
}

export function heldAnswers(): HeldAnswers {
  let count = 0;
  const hold = (res: ServerResponse) => {
    count++;
    res.once('close', () => count--);
  };
  return {
    get count() {
      return count;
    },
    hold,
    delay(res, ms) {
      hold(res);
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          res.off('close', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        res.once('close', done);
      });
    },
  };
}

/**
 * Sends `payload` one character every `intervalMs` after the headers the caller wrote, counted as
 * held until it is sent or the client goes away (then it stops).
 */
export function dripBody(held: HeldAnswers, res: ServerResponse, payload: string, intervalMs: number): void {
  held.hold(res);
  let i = 0;
  const timer = setInterval(() => {
    if (res.destroyed || i >= payload.length) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    res.write(payload[i++]);
  }, intervalMs);
  res.on('close', () => clearInterval(timer));
}
