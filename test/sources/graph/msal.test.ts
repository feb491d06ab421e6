/**
 * MSAL Node run for real, offline: authority and cloud-discovery metadata are supplied, and a custom
 * INetworkModule sends MSAL's https requests for the fake authority host to the simulator's token
 * endpoint on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { GraphSourceConfig } from '../../../preload/contract/model';
import { AuthRequiredError } from '../../../main/sources/graph/auth';
import { createAppTokenProvider, createMsalTokenProvider, type MsalOptions } from '../../../main/sources/graph/msal';
import { HttpClient } from '../../../main/http/client';
import type { SignInProgress } from '../../../preload/contract/contract';
import { ANN, rig, type Rig } from './helpers';

const HOST = 'login.sim.test';
let r: Rig | null = null;
afterEach(async () => {
  await r?.sim.close();
  r = null;
});

function msalOpts(sim: Rig['sim'], seen: string[]): MsalOptions {
  const forward = async <T>(method: 'GET' | 'POST', url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> => {
    const u = new URL(url);
    if (u.host !== HOST) throw new Error(`MSAL tried to reach ${u.host}`);
    seen.push(`${method} ${u.pathname}`);
    const res = await fetch(`${sim.url}${u.pathname}${u.search}`, { method, headers: options?.headers, body: options?.body });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => (headers[k] = v));
    return { status: res.status, headers, body: (await res.json()) as T };
  };
  const networkClient: INetworkModule = {
    sendGetRequestAsync: (url, options) => forward('GET', url, options),
    sendPostRequestAsync: (url, options) => forward('POST', url, options),
  };
  return { networkClient, ...offlineMetadata() };
}

/** Authority and cloud-discovery metadata supplied, so that MSAL asks only the token endpoints. */
function offlineMetadata(): MsalOptions {
  const tenant = 'tenant-1';
  return {
    knownAuthorities: [HOST],
    authorityMetadata: JSON.stringify({
      token_endpoint: `https://${HOST}/${tenant}/oauth2/v2.0/token`,
      authorization_endpoint: `https://${HOST}/${tenant}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `https://${HOST}/${tenant}/oauth2/v2.0/devicecode`,
      end_session_endpoint: `https://${HOST}/${tenant}/oauth2/v2.0/logout`,
      issuer: `https://${HOST}/${tenant}/v2.0`,
      jwks_uri: `https://${HOST}/${tenant}/discovery/v2.0/keys`,
    }),
    cloudDiscoveryMetadata: JSON.stringify({ tenant_discovery_endpoint: `https://${HOST}/${tenant}/v2.0/.well-known/openid-configuration`, metadata: [{ preferred_network: HOST, preferred_cache: HOST, aliases: [HOST] }] }),
  };
}

describe('MSAL token providers against the simulator token endpoint', () => {
  it('gets application tokens by client credentials with the stored secret, and refuses a wrong one', async () => {
    r = await rig({ apps: [{ clientId: 'admin-app', secret: 's3cret', appRoles: ['PrintJob.ReadWriteBasic.All'] }] });
    const seen: string[] = [];
    const config = GraphSourceConfig.parse({ id: 'up', kind: 'graph', baseUrl: r.sim.baseUrl, authority: `https://${HOST}/tenant-1`, admin: { enabled: true, clientId: 'admin-app', tenantId: 'tenant-1', credential: 'secret' } });
    const tp = createAppTokenProvider(config, r.deps, msalOpts(r.sim, seen));
    await expect(tp.getToken({ scopes: [] })).rejects.toThrow('No client secret is stored for admin mode of "up": enter it in Settings.');
    await r.secrets.set('up', 'CLIENT_SECRET', 's3cret');
    const token = await tp.getToken({ scopes: [] });
    expect(r.sim.mintedTokens().get(token)).toMatchObject({ kind: 'application', appId: 'admin-app' });
    expect(seen).toContain('POST /tenant-1/oauth2/v2.0/token');
    await r.secrets.set('up', 'CLIENT_SECRET', 'wrong');
    const e = await tp.getToken({ scopes: [], forceRefresh: true }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AuthRequiredError);
    expect((e as Error).message).toContain('AADSTS7000215');
    expect((e as Error).message).not.toContain('wrong');
  });

  it('signs in by device code, renews silently, persists the cache through the secret store and signs out', async () => {
    r = await rig({ users: [{ upn: ANN, displayName: 'Ann' }], apps: [{ clientId: 'desktop-app' }], autoApproveDeviceCodeAs: ANN });
    const seen: string[] = [];
    const config = GraphSourceConfig.parse({ id: 'up', kind: 'graph', baseUrl: r.sim.baseUrl, authority: `https://${HOST}/tenant-1`, clientId: 'desktop-app' });
    const progress: SignInProgress[] = [];
    r.deps.signInProgress = (p) => progress.push(p);
    const o = msalOpts(r.sim, seen);
    const tp = createMsalTokenProvider(config, r.deps, o);
    await expect(tp.getToken({ scopes: ['https://graph.microsoft.com/PrintJob.ReadBasic'] })).rejects.toBeInstanceOf(AuthRequiredError);
    await tp.signIn!({});
    // The code, where to enter it and until when reach the window (an event of the contract).
    const code = progress[0] as Extract<SignInProgress, { stage: 'device-code' }>;
    expect(code).toEqual({
      sourceId: 'up',
      stage: 'device-code',
      userCode: expect.stringMatching(/^U\d{8}$/),
      verificationUri: 'https://microsoft.com/devicelogin',
      expiresAt: new Date(r.clock.now() + 900_000).toISOString(),
      message: `To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ${code.userCode} to authenticate.`,
    });
    expect(progress.slice(1)).toEqual([{ sourceId: 'up', stage: 'done' }]);
    expect(tp.account!()).toEqual({ username: ANN });
    const t1 = await tp.getToken({ scopes: ['https://graph.microsoft.com/PrintJob.ReadBasic'] });
    expect(r.sim.mintedTokens().get(t1)).toMatchObject({ kind: 'delegated', upn: ANN });
    // The cache is stored only through the secret store, and never in the logs.
    const cache = r.secrets.values.get('up.MSAL_CACHE');
    expect(cache).toContain('RefreshToken');
    expect(r.logger.lines.join('\n')).not.toContain(t1);
    // Forced renewal uses the refresh token.
    const t2 = await tp.getToken({ scopes: ['https://graph.microsoft.com/PrintJob.ReadBasic'], forceRefresh: true });
    expect(t2).not.toBe(t1);
    // A second provider (the next app start) signs in silently from the persisted cache.
    const again = createMsalTokenProvider(config, r.deps, o);
    const t3 = await again.getToken({ scopes: ['https://graph.microsoft.com/PrintJob.ReadBasic'] });
    expect(r.sim.mintedTokens().get(t3)).toMatchObject({ upn: ANN });
    await again.signOut!();
    expect(r.secrets.values.has('up.MSAL_CACHE')).toBe(false);
    await expect(again.getToken({ scopes: ['https://graph.microsoft.com/PrintJob.ReadBasic'] })).rejects.toBeInstanceOf(AuthRequiredError);
  });

  it('signing in as someone else replaces the account: the next start is signed in as them, not as the first', async () => {
    const BOB = 'bob@contoso.com';
    r = await rig({ users: [{ upn: ANN, displayName: 'Ann' }, { upn: BOB, displayName: 'Bob' }], apps: [{ clientId: 'desktop-app' }] });
    const config = GraphSourceConfig.parse({ id: 'up', kind: 'graph', baseUrl: r.sim.baseUrl, authority: `https://${HOST}/tenant-1`, clientId: 'desktop-app' });
    let who = ANN;
    r.deps.signInProgress = (p) => {
      if (p.stage === 'device-code') r!.sim.approveDeviceCode(p.userCode, who);
    };
    const o = msalOpts(r.sim, []);
    const tp = createMsalTokenProvider(config, r.deps, o);
    await tp.signIn!({});
    expect(tp.account!()).toEqual({ username: ANN });
    who = BOB;
    await tp.signIn!({});
    expect(tp.account!()).toEqual({ username: BOB });
    const again = createMsalTokenProvider(config, r.deps, o);
    const t = await again.getToken({ scopes: ['https://graph.microsoft.com/PrintJob.ReadBasic'] });
    expect(r.sim.mintedTokens().get(t)).toMatchObject({ upn: BOB });
    expect(again.account!()).toEqual({ username: BOB });
  });

  it('signs in interactively through the system browser: loopback redirect with PKCE', async () => {
    r = await rig({ users: [{ upn: ANN }], apps: [{ clientId: 'desktop-app' }], autoApproveDeviceCodeAs: ANN });
    const sim = r.sim;
    const opened: string[] = [];
    // The "system browser": follows the authorize URL to the simulator, then its redirect to MSAL's loopback listener.
    const hosts: string[] = [];
    r.deps.openExternal = async (url, o) => {
      opened.push(url);
      hosts.push(o?.signInHost ?? '');
      const u = new URL(url);
      const res = await fetch(`${sim.url}${u.pathname}${u.search}`, { redirect: 'manual' });
      const html = await res.text();
      const action = html.match(/<form method="POST" action="([^"]+)"/);
      if (!action) throw new Error(`authorize answered ${res.status}: ${html.slice(0, 80)}`);
      const form = new URLSearchParams();
      for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"\/>/g)) form.set(m[1], m[2].replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&amp;/g, '&'));
      await fetch(action[1].replace(/&amp;/g, '&'), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
    };
    const seen: string[] = [];
    const progress: SignInProgress[] = [];
    r.deps.signInProgress = (p) => progress.push(p);
    const config = GraphSourceConfig.parse({ id: 'up', kind: 'graph', baseUrl: sim.baseUrl, authority: `https://${HOST}/tenant-1`, clientId: 'desktop-app' });
    const tp = createMsalTokenProvider(config, r.deps, msalOpts(sim, seen));
    await tp.signIn!({});
    // The sign-in host allowed for the browser is the configured authority's (national clouds).
    expect(hosts).toEqual([HOST]);
    expect(progress).toEqual([{ sourceId: 'up', stage: 'browser', url: opened[0] }, { sourceId: 'up', stage: 'done' }]);
    const q = new URL(opened[0]).searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+/);
    const t = await tp.getToken({ scopes: ['https://graph.microsoft.com/PrintJob.ReadBasic'] });
    expect(sim.mintedTokens().get(t)).toMatchObject({ kind: 'delegated', upn: ANN });
    expect(r.logger.lines.filter((l) => l.startsWith('warn'))).toEqual([]);
    expect(seen.filter((x) => x.endsWith('/devicecode'))).toEqual([]);
  });

  it("signs in through the app's own HTTP layer (the network module MSAL is given), not Node's fetch", async () => {
    r = await rig({ users: [{ upn: ANN }], apps: [{ clientId: 'desktop-app' }], autoApproveDeviceCodeAs: ANN });
    const sim = r.sim;
    // The app's transport (Electron's network stack in the app): here it carries the sign-in host to the simulator.
    const through: string[] = [];
    let down = false;
    const transport = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const req = new Request(input, init);
      const u = new URL(req.url);
      through.push(`${req.method} ${u.host}${u.pathname}`);
      if (u.host !== HOST || down) throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
      return fetch(`${sim.url}${u.pathname}${u.search}`, { method: req.method, headers: req.headers, body: req.method === 'GET' ? undefined : await req.text() });
    }) as typeof fetch;
    r.deps.http = new HttpClient({ fetch: transport, timeoutMs: 3000 });
    const failures: SignInProgress[] = [];
    r.deps.signInProgress = (p) => failures.push(p);
    const config = GraphSourceConfig.parse({ id: 'up', kind: 'graph', baseUrl: sim.baseUrl, authority: `https://${HOST}/tenant-1`, clientId: 'desktop-app' });
    const tp = createMsalTokenProvider(config, r.deps, offlineMetadata());
    await tp.signIn!({});
    expect(through).toEqual([`POST ${HOST}/tenant-1/oauth2/v2.0/devicecode`, `POST ${HOST}/tenant-1/oauth2/v2.0/token`]);
    expect(tp.account!()).toEqual({ username: ANN });
    expect(failures.map((p) => p.stage)).toEqual(['device-code', 'done']);
    // Where the app's network cannot reach the sign-in host, the sign-in fails in those words.
    down = true;
    failures.length = 0;
    const e = (await tp.signIn!({}).catch((x: unknown) => x)) as Error;
    expect(e.message).toMatch(/^Microsoft sign-in did not complete: .*could not be reached/);
    expect(failures).toEqual([{ sourceId: 'up', stage: 'failed', message: e.message }]);
  });
});
