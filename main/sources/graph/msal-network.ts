/**
 * MSAL's network module over the app's own HTTP layer, so that sign-in goes where Graph calls go:
 * through Electron's network stack in the app (the Windows proxy / PAC settings and certificate
 * store), with the same timeouts, size limit and redirect rules. MSAL's default client would use
 * Node's fetch, which knows none of them.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { HttpError, type HttpClient } from '../../http/client';

function parsed(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}

export interface MsalNetworkModule extends INetworkModule {
  /** Why the last request got no answer, in the HTTP layer's words (MSAL reports only "network_error"). */
  lastFailure(): string | null;
}

export function createMsalNetworkModule(http: HttpClient): MsalNetworkModule {
  let failure: string | null = null;
  async function send<T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions, timeoutMs?: number): Promise<NetworkResponse<T>> {
    failure = null;
    try {
      const res = await http.request<string>({ method, url, headers: options?.headers, body: options?.body, responseType: 'text', ...(timeoutMs ? { timeoutMs } : {}) });
      return { status: res.status, headers: res.headers, body: parsed(res.data) as T };
    } catch (e) {
      // The identity platform's error answers (authorization_pending, invalid_grant, ...) are
      // answers MSAL reads itself; only a failure to get any answer is an error here.
      if (e instanceof HttpError && e.kind === 'http' && e.status !== null) {
        return { status: e.status, headers: e.headers, body: (e.body && typeof e.body === 'object' ? e.body : {}) as T };
      }
      failure = e instanceof Error ? e.message : String(e);
      throw e;
    }
  }
  return {
    lastFailure: () => failure,
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) => send<T>('GET', url, options, timeout),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) => send<T>('POST', url, options, timeout),
  };
}
