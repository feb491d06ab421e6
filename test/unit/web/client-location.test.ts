// @vitest-environment happy-dom
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EARLY_SOCKET_GLOBAL, createWebBridge, takeEarlySocket, webSocketUrl } from '../../../renderer/src/transport/web';
import { PROTOCOL } from '../../../preload/contract/protocol';
import { inlineScripts } from '../../helpers/inline-scripts';

class RecordingSocket {
  static last: RecordingSocket | null = null;
  readyState = 0;
  sent: string[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {
    RecordingSocket.last = this;
  }
  send(text: string) {
    this.sent.push(text);
  }
  close() {
    this.readyState = 3;
  }
}

describe('web bridge in a page', () => {
  it.each([
    // The address the preview prints: the token in the query, which the server reads too.
    ['query', 'http://127.0.0.1:4567/?token=secret-token-value&q=1#view=all'],
    ['fragment', 'http://127.0.0.1:4567/?q=1#token=secret-token-value&view=all'],
  ])('takes the token from the %s, removes it from the address bar and connects to /ws of the page host', (_where, url) => {
    (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(url);
    const b = createWebBridge({ WebSocketImpl: RecordingSocket as never });
    const s = RecordingSocket.last!;
    expect(s.url).toBe('ws://127.0.0.1:4567/ws');
    expect(location.href).toBe('http://127.0.0.1:4567/?q=1#view=all');
    expect(location.href).not.toContain('secret-token-value');
    s.readyState = 1;
    s.onopen?.({});
    expect(JSON.parse(s.sent[0])).toEqual({ type: 'hello', token: 'secret-token-value' });
    b.close();
  });
});

describe('the address left in the bar', () => {
  it.each([
    ['http://127.0.0.1:4567/?token=secret-token-value#section', 'http://127.0.0.1:4567/#section'],
    ['http://127.0.0.1:4567/?token=secret-token-value&a=b%20c', 'http://127.0.0.1:4567/?a=b+c'],
    ['http://127.0.0.1:4567/?q=x%2Fy#token=secret-token-value', 'http://127.0.0.1:4567/?q=x%2Fy'],
    ['http://127.0.0.1:4567/?token=secret-token-value#token=secret-token-value', 'http://127.0.0.1:4567/'],
  ])('%s becomes %s: only the token taken out', (url, left) => {
    (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(url);
    const b = createWebBridge({ WebSocketImpl: RecordingSocket as never });
    expect(location.href).toBe(left);
    b.close();
  });
});

describe("the page's early socket (renderer/index.html)", () => {
  const page = readFileSync(join(__dirname, '../../../renderer/index.html'), 'utf8');
  const [script] = inlineScripts(page);
  const scope = globalThis as unknown as Record<string, unknown>;

  function runPageScript(url: string): RecordingSocket | undefined {
    (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL(url);
    const saved = globalThis.WebSocket;
    globalThis.WebSocket = RecordingSocket as never;
    try {
      new Function(script!)();
    } finally {
      globalThis.WebSocket = saved;
    }
    return scope[EARLY_SOCKET_GLOBAL] as RecordingSocket | undefined;
  }

  afterEach(() => {
    delete scope[EARLY_SOCKET_GLOBAL];
  });

  it('opens the socket the bridge would open, where the bridge takes it over, only for a preview page with a token', () => {
    const early = runPageScript('http://127.0.0.1:4567/#token=secret-token-value');
    expect(early?.url).toBe(webSocketUrl());
    expect(webSocketUrl()).toBe(`ws://127.0.0.1:4567${PROTOCOL.path}`);
    delete scope[EARLY_SOCKET_GLOBAL];
    // The address the preview prints: the token in the query.
    expect(runPageScript('http://127.0.0.1:4567/?token=secret-token-value')?.url).toBe(`ws://127.0.0.1:4567${PROTOCOL.path}`);
    delete scope[EARLY_SOCKET_GLOBAL];
    expect(runPageScript('http://127.0.0.1:4567/?q=1&token=secret-token-value')?.url).toBe(`ws://127.0.0.1:4567${PROTOCOL.path}`);
    delete scope[EARLY_SOCKET_GLOBAL];
    // The app's own window (app://), or a page without a token: nothing is opened.
    expect(runPageScript('app://window/index.html')).toBeUndefined();
    expect(runPageScript('http://127.0.0.1:4567/')).toBeUndefined();
    expect(runPageScript('http://127.0.0.1:4567/#view=all')).toBeUndefined();
    expect(runPageScript('http://127.0.0.1:4567/?mytoken=1')).toBeUndefined();
  });

  it('takes over a socket already open: the hello goes on it at once, and no other socket is opened', () => {
    const early = runPageScript('http://127.0.0.1:4567/#token=secret-token-value')!;
    early.readyState = 1;
    RecordingSocket.last = null;
    const url = webSocketUrl();
    const b = createWebBridge({ url, early: takeEarlySocket(url), WebSocketImpl: RecordingSocket as never, pipeline: true });
    expect(RecordingSocket.last).toBeNull();
    expect(scope[EARLY_SOCKET_GLOBAL]).toBeUndefined();
    expect(JSON.parse(early.sent[0]!)).toEqual({ type: 'hello', token: 'secret-token-value' });
    void b.request('getSnapshot', {});
    expect(JSON.parse(early.sent[1]!)).toMatchObject({ type: 'request', name: 'getSnapshot' });
    b.close();
  });

  it('takes over a socket still connecting: the hello goes on it when it opens', () => {
    const early = runPageScript('http://127.0.0.1:4567/#token=secret-token-value')!;
    RecordingSocket.last = null;
    const url = webSocketUrl();
    const b = createWebBridge({ url, early: takeEarlySocket(url), WebSocketImpl: RecordingSocket as never });
    expect(RecordingSocket.last).toBeNull();
    expect(early.sent).toEqual([]);
    early.readyState = 1;
    early.onopen?.({});
    expect(JSON.parse(early.sent[0]!)).toEqual({ type: 'hello', token: 'secret-token-value' });
    b.close();
  });

  it('leaves a socket to another address, or one closing or closed, and closes it', () => {
    for (const [url, readyState] of [
      ['ws://127.0.0.1:9999/ws', 0],
      ['ws://127.0.0.1:4567/ws', 2],
      ['ws://127.0.0.1:4567/ws', 3],
    ] as const) {
      const other = new RecordingSocket(url);
      other.readyState = readyState;
      let closed = false;
      other.close = () => void (closed = true);
      scope[EARLY_SOCKET_GLOBAL] = other;
      expect(takeEarlySocket('ws://127.0.0.1:4567/ws')).toBeNull();
      expect(closed).toBe(true);
      expect(scope[EARLY_SOCKET_GLOBAL]).toBeUndefined();
    }
    scope[EARLY_SOCKET_GLOBAL] = 'not a socket';
    expect(takeEarlySocket('ws://127.0.0.1:4567/ws')).toBeNull();
    expect(takeEarlySocket('ws://127.0.0.1:4567/ws')).toBeNull();
  });
});
