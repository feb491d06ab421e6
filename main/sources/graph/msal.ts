/**
 * Microsoft sign-in for the Universal Print source with MSAL Node, behind the TokenProvider
 * interface: silent first (cached token, then the refresh token), interactive in the system browser
 * (MSAL's loopback redirect with PKCE; the URL opened through deps.openExternal), the device-code
 * flow as the fallback, and sign-out. The token cache is persisted only through an ICachePlugin
 * over the (encrypted, async) SecretStore under the secret MSAL_CACHE — never in plain files.
 *
 * Admin mode gets application tokens through client credentials (ConfidentialClientApplication)
 * with the CLIENT_SECRET or CLIENT_CERTIFICATE the admin stored.
 */
import type {
  ConfidentialClientApplication,
  PublicClientApplication,
  AccountInfo,
  AuthenticationResult,
  Configuration,
  ICachePlugin,
  INetworkModule,
  TokenCacheContext,
} from '@azure/msal-node';
import type { SignInProgress } from '../../../preload/contract/contract';
import type { GraphSourceConfig } from '../../../preload/contract/model';
import type { SecretStore } from '../../ports/ports';
import type { SourceDeps } from '../deps';
import { APP_SCOPES, AuthRequiredError, READ_SCOPES, type TokenProvider, type TokenRequest } from './auth';
import { createMsalNetworkModule } from './msal-network';

/**
 * MSAL Node is loaded when a Universal Print source first needs it, not with the app: a process
 * without such a source (most `pqm` commands, a PC with ScriptX only) never parses it.
 */
type MsalNode = typeof import('@azure/msal-node');
let msalNode: Promise<MsalNode> | null = null;
const loadMsal = (): Promise<MsalNode> => (msalNode ??= import('@azure/msal-node'));

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export const DEFAULT_AUTHORITY_HOST = 'https://login.microsoftonline.com';

export interface MsalOptions {
  /** MSAL's network module. Default: the app's HTTP layer (deps.http). */
  networkClient?: INetworkModule;
  /** Authorities MSAL may trust without instance discovery (a private / local authority). */
  knownAuthorities?: string[];
  /** Supplied OpenID metadata / cloud discovery metadata (JSON strings) so MSAL fetches none. */
  authorityMetadata?: string;
  cloudDiscoveryMetadata?: string;
}

/** An ICachePlugin that keeps MSAL's serialized cache in the SecretStore (encrypted in the app). */
export function createSecretCachePlugin(secrets: SecretStore, sourceId: string): ICachePlugin {
  return {
    async beforeCacheAccess(ctx: TokenCacheContext) {
      const data = await secrets.get(sourceId, 'MSAL_CACHE');
      if (data) ctx.tokenCache.deserialize(data);
    },
    async afterCacheAccess(ctx: TokenCacheContext) {
      if (ctx.cacheHasChanged) await secrets.set(sourceId, 'MSAL_CACHE', ctx.tokenCache.serialize());
    },
  };
}

/** Scopes for the configured Graph host (national clouds use their own resource URI). */
export function scopesForCloud(baseUrl: string, scopes: string[]): string[] {
  let host: string;
  try {
    host = new URL(baseUrl).host;
  } catch {
    return scopes;
  }
  if (host === 'graph.microsoft.com' || /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host)) return scopes;
  return scopes.map((s) => s.replace(/^https:\/\/graph\.microsoft\.com\//, `https://${host}/`));
}

export function authorityOf(config: { authority?: string; tenantId?: string }, tenant?: string): string {
  if (config.authority) return config.authority.replace(/\/+$/, '');
  return `${DEFAULT_AUTHORITY_HOST}/${tenant ?? config.tenantId ?? 'organizations'}`;
}

/**
 * The host of an https authority (`login.microsoftonline.us` for `https://login.microsoftonline.us/<tenant>`):
 * the sign-in page the browser may be sent to for this source. null for anything else.
 */
export function signInHostOf(authority: string): string | null {
  try {
    const u = new URL(authority);
    return u.protocol === 'https:' && !u.username && !u.password && !u.port ? u.hostname.toLowerCase() : null;
  } catch {
    return null;
  }
}

function msalConfig(base: Configuration['auth'], cachePlugin: ICachePlugin | undefined, o: MsalOptions, network: INetworkModule): Configuration {
  const auth: Configuration['auth'] = { ...base };
  if (o.knownAuthorities) auth.knownAuthorities = o.knownAuthorities;
  if (o.authorityMetadata) auth.authorityMetadata = o.authorityMetadata;
  if (o.cloudDiscoveryMetadata) auth.cloudDiscoveryMetadata = o.cloudDiscoveryMetadata;
  const cfg: Configuration = { auth, system: { loggerOptions: { piiLoggingEnabled: false, loggerCallback: () => {} } } };
  cfg.system!.networkClient = network;
  if (cachePlugin) cfg.cache = { cachePlugin };
  return cfg;
}

/** The network module MSAL is given: the option's, else one over the app's HTTP layer. */
function networkFor(o: MsalOptions, deps: SourceDeps): { module: INetworkModule; lastFailure: () => string | null } {
  if (o.networkClient) return { module: o.networkClient, lastFailure: () => null };
  const module = createMsalNetworkModule(deps.http);
  return { module, lastFailure: () => module.lastFailure() };
}

/**
 * MSAL's words without anything token-like in them; where MSAL says only "network_error", the
 * HTTP layer's own words about the request that got no answer.
 */
function said(e: unknown, network?: { lastFailure: () => string | null }): string {
  const code = (e as { errorCode?: unknown } | null)?.errorCode;
  const failure = code === 'network_error' ? network?.lastFailure() : null;
  const m = failure ?? (e instanceof Error ? e.message : String(e));
  return m.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[token]').split('\n')[0].slice(0, 300);
}

export function createMsalTokenProvider(config: GraphSourceConfig, deps: SourceDeps, o: MsalOptions = {}): TokenProvider {
  if (!config.clientId) throw new Error('MSAL sign-in needs a client id');
  const network = networkFor(o, deps);
  const clientId = config.clientId;
  let publicClient: Promise<PublicClientApplication> | null = null;
  const pca = (): Promise<PublicClientApplication> =>
    (publicClient ??= loadMsal().then(
      (msal) => new msal.PublicClientApplication(msalConfig({ clientId, authority: authorityOf(config) }, createSecretCachePlugin(deps.secrets, config.id), o, network.module)),
    ));
  const signInHost = signInHostOf(authorityOf(config));
  const progress = (p: DistributiveOmit<SignInProgress, 'sourceId'>) => deps.signInProgress?.({ sourceId: config.id, ...p } as SignInProgress);
  let account: AccountInfo | null = null;
  const cloud = (s: string[]) => scopesForCloud(config.baseUrl, s);

  async function currentAccount(): Promise<AccountInfo | null> {
    if (account) return account;
    const all = await (await pca()).getTokenCache().getAllAccounts();
    account = all[0] ?? null;
    return account;
  }

  function remember(r: AuthenticationResult | null): string {
    if (!r?.accessToken) throw new AuthRequiredError('Microsoft sign-in returned no access token: sign in again.');
    if (r.account) account = r.account;
    return r.accessToken;
  }

  async function interactive(scopes: string[], signal?: AbortSignal): Promise<void> {
    if (deps.openExternal) {
      try {
        remember(
          await (await pca()).acquireTokenInteractive({
            scopes,
            openBrowser: async (url) => {
              progress({ stage: 'browser', url });
              await deps.openExternal!(url, signInHost ? { signInHost } : undefined);
            },
            successTemplate: '<h1>Signed in</h1><p>You can close this window and return to Print Queue Monitor.</p>',
            errorTemplate: '<h1>Sign-in failed</h1><p>Return to Print Queue Monitor and try again.</p>',
          }),
        );
        return;
      } catch (e) {
        deps.logger.warn('Browser sign-in failed; trying the device code', { sourceId: config.id, error: said(e, network) });
        if (signal?.aborted) throw e;
      }
    }
    const r = await (await pca()).acquireTokenByDeviceCode({
      scopes,
      deviceCodeCallback: (d) => {
        const expiresAt = new Date(deps.clock.now() + d.expiresIn * 1000).toISOString();
        deps.logger.info('Universal Print sign-in: device code', { sourceId: config.id, verificationUri: d.verificationUri, expiresAt });
        progress({ stage: 'device-code', userCode: d.userCode, verificationUri: d.verificationUri, expiresAt, message: d.message });
      },
    });
    remember(r);
  }

  return {
    async getToken(req: TokenRequest) {
      const acct = await currentAccount();
      if (!acct) throw new AuthRequiredError(`Not signed in to Universal Print for "${config.name ?? config.id}": sign in.`);
      try {
        return remember(await (await pca()).acquireTokenSilent({ account: acct, scopes: cloud(req.scopes), forceRefresh: !!req.forceRefresh }));
      } catch (e) {
        if (e instanceof AuthRequiredError) throw e;
        if (e instanceof (await loadMsal()).InteractionRequiredAuthError) throw new AuthRequiredError(`The Universal Print sign-in has expired and could not be renewed (${said(e, network)}): sign in again.`, { cause: e });
        throw new AuthRequiredError(`The Universal Print sign-in could not be renewed (${said(e, network)}): sign in again.`, { cause: e });
      }
    },
    async signIn(opts = {}) {
      const scopes = cloud([...new Set([...READ_SCOPES, ...(opts.scopes ?? [])])]);
      try {
        await interactive(scopes, opts.signal);
      } catch (e) {
        const failed = new AuthRequiredError(`Microsoft sign-in did not complete: ${said(e, network)}`, { cause: e });
        progress({ stage: 'failed', message: failed.message });
        throw failed;
      }
      // One account per source: signing in as someone else leaves the earlier one behind, or the
      // next start (which takes the cache's account) could be signed in as them again.
      const cache = (await pca()).getTokenCache();
      for (const a of await cache.getAllAccounts()) if (account && a.homeAccountId !== account.homeAccountId) await cache.removeAccount(a);
      deps.logger.info('Signed in to Universal Print', { sourceId: config.id });
      progress({ stage: 'done' });
    },
    async signOut() {
      const cache = (await pca()).getTokenCache();
      for (const a of await cache.getAllAccounts()) await cache.removeAccount(a);
      account = null;
      await deps.secrets.delete(config.id, 'MSAL_CACHE');
    },
    account() {
      return account ? { username: account.username } : null;
    },
  };
}

/**
 * Application tokens for admin mode through client credentials. The credential is read from the
 * secret store each time a new token is needed: CLIENT_SECRET, or CLIENT_CERTIFICATE as JSON
 * `{"thumbprintSha256": "...", "privateKey": "-----BEGIN PRIVATE KEY-----...", "x5c"?: "..."}`.
 */
export function createAppTokenProvider(config: GraphSourceConfig, deps: SourceDeps, o: MsalOptions = {}): TokenProvider {
  const a = config.admin;
  const network = networkFor(o, deps);
  let app: ConfidentialClientApplication | null = null;
  let appFor = '';
  const label = `"${config.name ?? config.id}"`;

  async function build(): Promise<ConfidentialClientApplication> {
    if (!a?.enabled) throw new AuthRequiredError(`Admin mode is off for ${label}.`);
    const authority = authorityOf(config, a.tenantId);
    const auth: Configuration['auth'] = { clientId: a.clientId, authority };
    if (a.credential === 'secret') {
      const s = (await deps.secrets.get(config.id, 'CLIENT_SECRET'))?.trim();
      if (!s) throw new AuthRequiredError(`No client secret is stored for admin mode of ${label}: enter it in Settings.`);
      auth.clientSecret = s;
    } else {
      const raw = await deps.secrets.get(config.id, 'CLIENT_CERTIFICATE');
      if (!raw) throw new AuthRequiredError(`No client certificate is stored for admin mode of ${label}: add it in Settings.`);
      let cert: { thumbprintSha256?: unknown; thumbprint?: unknown; privateKey?: unknown; x5c?: unknown };
      try {
        cert = JSON.parse(raw) as typeof cert;
      } catch {
        throw new AuthRequiredError(`The stored client certificate of ${label} is not valid: store {"thumbprintSha256", "privateKey"} again in Settings.`);
      }
      if (typeof cert.privateKey !== 'string' || !/BEGIN (RSA |EC )?PRIVATE KEY/.test(cert.privateKey) || (typeof cert.thumbprintSha256 !== 'string' && typeof cert.thumbprint !== 'string')) {
        throw new AuthRequiredError(`The stored client certificate of ${label} needs a thumbprint and a PEM private key: store it again in Settings.`);
      }
      auth.clientCertificate = { privateKey: cert.privateKey };
      if (typeof cert.thumbprintSha256 === 'string') auth.clientCertificate.thumbprintSha256 = cert.thumbprintSha256;
      else auth.clientCertificate.thumbprint = cert.thumbprint as string;
      if (typeof cert.x5c === 'string') auth.clientCertificate.x5c = cert.x5c;
    }
    const fingerprint = JSON.stringify([auth.authority, auth.clientId, auth.clientSecret ?? auth.clientCertificate?.thumbprintSha256 ?? auth.clientCertificate?.thumbprint]);
    if (!app || appFor !== fingerprint) {
      app = new (await loadMsal()).ConfidentialClientApplication(msalConfig(auth, undefined, o, network.module));
      appFor = fingerprint;
    }
    return app;
  }

  return {
    async getToken(req: TokenRequest) {
      const cca = await build();
      try {
        const r = await cca.acquireTokenByClientCredential({ scopes: scopesForCloud(config.baseUrl, APP_SCOPES), skipCache: !!req.forceRefresh });
        if (!r?.accessToken) throw new Error('no access token');
        return r.accessToken;
      } catch (e) {
        throw new AuthRequiredError(`Admin sign-in (client credentials) of ${label} was refused: ${said(e, network)}. Check the admin client id, tenant and credential in Settings.`, { cause: e });
      }
    },
    account: () => null,
  };
}
