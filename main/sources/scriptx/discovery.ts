/**
 * Finding ScriptX.Services: a configured base URL; else the orchestrator (built in from 2.17) which
 * answers this user's port; else probing licensing/ping on successive loopback ports, as MeadCo's
 * own client does.
 */
import type { ScriptxSourceConfig } from '../../../preload/contract/model';
import { HttpError, type HttpClient } from '../../http/client';
import { SourceError } from '../../queue/source';
import { PingSchema, orchestratorPort } from './client';

export const DEFAULT_ORCHESTRATOR_URL = 'http://127.0.0.1:41190';
export const DEFAULT_PROBE_PORTS = { from: 41191, to: 41200 } as const;
export const DEFAULT_PROBE_HOST = '127.0.0.1';

export type FoundBy = 'configured URL' | 'orchestrator' | 'port probe';

export interface Discovered {
  baseUrl: string;
  foundBy: FoundBy;
  /** What was tried, for the health detail. */
  tried: string[];
}

export interface DiscoveryOptions {
  /** Host probed for ports (default 127.0.0.1). */
  probeHost?: string;
  /** Overrides config.probePorts (tests). */
  probePorts?: { from: number; to: number };
  /** Overrides the orchestrator URL default (tests); config.orchestratorUrl wins. */
  orchestratorUrl?: string;
  /** Timeout of one orchestrator call or one probe. */
  timeoutMs?: number;
}

function reason(err: unknown): string {
  if (err instanceof HttpError) {
    if (err.kind === 'unreachable') return 'nothing answered';
    if (err.kind === 'timeout') return 'no answer in time';
    if (err.kind === 'http') return `answered ${err.status}${err.serviceMessage ? ` (${err.serviceMessage})` : ''}`;
    if (err.kind === 'malformed') return 'answered something that is not ScriptX.Services';
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}

async function pingAt(http: HttpClient, baseUrl: string, signal: AbortSignal, timeoutMs: number): Promise<void> {
  await http.request({ method: 'GET', url: `${baseUrl}/api/v1/licensing/ping`, timeoutMs, signal }, PingSchema);
}

/**
 * Finds the service. Throws SourceError('down') naming what was tried when nothing answers.
 * A configured base URL is returned as is: whether it answers is the poll's business.
 */
export async function discoverService(config: Pick<ScriptxSourceConfig, 'baseUrl' | 'orchestratorUrl' | 'probePorts'>, http: HttpClient, signal: AbortSignal, opts: DiscoveryOptions = {}): Promise<Discovered> {
  if (config.baseUrl) return { baseUrl: config.baseUrl.replace(/\/+$/, ''), foundBy: 'configured URL', tried: [] };
  const timeoutMs = opts.timeoutMs ?? 1500;
  const tried: string[] = [];
  const host = opts.probeHost ?? DEFAULT_PROBE_HOST;

  const orchUrl = (config.orchestratorUrl ?? opts.orchestratorUrl ?? DEFAULT_ORCHESTRATOR_URL).replace(/\/+$/, '');
  try {
    const port = await orchestratorPort(http, orchUrl, signal, timeoutMs);
    const orchHost = new URL(orchUrl).hostname;
    const baseUrl = `http://${orchHost}:${port}`;
    try {
      await pingAt(http, baseUrl, signal, timeoutMs);
      return { baseUrl, foundBy: 'orchestrator', tried };
    } catch (err) {
      if (signal.aborted) throw err;
      tried.push(`the orchestrator at ${orchUrl} named port ${port}, but ${reason(err)} there`);
    }
  } catch (err) {
    if (signal.aborted) throw err;
    tried.push(`orchestrator at ${orchUrl}: ${reason(err)}`);
  }

  const range = opts.probePorts ?? config.probePorts ?? DEFAULT_PROBE_PORTS;
  const from = Math.min(range.from, range.to);
  const to = Math.min(Math.max(range.from, range.to), from + 63);
  const ports: number[] = [];
  for (let p = from; p <= to; p++) ports.push(p);
  // Probed together (loopback, short timeout); the lowest answering port wins, as in sequence.
  const results = await Promise.allSettled(ports.map((p) => pingAt(http, `http://${host}:${p}`, signal, timeoutMs)));
  if (signal.aborted) throw new SourceError('down', 'Looking for ScriptX.Services was canceled.');
  const i = results.findIndex((r) => r.status === 'fulfilled');
  if (i >= 0) return { baseUrl: `http://${host}:${ports[i]}`, foundBy: 'port probe', tried };
  tried.push(`licensing/ping on ports ${from}-${to} of ${host}: nothing answered as ScriptX.Services`);
  throw new SourceError('down', `ScriptX.Services is not running on this PC (nothing answered at the orchestrator ${orchUrl} or on ports ${from}-${to}).`, {
    detail: { tried },
  });
}
