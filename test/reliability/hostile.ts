/**
 * Hostile payloads for the bridge: random JSON, huge strings, prototype-pollution keys, deep
 * nesting, and one-field mutations of a valid payload of every request. Deterministic (seeded) so
 * that a failure can be replayed.
 */
import { REQUEST_NAMES, type RequestName } from '../../preload/contract/channels';
import { seededRandom } from '../helpers/seeded-random';

/** One valid payload per request: mutations of these are the most dangerous inputs. */
export const VALID_EXAMPLES: Record<RequestName, Record<string, unknown>> = {
  getSnapshot: {},
  getJobDetails: { key: 'ao:job-1' },
  cancelJob: { key: 'ao:job-1' },
  cancelJobs: { keys: ['ao:job-1', 'ao:job-2'] },
  abortJob: { key: 'up:printer-1/job-1', reason: 'paper jam' },
  holdJob: { key: 'cups:office/12' },
  releaseJob: { key: 'cups:office/12' },
  pauseJob: { key: 'spooler:Office%20Laser/12' },
  resumeJob: { key: 'spooler:Office%20Laser/12' },
  getPrinters: {},
  cancelPrinterJobs: { printerKey: 'cups:office', keys: ['cups:office/12'] },
  retryJob: { key: 'local:17' },
  trackJob: { sourceId: 'ao', id: 'job-1' },
  dismissJob: { key: 'ao:job-1' },
  refreshNow: { sourceId: 'ao' },
  setWindowVisible: { visible: true },
  windowReady: {},
  setSelection: { keys: ['ao:job-1'] },
  pauseMonitoring: { minutes: 15 },
  resumeMonitoring: {},
  getSettings: {},
  saveSettings: { settings: { version: 1, sources: [] } },
  saveUiSettings: { ui: { view: 'active', search: '', mineOnly: false } },
  setSecret: { sourceId: 'ao', name: 'SECURITY_CODE', value: 'x' },
  clearSecret: { sourceId: 'ao', name: 'SECURITY_CODE' },
  testSource: { source: { id: 'ao', kind: 'aodocs', libraryIds: ['lib'] } },
  signIn: { sourceId: 'up' },
  signOut: { sourceId: 'up' },
  submitPrint: { sourceId: 'local', document: { type: 'url', url: 'https://example.com/a' } },
  cancelUpload: { key: 'up:printer-1/job-1' },
  saveJobOutput: { key: 'local:17' },
  getServiceInfo: { sourceId: 'local' },
  serviceAction: { sourceId: 'local', action: 'refresh' },
  queryHistory: { limit: 10, timelines: false },
  clearHistory: {},
  exportHistory: { format: 'csv' },
  saveDiagnostics: {},
  installUpdate: {},
};


const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'];
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '../../etc/passwd',
  '..\\..\\Windows\\System32',
  'http://169.254.169.254/latest/meta-data',
  'javascript:alert(1)',
  '<img src=x onerror=alert(1)>',
  '=cmd|" /C calc"!A0',
  '\ud800',
  'a'.repeat(70_000),
  'ao:' + 'x'.repeat(600),
  '{"__proto__":{"polluted":true}}',
  'NaN',
  '-1',
  '1e309',
];

function randomScalar(r: () => number): unknown {
  const pick = Math.floor(r() * 10);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return Math.floor(r() * 2 ** 53) * (r() < 0.5 ? -1 : 1);
    case 3:
      return r() * 1e6;
    case 4:
      return NASTY_STRINGS[Math.floor(r() * NASTY_STRINGS.length)];
    case 5:
      return String.fromCharCode(...Array.from({ length: Math.floor(r() * 40) }, () => Math.floor(r() * 0xffff)));
    case 6:
      return [];
    case 7:
      return {};
    case 8:
      return 0;
    default:
      return 'x'.repeat(Math.floor(r() * 300));
  }
}

function randomValue(r: () => number, depth: number): unknown {
  if (depth > 4 || r() < 0.4) return randomScalar(r);
  if (r() < 0.5) return Array.from({ length: Math.floor(r() * 5) }, () => randomValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) {
    const key = r() < 0.2 ? POLLUTION_KEYS[Math.floor(r() * POLLUTION_KEYS.length)]! : `k${Math.floor(r() * 20)}`;
    o[key] = randomValue(r, depth + 1);
  }
  return o;
}

/** Nested `depth` levels of {a: {a: ...}} or [[...]], built without recursion. */
export function deepNest(depth: number, kind: 'object' | 'array'): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = kind === 'object' ? { a: v } : [v];
  return v;
}

/** JSON text with an own "__proto__" key (what an attacker can send over any JSON channel). */
export function pollutionPayload(base: Record<string, unknown>, r: () => number): unknown {
  const key = POLLUTION_KEYS[Math.floor(r() * POLLUTION_KEYS.length)]!;
  const inner = JSON.stringify({ polluted: 'yes', toString: 'no', isAdmin: true });
  const text = JSON.stringify(base).replace(/^\{/, `{"${key}":${inner}${Object.keys(base).length ? ',' : ''}`);
  return JSON.parse(text);
}

/** One field of a valid payload replaced by a random value, removed, or a new key added. */
function mutate(base: Record<string, unknown>, r: () => number): unknown {
  const copy: Record<string, unknown> = JSON.parse(JSON.stringify(base));
  const keys = Object.keys(copy);
  const choice = r();
  if (keys.length > 0 && choice < 0.5) {
    const k = keys[Math.floor(r() * keys.length)]!;
    copy[k] = randomValue(r, 2);
  } else if (keys.length > 0 && choice < 0.7) {
    delete copy[keys[Math.floor(r() * keys.length)]!];
  } else {
    copy[`extra${Math.floor(r() * 5)}`] = randomValue(r, 2);
  }
  return copy;
}

/** `count` hostile payloads for one request. */
export function hostilePayloads(name: RequestName, count: number, seed: number): unknown[] {
  const r = seededRandom(seed);
  const base = VALID_EXAMPLES[name];
  const out: unknown[] = [
    null,
    42,
    'getSnapshot',
    [],
    [base],
    deepNest(1_500, 'object'),
    deepNest(1_500, 'array'),
    { ...base, big: 'x'.repeat(2_000_000) },
    pollutionPayload(base, r),
  ];
  while (out.length < count) {
    const c = r();
    if (c < 0.5) out.push(mutate(base, r));
    else if (c < 0.65) out.push(pollutionPayload(base, r));
    else out.push(randomValue(r, 0));
  }
  return out;
}

export const ALL_REQUESTS: readonly RequestName[] = REQUEST_NAMES;
