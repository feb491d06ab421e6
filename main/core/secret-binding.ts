/**
 * Secrets bound to where they were entered for. A stored secret is kept together with the
 * destination it belongs to (the origin of a source's URL; for Microsoft sign-in, the authority)
 * and handed to a source only while that source still points there: changing a URL makes the
 * stored secret unusable until it is entered again, so a changed setting can never carry it to
 * another host. Values stored before binding existed (and the CLI's environment variables) belong
 * to the source as the settings file describes it.
 */
import { AppFailure, SECRET_NAMES, type SecretName, type SourceConfig } from '../../preload/contract/model';
import { DEFAULT_ORCHESTRATOR_URL } from '../sources/scriptx/discovery';
import { DEFAULT_AUTHORITY_HOST } from '../sources/graph/msal';
import type { Redactor } from '../state/redact';
import type { SecretStore } from '../ports/ports';

const ENVELOPE = 'pqm-bound:1:';

function originOf(url: string): string {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return url;
  }
}

function normalizedUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin.toLowerCase()}${u.pathname.replace(/\/+$/, '').toLowerCase()}`;
  } catch {
    return url;
  }
}

/** Where a source sends its secrets, as one comparable string. */
export function secretDestination(config: SourceConfig): string {
  switch (config.kind) {
    case 'scriptx':
      return config.baseUrl ? `scriptx ${originOf(config.baseUrl)}` : `scriptx found through ${originOf(config.orchestratorUrl ?? DEFAULT_ORCHESTRATOR_URL)}`;
    case 'graph': {
      const authority = config.authority ?? `${DEFAULT_AUTHORITY_HOST}/${config.tenantId ?? 'organizations'}`;
      const admin = config.admin ? ` admin tenant ${config.admin.tenantId.toLowerCase()}` : '';
      return `graph ${originOf(config.baseUrl)} authority ${normalizedUrl(authority)}${admin}`;
    }
    case 'aodocs':
      return `aodocs ${originOf(config.baseUrl)}`;
    case 'ipp': {
      // ipp:// and ipps:// have no web origin: scheme, host and port are compared instead.
      // A pinned certificate is part of where the password goes: another pin is another printer.
      const u = new URL(config.url);
      const pin = config.certificateSha256 ? ` certificate ${config.certificateSha256.replace(/:/g, '').toLowerCase()}` : '';
      return `ipp ${u.protocol}//${u.host.toLowerCase()}${pin}`;
    }
    case 'windows-spooler':
      // Uses no secret: it speaks to this PC's spooler as the signed-in user.
      return 'windows-spooler this PC';
  }
}

export interface BindingOptions {
  /** The destination of the source asking now; null: there is no such source. */
  destination(sourceId: string): string | null;
  /** The destination of the source as the settings file describes it (for unbound values). */
  savedDestination(sourceId: string): string | null;
  redactor: Redactor;
  /** Told when a stored secret is withheld because its source now points elsewhere. */
  onWithheld?(sourceId: string, name: SecretName): void;
}

function decode(raw: string): { to: string | null; value: string } {
  if (!raw.startsWith(ENVELOPE)) return { to: null, value: raw };
  try {
    const o = JSON.parse(raw.slice(ENVELOPE.length)) as { to?: unknown; value?: unknown };
    if (typeof o.to === 'string' && typeof o.value === 'string') return { to: o.to, value: o.value };
  } catch {
    /* not an envelope after all */
  }
  return { to: null, value: raw };
}

/** A SecretStore whose values reach only the destination they were stored for. */
export function boundSecretStore(inner: SecretStore, opts: BindingOptions): SecretStore {
  return {
    async get(sourceId, name) {
      const raw = await inner.get(sourceId, name);
      if (!raw) return raw;
      const { to, value } = decode(raw);
      opts.redactor.addSecrets([value]);
      const here = opts.destination(sourceId);
      const boundTo = to ?? opts.savedDestination(sourceId);
      if (here === null || boundTo !== here) {
        opts.onWithheld?.(sourceId, name);
        return undefined;
      }
      return value;
    },
    async set(sourceId, name, value) {
      const to = opts.destination(sourceId);
      if (to === null) throw new AppFailure('not-found', `There is no source "${sourceId}" in the settings.`, { sourceId, field: 'sourceId' });
      opts.redactor.addSecrets([value]);
      await inner.set(sourceId, name, `${ENVELOPE}${JSON.stringify({ to, value })}`);
    },
    delete: (sourceId, name) => inner.delete(sourceId, name),
    async has(sourceId, name) {
      if (!(await inner.has(sourceId, name))) return false;
      return (await this.get(sourceId, name)) !== undefined;
    },
  };
}

/** Every secret value stored for a source, whatever it is bound to (for the redactor). */
export async function storedValues(inner: SecretStore, sourceId: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of SECRET_NAMES) {
    try {
      const raw = await inner.get(sourceId, name);
      if (raw) out.push(decode(raw).value);
    } catch {
      /* an unreadable secret is reported by the source that needs it */
    }
  }
  return out;
}
