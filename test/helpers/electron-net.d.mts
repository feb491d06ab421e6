import type { ClientRequest, ClientRequestConstructorOptions } from 'electron';
export function netRequest(opts: ClientRequestConstructorOptions): ClientRequest;
