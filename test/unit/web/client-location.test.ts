// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createWebBridge } from '../../../renderer/src/transport/web';

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
  it('takes the token from the fragment, removes it from the address bar and connects to /ws of the page host', () => {
    (window as unknown as { happyDOM: { setURL(u: string): void } }).happyDOM.setURL('http://127.0.0.1:4567/?q=1#token=secret-token-value&view=all');
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
