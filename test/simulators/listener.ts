/**
 * The HTTP listener of a simulator that can go offline and come back on the same port (connections
 * refused in between), and drop its open connections on demand (so new ones resolve the host again).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface SimulatorListener {
  readonly port: number;
  readonly online: boolean;
  /** Listens on `port` (0: a free one). */
  listen(port: number): Promise<void>;
  /** Stops listening and closes every connection. */
  stop(): Promise<void>;
  dropConnections(): void;
}

/** `tls`: the key and certificate to serve HTTPS with (a printer's own certificate). */
export function simulatorListener(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>, onError: (res: ServerResponse, err: unknown) => void, tls?: { key: string; cert: string }): SimulatorListener {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  let port = 0;
  let online = false;
  const dropConnections = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    get port() {
      return port;
    },
    get online() {
      return online;
    },
    async listen(onPort) {
      const onRequest = (req: IncomingMessage, res: ServerResponse) => {
        handle(req, res).catch((err: unknown) => onError(res, err));
      };
      const srv: Server = tls ? createTlsServer(tls, onRequest) : createServer(onRequest);
      srv.on('connection', (s: Socket) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(onPort, '127.0.0.1', () => {
          srv.off('error', reject);
          resolve();
        });
      });
      server = srv;
      port = (srv.address() as AddressInfo).port;
      online = true;
    },
    async stop() {
      const srv = server;
      server = null;
      online = false;
      if (!srv) return;
      dropConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    },
    dropConnections,
  };
}
