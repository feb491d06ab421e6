/**
 * The settings and secrets requests of the core: the settings as the window sees them, saves and
 * rereads of the file one at a time (each announced as `settings:changed`), secrets bound to where
 * they were entered for, and connection tests with the secrets typed with them.
 */
import { AppFailure, SECRET_NAMES, secretNamesFor, type SecretName, type Settings, type SourceConfig, type SourceHealth } from '../../preload/contract/model';
import type { Events, Handlers, SettingsView } from '../../preload/contract/contract';
import type { EventName } from '../../preload/contract/channels';
import type { Clock, Logger, SecretStore } from '../ports/ports';
import type { QueueEngine } from '../queue/engine-types';
import { disposeSource, SourceError, sourceCapabilities } from '../queue/source';
import type { SourceDeps } from '../sources/deps';
import { createSource, sourceDisplayName } from '../sources/index';
import { spoolerUnavailableReason } from '../sources/windows-spooler/source';
import type { Redactor } from '../state/redact';
import { loadSettings, saveSettings, saveUiSettings, type LoadedSettings } from '../state/settings';
import type { PlatformPorts } from './app-core-types';
import { keepPrivileged } from './privileged';
import { boundSecretStore, secretDestination } from './secret-binding';

/** How long `testSource` waits for a source to answer. */
const TEST_SOURCE_TIMEOUT_MS = 20_000;

/** What the settings requests share with the rest of the core. */
export interface SettingsContext {
  configPath: string;
  /** The secret store as given (unbound): removing a moved source's secrets. */
  storedSecrets: SecretStore;
  /** The store the sources use: a secret only while its source points where it was entered for. */
  secrets: SecretStore;
  /** Where each configured source's secrets may go (the origin of its URL, its authority). */
  destinationIn(sourceId: string): string | null;
  redactor: Redactor;
  logger: Logger;
  clock: Clock;
  platform: PlatformPorts;
  deps: SourceDeps;
  engine: QueueEngine;
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  loaded(): LoadedSettings;
  setLoaded(loaded: LoadedSettings): void;
  /** Puts new settings into effect (sources, polling, history, start at login). */
  apply(next: LoadedSettings, previous: Settings): void;
  /** Tells the redactor the stored secrets of these sources. */
  learnSecrets(configs: SourceConfig[]): Promise<void>;
}

export type SettingsHandlers = Pick<Handlers, 'getSettings' | 'saveSettings' | 'saveUiSettings' | 'setSecret' | 'clearSecret' | 'testSource'>;

export function createSettingsHandlers(ctx: SettingsContext): { handlers: SettingsHandlers; view(): Promise<SettingsView>; reload(): Promise<SettingsView> } {
  /** Saves of the settings, one after the other. */
  let queue: Promise<void> = Promise.resolve();

  async function settingsView(): Promise<SettingsView> {
    const present: SettingsView['secrets'] = [];
    for (const c of ctx.loaded().settings.sources) {
      for (const name of secretNamesFor(c)) {
        let has = false;
        try {
          has = await ctx.secrets.has(c.id, name);
        } catch {
          has = false;
        }
        present.push({ sourceId: c.id, name, present: has });
      }
    }
    const view: SettingsView = { settings: ctx.loaded().settings, problems: ctx.loaded().problems, secrets: present, configPath: ctx.configPath };
    const noSpooler = ctx.platform.spoolerHost ? null : spoolerUnavailableReason();
    if (noSpooler) view.unavailableKinds = [{ kind: 'windows-spooler', reason: noSpooler }];
    if (ctx.platform.desktopInfo) {
      try {
        view.desktop = ctx.platform.desktopInfo(ctx.loaded().settings.ui);
      } catch (err) {
        ctx.logger.warn('The desktop status could not be read.', { error: (err as Error).message });
      }
    }
    return view;
  }

  /**
   * A source whose secrets now go elsewhere (another URL, authority or kind), or that was removed,
   * loses its stored secrets: they are entered again for the new destination, never carried over
   * (not even by removing a source and adding one with the same id).
   */
  async function forgetMovedSecrets(before: SourceConfig[], after: SourceConfig[]): Promise<void> {
    for (const was of before) {
      const now = after.find((c) => c.id === was.id);
      if (now && secretDestination(was) === secretDestination(now)) continue;
      for (const name of SECRET_NAMES) {
        try {
          await ctx.storedSecrets.delete(was.id, name);
        } catch (err) {
          ctx.logger.warn('could not remove a secret of a changed source', { sourceId: was.id, name, error: ctx.redactor.redactText(String(err)) });
        }
      }
      ctx.logger.info(now ? 'the stored secrets of a source were removed: it now points elsewhere' : 'the stored secrets of a removed source were removed', { sourceId: was.id });
    }
  }

  /**
   * The secrets a connection test may use: those typed with it, then stored ones only while the
   * tested configuration points where they were entered for. Nothing is stored by a test.
   */
  function testSecrets(config: SourceConfig, typed: Partial<Record<SecretName, string>>): SecretStore {
    ctx.redactor.addSecrets(Object.values(typed).filter((v): v is string => typeof v === 'string'));
    const stored = boundSecretStore(ctx.storedSecrets, {
      destination: (sourceId) => (sourceId === config.id ? secretDestination(config) : null),
      savedDestination: (sourceId) => ctx.destinationIn(sourceId),
      redactor: ctx.redactor,
    });
    const store: SecretStore = {
      async get(sourceId, name) {
        if (sourceId !== config.id) return undefined;
        return typed[name] ?? (await stored.get(sourceId, name));
      },
      async set() {},
      async delete() {},
      has: async (sourceId, name) => (await store.get(sourceId, name)) !== undefined,
    };
    return store;
  }

  /**
   * Saves (`write`) or rereads the settings file, one at a time: a save and the reload after it
   * never interleave with another, so the last one asked for is the one in effect (and on disk).
   * Whoever changed them, `settings:changed` tells the shell (tray, updater) and the window.
   */
  function settingsInTurn(write?: (previous: Settings) => Promise<{ settings: Settings }>): Promise<SettingsView> {
    const run = queue.then(async () => {
      const previous = ctx.loaded().settings;
      const saved = write ? await write(previous) : null;
      if (saved) await forgetMovedSecrets(previous.sources, saved.settings.sources);
      let loaded = await loadSettings(ctx.configPath, { logger: ctx.logger, writeBackMigration: false });
      if (saved && loaded.status === 'missing') loaded = { ...loaded, settings: saved.settings };
      ctx.setLoaded(loaded);
      await ctx.learnSecrets(loaded.settings.sources);
      ctx.apply(loaded, previous);
      ctx.emit('settings:changed', { settings: loaded.settings, problems: loaded.problems });
      return settingsView();
    });
    queue = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }


  const handlers: SettingsHandlers = {
    async getSettings() {
      return settingsView();
    },

    async saveSettings({ settings }) {
      // No request chooses programs to run or the update feed: those stay as in the file, as it is
      // now (edited by hand since it was read, a service block is kept, not the one read before).
      return settingsInTurn(async (previous) => {
        const onDisk = await loadSettings(ctx.configPath, { logger: ctx.logger, writeBackMigration: false });
        const current = onDisk.status === 'ok' && onDisk.problems.length === 0 ? onDisk.settings : previous;
        return saveSettings(ctx.configPath, keepPrivileged(settings, current, ctx.configPath), { logger: ctx.logger });
      });
    },

    async saveUiSettings({ ui }) {
      return settingsInTurn(() => saveUiSettings(ctx.configPath, ui, { logger: ctx.logger }));
    },

    async setSecret({ sourceId, name, value }) {
      if (!ctx.loaded().settings.sources.some((s) => s.id === sourceId)) {
        throw new AppFailure('not-found', `There is no source "${sourceId}" in the settings.`, { sourceId, field: 'sourceId' });
      }
      await ctx.secrets.set(sourceId, name, value);
      if (ctx.engine.getSource(sourceId)) ctx.engine.refreshNow(sourceId);
      return null;
    },

    async clearSecret({ sourceId, name }) {
      await ctx.secrets.delete(sourceId, name);
      if (ctx.engine.getSource(sourceId)) ctx.engine.refreshNow(sourceId);
      return null;
    },

    async testSource({ source: config, secrets: typed }) {
      const source = createSource(config, { ...ctx.deps, secrets: testSecrets(config, typed ?? {}) });
      const base = { id: config.id, kind: config.kind, name: sourceDisplayName(config), capabilities: sourceCapabilities(source), lastErrorAt: null as string | null, lastSuccessAt: null as string | null };
      const at = new Date(ctx.clock.now()).toISOString();
      try {
        const result = await source.poll({ mode: 'full', signal: AbortSignal.timeout(TEST_SOURCE_TIMEOUT_MS), activeJobs: new Map(), oneShot: true });
        const health: SourceHealth = { ...base, status: result.health.status, message: result.health.message, lastSuccessAt: at };
        if (result.health.detail) health.detail = result.health.detail;
        return health;
      } catch (err) {
        const status = err instanceof SourceError ? err.status : 'degraded';
        return { ...base, status, message: ctx.redactor.redactText(err instanceof Error ? err.message : String(err)), lastErrorAt: at };
      } finally {
        void disposeSource(source, ctx.logger);
      }
    },
  };
  return { handlers, view: settingsView, reload: () => settingsInTurn() };
}
