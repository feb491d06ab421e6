/**
 * MSAL Node run for real, offline: authority and cloud-discovery metadata are supplied, and a custom
 * INetworkModule sends MSAL's https requests for the fake authority host to the simulator's token
 * endpoint on 127.0.0.1.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { GraphSourceConfig } from '../../../preload/model';
import { AuthRequiredError } from '../../../main/sources/graph/auth';
import { createAppTokenProvider, createMsalTokenProvider, type MsalOptions } from '../../../main/sources/graph/msal';
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
  const tenant = 'tenant-1';
  return {
    networkClient,
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
    const codes: string[] = [];
    const o = { ...msalOpts(r.sim, seen), onDeviceCode: (d: { userCode: string }) => codes.push(d.userCode) };
    const tp = createMsalTokenProvider(config, r.deps, o);
    await expect(tp.getToken({ scopes: ['https://graph.microsoft.com/PrintJob.ReadBasic'] })).rejects.toBeInstanceOf(AuthRequiredError);
    await tp.signIn!({});
    expect(codes.length).toBe(1);
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

  it('signs in interactively through the system browser: loopback redirect with PKCE', async () => {
    r = await rig({ users: [{ upn: ANN }], apps: [{ clientId: 'desktop-app' }], autoApproveDeviceCodeAs: ANN });
    const sim = r.sim;
    const opened: string[] = [];
    // The "system browser": follows the authorize URL to the simulator, then its redirect to MSAL's loopback listener.
    r.deps.openExternal = async (url) => {
      opened.push(url);
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
    const config = GraphSourceConfig.parse({ id: 'up', kind: 'graph', baseUrl: sim.baseUrl, authority: `https://${HOST}/tenant-1`, clientId: 'desktop-app' });
    const tp = createMsalTokenProvider(config, r.deps, msalOpts(sim, seen));
    await tp.signIn!({});
    const q = new URL(opened[0]).searchParams;
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+/);
    const t = await tp.getToken({ scopes: ['https://graph.microsoft.com/PrintJob.ReadBasic'] });
    expect(sim.mintedTokens().get(t)).toMatchObject({ kind: 'delegated', upn: ANN });
    expect(r.logger.lines.filter((l) => l.startsWith('warn'))).toEqual([]);
    expect(seen.filter((x) => x.endsWith('/devicecode'))).toEqual([]);
  });
});
