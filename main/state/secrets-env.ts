/**
 * Secrets for the CLI and automation: read from environment variables
 * `PQM_SECRET_<SOURCEID>_<NAME>` (see secretEnvName). The CLI never writes secrets anywhere.
 */
import { AppFailure, SECRET_NAMES, secretEnvName, type SecretName } from '../../preload/contract/model';
import type { SecretStore } from '../ports/ports';
import type { Redactor } from './redact';

export const SECRET_ENV_PREFIX = 'PQM_SECRET_';

export function createEnvSecretStore(env: NodeJS.ProcessEnv = process.env, redactor?: Redactor): SecretStore {
  // Every secret the environment holds is known to the redactor before anything can log it.
  // Trimmed, as read() hands them out: a value with stray spaces must still match where it is used.
  redactor?.addSecrets(Object.entries(env).filter(([k]) => k.startsWith(SECRET_ENV_PREFIX)).map(([, v]) => v?.trim()));
  const read = (sourceId: string, name: SecretName): string | undefined => {
    const v = env[secretEnvName(sourceId, name)];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const refuse = (sourceId: string, name: SecretName): never => {
    throw new AppFailure('unsupported', `The pqm command reads secrets from environment variables; set ${secretEnvName(sourceId, name)} instead.`, { sourceId });
  };
  return {
    get: async (sourceId, name) => read(sourceId, name),
    has: async (sourceId, name) => read(sourceId, name) !== undefined,
    set: async (sourceId, name) => refuse(sourceId, name),
    delete: async (sourceId, name) => refuse(sourceId, name),
  };
}

/** The environment variable names that would hold a source's secrets (for help and messages). */
export function secretEnvNames(sourceId: string): string[] {
  return SECRET_NAMES.map((n) => secretEnvName(sourceId, n));
}
