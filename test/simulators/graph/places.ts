/** The Graph simulator's directory routes: printer and share lists, one printer or share, /me. */
import { type Answer, err, PRINTER_SCOPES, SHARE_SCOPES, type SimPrinter, type SimShare, USER_SCOPES } from './model';
import type { RouteRequest } from './routes';
import { isAdmin, page, parseQuery, printerJson, requireScope, shareJson, type SimState } from './state';

/** GET /print/printers and /print/shares: the lists, paged. */
export function listPlaces(st: SimState, { path, query, token }: RouteRequest, _m: RegExpMatchArray): Answer {
  const q = parseQuery(query, ['$skiptoken']);
  if ('status' in q) return q;
  const isPrinters = path === '/print/printers';
  const denied = requireScope(token, isPrinters ? PRINTER_SCOPES : SHARE_SCOPES);
  if (denied) return denied;
  if (isPrinters && !isAdmin(token)) return err(403, 'Authorization_RequestDenied', 'The signed-in user needs the Printer Administrator role to list printers.');
  const list: unknown[] = isPrinters ? [...st.printers.values()].map(printerJson) : [...st.shares.values()].map(shareJson);
  return { status: 200, body: { '@odata.context': `${st.origin}/v1.0/$metadata#print/${isPrinters ? 'printers' : 'shares'}`, ...page(st, list, Number(query.get('$skiptoken') ?? 0), path, '') } };
}

/** /me: the signed-in user (delegated tokens only). */
export function me(st: SimState, { method, query, token }: RouteRequest, _m: RegExpMatchArray): Answer {
  if (method !== 'GET') return err(405, 'MethodNotAllowed', `${method} is not supported on /me.`);
  const q = parseQuery(query, ['$select']);
  if ('status' in q) return q;
  // As Graph answers an app-only token: there is no signed-in user.
  if (token.kind !== 'delegated') return err(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
  const denied = requireScope(token, USER_SCOPES);
  if (denied) return denied;
  const user = {
    id: token.userId ?? `user-${token.upn.toLowerCase()}`,
    displayName: token.displayName ?? token.upn.split('@')[0],
    userPrincipalName: token.upn,
    mail: token.upn,
  };
  const select = q.params.$select === undefined ? Object.keys(user) : q.params.$select.split(',').map((x) => x.trim());
  const out: Record<string, unknown> = {};
  for (const k of select) {
    if (!(k in user)) return err(400, 'BadRequest', `Could not find a property named '${k}' on type 'microsoft.graph.user'.`);
    out[k] = user[k as keyof typeof user];
  }
  return { status: 200, body: { '@odata.context': `${st.origin}/v1.0/$metadata#users(${select.join(',')})/$entity`, ...out } };
}

/** GET one printer or share (a share with $expand=printer for administrators). */
export function onePlace(st: SimState, { query, token }: RouteRequest, m: RegExpMatchArray): Answer {
  // A share's printer (navigation property) is expanded for those who may read printers.
  const q = parseQuery(query, m[1] === 'shares' ? ['$expand'] : []);
  if ('status' in q) return q;
  // Get printerShare: "Application: Not supported." (Get printer does take application permissions.)
  if (m[1] === 'shares' && token.kind === 'application') return err(403, 'Authorization_RequestDenied', 'Printer shares cannot be read with application permissions.');
  if (q.params.$expand !== undefined && q.params.$expand !== 'printer') return err(400, 'BadRequest', `Could not find a property named '${q.params.$expand}' on type 'microsoft.graph.printerShare'.`);
  const denied = requireScope(token, m[1] === 'printers' || q.params.$expand ? PRINTER_SCOPES : SHARE_SCOPES);
  if (denied) return denied;
  if (q.params.$expand && !isAdmin(token)) return err(403, 'Authorization_RequestDenied', "Reading a share's printer requires the Printer Administrator role.");
  const id = decodeURIComponent(m[2]);
  const p = m[1] === 'printers' ? st.printers.get(id) : st.shares.get(id);
  if (!p) return err(404, 'ResourceNotFound', `The ${m[1] === 'printers' ? 'printer' : 'printer share'} '${id}' was not found.`);
  if (m[1] === 'printers') return { status: 200, body: printerJson(p as SimPrinter) };
  const share = p as SimShare;
  const printer = st.printers.get(share.printerId);
  return { status: 200, body: q.params.$expand && printer ? { ...shareJson(share), printer: printerJson(printer) } : shareJson(share) };
}
