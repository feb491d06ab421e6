/** The Graph simulator's Microsoft identity platform token endpoint: client credentials, refresh, device code, authorization code. */
import { randomUUID } from 'node:crypto';
import { type Answer, b64url, makeJwt, type SimToken } from './model';
import type { SimState } from './state';

export function mintAccess(st: SimState, token: SimToken, lifetimeSec: number, claims: Record<string, unknown>): string {
  const exp = Math.floor(st.now() / 1000) + lifetimeSec;
  const value = makeJwt({ aud: 'https://graph.microsoft.com', exp, iat: Math.floor(st.now() / 1000), ...claims, jti: randomUUID() });
  st.minted.set(value, { ...token, expiresAt: exp * 1000 });
  return value;
}

export function oauthError(st: SimState, error: string, description: string, status = 400): Answer {
  return { status, body: { error, error_description: description, error_codes: [0], timestamp: new Date(st.now()).toISOString() } };
}

export function delegatedTokens(st: SimState, upn: string, clientId: string, scopes: string[], tenant: string, nonce: string | null): Answer {
  const user = st.users.get(upn.toLowerCase());
  if (!user) return oauthError(st, 'invalid_grant', `AADSTS50034: The user account ${upn} does not exist.`);
  const lifetime = st.opts.tokenLifetimeSec ?? 3600;
  const graphScopes = scopes.filter((s) => !['openid', 'profile', 'offline_access'].includes(s)).map((s) => s.replace(/^https:\/\/graph\.microsoft\.com\//, ''));
  const oid = `oid-${user.upn.toLowerCase()}`;
  const tid = tenant === 'organizations' || tenant === 'common' ? 'tenant-1' : tenant;
  const access = mintAccess(st, 
    { kind: 'delegated', upn: user.upn, displayName: user.displayName, userId: oid, scopes: graphScopes, roles: user.roles },
    lifetime,
    { upn: user.upn, preferred_username: user.upn, name: user.displayName ?? user.upn, scp: graphScopes.join(' '), oid, tid, appid: clientId },
  );
  const refresh = `rt-${randomUUID()}`;
  st.refreshTokens.set(refresh, { upn: user.upn, clientId, scopes: graphScopes });
  const idClaims: Record<string, unknown> = {
    aud: clientId,
    iss: `https://login.microsoftonline.com/${tid}/v2.0`,
    iat: Math.floor(st.now() / 1000),
    nbf: Math.floor(st.now() / 1000),
    exp: Math.floor(st.now() / 1000) + lifetime,
    oid,
    sub: oid,
    tid,
    preferred_username: user.upn,
    name: user.displayName ?? user.upn,
    ver: '2.0',
  };
  if (nonce) idClaims.nonce = nonce;
  return {
    status: 200,
    body: {
      token_type: 'Bearer',
      scope: graphScopes.map((s) => `https://graph.microsoft.com/${s}`).join(' '),
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: access,
      refresh_token: refresh,
      id_token: makeJwt(idClaims),
      client_info: b64url(JSON.stringify({ uid: oid, utid: tid })),
    },
  };
}

export function tokenEndpoint(st: SimState, tenant: string, op: string, form: URLSearchParams): Answer {
  const clientId = form.get('client_id') ?? '';
  const app = st.apps.get(clientId);
  if (!app) return oauthError(st, 'unauthorized_client', `AADSTS700016: Application with identifier '${clientId}' was not found in the directory.`);
  const scopes = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
  if (op === 'devicecode') {
    const deviceCode = `dc-${randomUUID()}`;
    const userCode = `U${Math.floor(st.random() * 1e8).toString().padStart(8, '0')}`;
    st.deviceCodes.set(deviceCode, { userCode, clientId, scopes, approvedAs: st.opts.autoApproveDeviceCodeAs ?? null, expiresAt: st.now() + 900_000 });
    return {
      status: 200,
      body: {
        user_code: userCode,
        device_code: deviceCode,
        verification_uri: 'https://microsoft.com/devicelogin',
        expires_in: 900,
        interval: 1,
        message: `To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code ${userCode} to authenticate.`,
      },
    };
  }
  const grant = form.get('grant_type');
  if (grant === 'client_credentials') {
    const assertion = form.get('client_assertion');
    const secretOk = app.secret !== undefined && form.get('client_secret') === app.secret;
    let certOk = false;
    if (assertion) {
      try {
        const payload = JSON.parse(Buffer.from(assertion.split('.')[1] ?? '', 'base64url').toString('utf8')) as { iss?: string; sub?: string };
        certOk = payload.iss === clientId && payload.sub === clientId;
      } catch {
        certOk = false;
      }
    }
    if (!secretOk && !certOk) return oauthError(st, 'invalid_client', 'AADSTS7000215: Invalid client secret provided.', 401);
    const lifetime = st.opts.tokenLifetimeSec ?? 3600;
    const access = mintAccess(st, { kind: 'application', appId: clientId, scopes: app.appRoles }, lifetime, { appid: clientId, roles: app.appRoles ?? [], tid: tenant });
    return { status: 200, body: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: access } };
  }
  if (grant === 'refresh_token') {
    const rt = st.refreshTokens.get(form.get('refresh_token') ?? '');
    if (!rt || rt.clientId !== clientId) return oauthError(st, 'invalid_grant', 'AADSTS70000: The refresh token is invalid or has been revoked.');
    return delegatedTokens(st, rt.upn, clientId, scopes.length ? scopes : rt.scopes, tenant, null);
  }
  if (grant === 'device_code' || grant === 'urn:ietf:params:oauth:grant-type:device_code') {
    const dc = st.deviceCodes.get(form.get('device_code') ?? '');
    if (!dc) return oauthError(st, 'invalid_grant', 'AADSTS70000: The device code is not valid.');
    if (dc.expiresAt <= st.now()) return oauthError(st, 'expired_token', 'AADSTS70020: The device code has expired.');
    if (!dc.approvedAs) return oauthError(st, 'authorization_pending', 'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending.');
    st.deviceCodes.delete(form.get('device_code') ?? '');
    return delegatedTokens(st, dc.approvedAs, clientId, dc.scopes, tenant, null);
  }
  if (grant === 'authorization_code') {
    const code = st.authCodes.get(form.get('code') ?? '');
    if (!code || code.clientId !== clientId) return oauthError(st, 'invalid_grant', 'AADSTS70000: The authorization code is invalid.');
    if (!form.get('code_verifier')) return oauthError(st, 'invalid_request', 'AADSTS50148: The code_verifier is missing (PKCE is required).');
    st.authCodes.delete(form.get('code') ?? '');
    return delegatedTokens(st, code.upn, clientId, code.scopes, tenant, code.nonce);
  }
  return oauthError(st, 'unsupported_grant_type', `AADSTS70003: The grant type '${grant}' is not supported.`);
}
