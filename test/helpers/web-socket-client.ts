/**
 * A test client of the preview's WebSocket: connects with the right Origin, says hello with the
 * token, then sends messages with an id and resolves each with the result answered to it.
 */
import { WebSocket } from 'ws';
import type { WebTransport } from '../../main/web/server';

export interface WebSocketClient {
  ws: WebSocket;
  /** Sends `msg` with a fresh id; resolves with the `result` of the response to that id. */
  send(msg: unknown): Promise<unknown>;
  /** Sends a raw frame (garbage included); nothing is awaited. */
  raw(text: string): void;
}

export async function connectWebSocket(transport: Pick<WebTransport, 'port' | 'token'>): Promise<WebSocketClient> {
  const ws = new WebSocket(`ws://127.0.0.1:${transport.port}/ws`, { headers: { Origin: `http://127.0.0.1:${transport.port}` } });
  const waiting = new Map<string | number, (v: unknown) => void>();
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { type: string; id?: string | number; result?: unknown };
    if (msg.type === 'ready') ready();
    if (msg.type === 'response' && msg.id !== undefined && msg.id !== null) {
      waiting.get(msg.id)?.(msg.result);
      waiting.delete(msg.id);
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  ws.send(JSON.stringify({ type: 'hello', token: transport.token }));
  await readyP;
  let next = 0;
  return {
    ws,
    send: (msg) =>
      new Promise((resolve) => {
        const id = ++next;
        waiting.set(id, resolve);
        ws.send(JSON.stringify({ ...(msg as object), id }));
      }),
    raw: (text) => ws.send(text),
  };
}
