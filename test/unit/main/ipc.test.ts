/** main/ipc.ts with Electron mocked: exactly the contract's channels, validation, sender checks, answers and events as text. */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const handled = new Map<string, (event: unknown, payload: unknown) => Promise<unknown>>();
vi.mock('electron', () => {
  const ipcMain = {
    handle: vi.fn((channel: string, fn: (e: unknown, p: unknown) => Promise<unknown>) => {
      if (handled.has(channel)) throw new Error(`second handler for ${channel}`);
      handled.set(channel, fn);
    }),
    removeHandler: vi.fn((channel: string) => handled.delete(channel)),
  };
  return { ipcMain, default: { ipcMain } };
});

const { registerIpc, createSenderCheck, forwardEvents, NOT_ALLOWED } = await import('../../../main/ipc');
const { requests } = await import('../../../preload/contract/contract');
const { REQUEST_NAMES, requestChannel, eventChannel, EVENT_NAMES } = await import('../../../preload/contract/channels');
const { silentLogger } = await import('../../../main/ports/ports');
import type { Handlers } from '../../../preload/contract/contract';
import { toAppError } from '../../../preload/contract/model';
import { answerText, readAnswer } from '../../../preload/contract/wire';
import { sampleJob } from '../web/fake-core';

function fakeHandlers(): Handlers & Record<string, ReturnType<typeof vi.fn>> {
  return Object.fromEntries(REQUEST_NAMES.map((n) => [n, vi.fn(async () => `answer:${n}`)])) as never;
}

/** An answer main gave: always text (the preload hands it to the page whole), read as JSON. */
async function answerOf(p: Promise<unknown>): Promise<unknown> {
  const text = await p;
  expect(typeof text).toBe('string');
  return JSON.parse(text as string);
}

const trusted = { sender: { id: 7 }, senderFrame: { parent: null, url: 'file:///app/out/renderer/index.html' } };
let handlers: ReturnType<typeof fakeHandlers>;
let unregister: () => void;

beforeEach(() => {
  handled.clear();
  handlers = fakeHandlers();
  unregister = registerIpc({ handlers, isTrustedSender: (e) => e === (trusted as unknown), logger: silentLogger, toError: toAppError });
});

describe('registerIpc', () => {
  it('registers one handler per contract request and nothing else', () => {
    expect([...handled.keys()].sort()).toEqual(Object.keys(requests).map((n) => requestChannel(n as never)).sort());
    unregister();
    expect(handled.size).toBe(0);
  });

  it('answers a valid request with the envelope, as its JSON text', async () => {
    const answer = await handled.get(requestChannel('cancelJob'))!(trusted, { key: 'local:abc' });
    expect(answer).toBe(JSON.stringify({ ok: true, value: 'answer:cancelJob' }));
    expect(handlers.cancelJob).toHaveBeenCalledWith({ key: 'local:abc' });
  });

  it('rejects an invalid payload on every request with invalid-input, never calling the handler', async () => {
    for (const name of REQUEST_NAMES) {
      const answer = (await answerOf(handled.get(requestChannel(name))!(trusted, { unexpectedField: 1, sourceId: 42, key: 7 }))) as { ok: boolean; error: { code: string; message: string } };
      expect(answer.ok, name).toBe(false);
      expect(answer.error.code, name).toBe('invalid-input');
      expect(answer.error.message.length, name).toBeGreaterThan(0);
      expect(handlers[name], name).not.toHaveBeenCalled();
    }
  });

  it('names the wrong field', async () => {
    const answer = (await answerOf(handled.get(requestChannel('pauseMonitoring'))!(trusted, { minutes: 'soon' }))) as { error: { field: string } };
    expect(answer.error.field).toBe('minutes');
    const bad = (await answerOf(handled.get(requestChannel('trackJob'))!(trusted, { sourceId: 'local', id: '../b' }))) as { error: { field: string; message: string } };
    expect(bad.error.field).toBe('id');
  });

  it('refuses a foreign sender with not-allowed before validating', async () => {
    const foreign = { sender: { id: 9 }, senderFrame: { parent: null, url: 'https://evil.example/' } };
    const answer = await answerOf(handled.get(requestChannel('getSettings'))!(foreign, {}));
    expect(answer).toEqual({ ok: false, error: NOT_ALLOWED });
    expect(handlers.getSettings).not.toHaveBeenCalled();
  });

  it('turns a thrown error into the envelope through the core\'s toError, once', async () => {
    handled.clear();
    (handlers.getSnapshot as unknown as ReturnType<typeof vi.fn>).mockRejectedValueOnce(new Error('token abc123secret leaked'));
    const toError = vi.fn(() => ({ code: 'internal' as const, message: 'redacted' }));
    registerIpc({ handlers, isTrustedSender: () => true, logger: silentLogger, toError });
    expect(await answerOf(handled.get(requestChannel('getSnapshot'))!(trusted, {}))).toEqual({ ok: false, error: { code: 'internal', message: 'redacted' } });
    expect(toError).toHaveBeenCalledTimes(1);
  });
});

describe('registerIpc: a long answer', () => {
  it('encodes the whole queue a step at a time, answering other requests meanwhile, to the same text', async () => {
    const jobs = Array.from({ length: 6_000 }, (_, i) => sampleJob({ key: `local:j-${i}`, nativeId: `j-${i}`, document: `Doc ${i}` }));
    handled.clear();
    const slow = fakeHandlers();
    (slow.getSnapshot as unknown as ReturnType<typeof vi.fn>).mockResolvedValue({ jobs, sources: [], paused: null });
    registerIpc({ handlers: slow, isTrustedSender: () => true, logger: silentLogger, toError: toAppError });
    const order: string[] = [];
    const whole = handled.get(requestChannel('getSnapshot'))!(trusted, {}).then((t) => (order.push('snapshot'), t));
    const settings = handled.get(requestChannel('getSettings'))!(trusted, {}).then(() => order.push('settings'));
    const text = (await whole) as string;
    await settings;
    expect(order).toEqual(['settings', 'snapshot']);
    expect(text).toBe(answerText('getSnapshot', { ok: true, value: { jobs, sources: [], paused: null } }));
    expect(readAnswer(text)).toEqual({ ok: true, value: { jobs, sources: [], paused: null } });
  });
});

describe('createSenderCheck', () => {
  const where = { devServerUrl: null };
  const win = { isDestroyed: () => false, webContents: { id: 7 } };
  const check = createSenderCheck(() => win as never, where);
  const ev = (over: Record<string, unknown>) => ({ sender: { id: 7 }, senderFrame: { parent: null, url: 'app://window/index.html#x' }, ...over }) as never;

  it('accepts the main frame of the app window on the app page', () => expect(check(ev({}))).toBe(true));
  it('rejects another web contents', () => expect(check(ev({ sender: { id: 8 } }))).toBe(false));
  it('rejects a sub-frame', () => expect(check(ev({ senderFrame: { parent: {}, url: 'app://window/index.html' } }))).toBe(false));
  it('rejects another page or origin', () => {
    expect(check(ev({ senderFrame: { parent: null, url: 'file:///etc/passwd' } }))).toBe(false);
    // The page's old file:// address is not the app any more: only app://window/ is.
    expect(check(ev({ senderFrame: { parent: null, url: 'file:///app/out/renderer/index.html' } }))).toBe(false);
    expect(check(ev({ senderFrame: { parent: null, url: 'app://evil/index.html' } }))).toBe(false);
    expect(check(ev({ senderFrame: { parent: null, url: 'https://evil.example/index.html' } }))).toBe(false);
    expect(check(ev({ senderFrame: null }))).toBe(false);
  });
  it('rejects everything once the window is gone', () => {
    expect(createSenderCheck(() => null, where)(ev({}))).toBe(false);
  });
});

describe('forwardEvents', () => {
  it('sends every contract event to the window on its channel, and stops', () => {
    const listeners = new Map<string, (p: unknown) => void>();
    const core = { on: (name: string, l: (p: unknown) => void) => (listeners.set(name, l), () => listeners.delete(name)) };
    const send = vi.fn();
    const win = { isDestroyed: () => false, webContents: { isDestroyed: () => false, send } };
    const stop = forwardEvents(core as never, () => win as never);
    expect([...listeners.keys()].sort()).toEqual([...EVENT_NAMES].sort());
    listeners.get('app:navigate')!({ key: 'local:1' });
    expect(send).toHaveBeenCalledWith(eventChannel('app:navigate'), '{"key":"local:1"}');
    listeners.get('monitoring:paused')!(null);
    expect(send).toHaveBeenLastCalledWith(eventChannel('monitoring:paused'), 'null');
    stop();
    expect(listeners.size).toBe(0);
  });

  it('sends a payload that cannot be written as JSON nowhere, and says so', () => {
    const listeners = new Map<string, (p: unknown) => void>();
    const core = { on: (name: string, l: (p: unknown) => void) => (listeners.set(name, l), () => listeners.delete(name)) };
    const send = vi.fn();
    const errors: unknown[][] = [];
    const logger = { ...silentLogger, error: (...a: unknown[]) => void errors.push(a) };
    forwardEvents(core as never, () => ({ isDestroyed: () => false, webContents: { isDestroyed: () => false, send } }) as never, logger);
    listeners.get('app:notice')!({ level: 'info', message: 'x', n: 1n });
    expect(send).not.toHaveBeenCalled();
    expect(errors).toEqual([['An event could not be encoded for the window.', { event: 'app:notice', error: expect.stringMatching(/BigInt/) }]]);
    listeners.get('app:notice')!({ level: 'info', message: 'next' });
    expect(send).toHaveBeenCalledWith(eventChannel('app:notice'), '{"level":"info","message":"next"}');
  });
});
