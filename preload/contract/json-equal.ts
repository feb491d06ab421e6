/**
 * Structural equality for JSON-like values (parsed JSON, and the jobs the contract carries): the
 * app's job store compares each listed job's object fields with it at every poll, and the window
 * keeps the job it already has when the whole queue brings it again unchanged.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b);
  }
  const aArr = Array.isArray(a);
  if (aArr !== Array.isArray(b)) return false;
  if (aArr) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!jsonEqual(x[i], y[i])) return false;
    return true;
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  // Plain data (parsed JSON): own enumerable keys only, so for-in needs no hasOwnProperty check;
  // over small objects it allocates nothing (V8's enum cache), unlike Object.keys, and this runs
  // for the object fields of every listed job at every cycle.
  let n = 0;
  for (const k in x) {
    const v = x[k];
    if (v === undefined) continue;
    n++;
    const w = y[k];
    if (v !== w && !jsonEqual(v, w)) return false;
  }
  for (const k in y) if (y[k] !== undefined) n--;
  return n === 0;
}
