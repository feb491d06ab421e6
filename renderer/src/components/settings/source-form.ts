/**
 * A source's settings as the source editor shows them: one flat form for every kind, the fields
 * of the kind being edited filled in, and back to a source configuration that keeps what the form
 * does not show (service commands, the admin mode).
 */
import { DEFAULT_BASE_URLS, type SourceConfig, type SourceKind } from '../../../../preload/contract/model';

export interface SourceForm {
  kind: SourceKind;
  id: string;
  name: string;
  enabled: boolean;
  baseUrl: string;
  orchestratorUrl: string;
  clientId: string;
  tenantId: string;
  authority: string;
  shares: string;
  printers: string;
  scope: '' | 'mine' | 'all';
  domain: string;
  libraryIds: string;
  user: string;
  auth: 'securityCode' | 'bearer';
}

export function toForm(c: SourceConfig | null, kind: SourceKind = 'scriptx'): SourceForm {
  const f: SourceForm = {
    kind: c?.kind ?? kind,
    id: c?.id ?? '',
    name: c?.name ?? '',
    enabled: c?.enabled ?? true,
    baseUrl: '',
    orchestratorUrl: '',
    clientId: '',
    tenantId: '',
    authority: '',
    shares: '',
    printers: '',
    scope: '',
    domain: '',
    libraryIds: '',
    user: '',
    auth: 'securityCode',
  };
  if (!c) {
    if (kind === 'graph' || kind === 'aodocs') f.baseUrl = DEFAULT_BASE_URLS[kind];
    return f;
  }
  f.baseUrl = (c.kind === 'ipp' ? c.url : c.kind === 'windows-spooler' ? '' : c.baseUrl) ?? '';
  if (c.kind === 'windows-spooler') {
    f.printers = (c.printers ?? []).join(', ');
    f.scope = c.scope ?? '';
  }
  if (c.kind === 'ipp') {
    f.printers = (c.printers ?? []).join(', ');
    f.user = c.user ?? '';
    f.scope = c.scope ?? '';
  }
  if (c.kind === 'scriptx') f.orchestratorUrl = c.orchestratorUrl ?? '';
  if (c.kind === 'graph') {
    f.clientId = c.clientId ?? '';
    f.tenantId = c.tenantId ?? '';
    f.authority = c.authority ?? '';
    f.shares = c.shares === 'all' ? 'all' : (c.shares ?? []).join(', ');
    f.printers = (c.printers ?? []).join(', ');
    f.scope = c.scope ?? '';
  }
  if (c.kind === 'aodocs') {
    f.domain = c.domain ?? '';
    f.libraryIds = c.libraryIds.join(', ');
    f.user = c.user ?? '';
    f.auth = c.auth ?? 'securityCode';
  }
  return f;
}

const list = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

/** Builds the config from the form, keeping fields the form does not show (service commands, admin). */
export function fromForm(f: SourceForm, original: SourceConfig | null): Record<string, unknown> {
  const base: Record<string, unknown> = original && original.kind === f.kind ? { ...original } : {};
  const set = (k: string, v: unknown) => {
    if (v === '' || v === undefined || (Array.isArray(v) && v.length === 0)) delete base[k];
    else base[k] = v;
  };
  base.kind = f.kind;
  base.id = f.id.trim();
  set('name', f.name.trim());
  base.enabled = f.enabled;
  if (f.kind === 'windows-spooler') {
    set('printers', list(f.printers));
    set('scope', f.scope);
  } else set(f.kind === 'ipp' ? 'url' : 'baseUrl', f.baseUrl.trim());
  if (f.kind === 'ipp') {
    set('printers', list(f.printers));
    set('user', f.user.trim());
    set('scope', f.scope);
  }
  if (f.kind === 'scriptx') set('orchestratorUrl', f.orchestratorUrl.trim());
  if (f.kind === 'graph') {
    set('clientId', f.clientId.trim());
    set('tenantId', f.tenantId.trim());
    set('authority', f.authority.trim());
    set('shares', f.shares.trim() === 'all' ? 'all' : list(f.shares));
    set('printers', list(f.printers));
    set('scope', f.scope);
  }
  if (f.kind === 'aodocs') {
    set('domain', f.domain.trim());
    base.libraryIds = list(f.libraryIds);
    set('user', f.user.trim());
    base.auth = f.auth;
  }
  return base;
}
