/**
 * The messages of the web transport, one JSON object per WebSocket text message. Shared (as types)
 * by the server (main/web/server.ts) and the browser client (renderer/src/transport/web.ts).
 *
 * client -> server: first `hello` with the per-run token, then `request`s.
 * server -> client: `ready` once the token is accepted, `response` to each request (same id),
 * `event` for every event of the contract. A refused token closes the socket with 1008.
 *
 * The answer to `getSnapshot` carries its `jobs` as a table of columns (preload/contract/wire.ts), about a
 * quarter of the text of a list of objects; the client turns it back into the list before
 * answering.
 */
import type { EventName } from './channels';
import type { Result } from './model';

export const PROTOCOL = {
  /** The WebSocket endpoint. */
  path: '/ws',
  /** Close code: the token or the origin was refused (RFC 6455 policy violation). */
  closePolicy: 1008,
  /** Close code: the server is overloaded or the client too slow; reconnect later. */
  closeTryAgain: 1013,
} as const;

export type ClientMessage =
  | { type: 'hello'; token: string }
  | { type: 'request'; id: string | number; name: string; input: unknown };

export type ServerMessage =
  | { type: 'ready' }
  | { type: 'response'; id: string | number | null; result: Result<unknown> }
  | { type: 'event'; name: EventName; payload: unknown };
