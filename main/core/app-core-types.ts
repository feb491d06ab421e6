/**
 * The app core: settings -> sources -> engine, plus history, tracked ids and secrets, exposed as
 * the contract's `Handlers` and its events. The Electron app (main/index.ts + main/ipc.ts), the
 * browser-preview web transport (main/web/) and the CLI (main/cli/) all run this same core; only
 * the platform ports differ.
 */
import type { EventName } from '../../preload/contract/channels';
import type { DesktopInfo, Events, Handlers, SettingsView } from '../../preload/contract/contract';
import type { AppError, Job, Printer, SourceHealth, UiSettings } from '../../preload/contract/model';
import type { Clock, Logger, SecretStore } from '../ports/ports';
import type { EngineEvent } from '../queue/engine-types';
import type { Redactor } from '../state/redact';
import type { LoadedSettings } from '../state/settings';

/** What the platform provides: Electron in the app, plain Node in the preview and the CLI. */
import type { SpawnSpoolerHost } from '../sources/windows-spooler/host';

export interface PlatformPorts {
  /** Asks the user for a file to print (the app: a dialog). null when the user cancels. */
  pickFileToPrint(): Promise<{ path: string } | null>;
  /** Asks where to save (output of a print-to-file job, exports, diagnostics). null: canceled. */
  pickSavePath(suggestedName: string, filters: { name: string; extensions: string[] }[]): Promise<string | null>;
  /**
   * Opens an allow-listed https URL in the system browser (sign-in). `signInHost` is allowed too:
   * the sign-in host of a source's configured authority (national clouds), derived by the source.
   */
  openExternal(url: string, opts?: { signInHost?: string }): Promise<void>;
  /** fetch through the platform's network stack (Electron's net.fetch); omitted: Node http. */
  fetch?: typeof fetch;
  /** Start at login (the app only); called only when the setting changes. */
  setStartAtLogin?(enabled: boolean, minimized: boolean): void;
  /**
   * Asks the user, in a native dialog the window cannot reach, whether to run a configured
   * command (shown exactly). Omitted (the browser preview): such commands are never run from a
   * request.
   */
  confirmCommand?(request: { title: string; message: string; detail: string }): Promise<boolean>;
  /** How the desktop app runs: start at login as Windows has it, updates, what is unavailable (the app only). */
  desktopInfo?(ui: UiSettings): DesktopInfo;
  /** App and platform versions for diagnostics. */
  versions(): Record<string, string>;
  /** Starts the Windows spooler's host process in place of Windows PowerShell (the demo's stand-in). */
  spoolerHost?: SpawnSpoolerHost;
}

export interface AppCoreOptions {
  /** settings.json path (userData, --config or PQM_CONFIG). */
  configPath: string;
  secrets: SecretStore;
  platform: PlatformPorts;
  logger: Logger;
  clock?: Clock;
  /** The log files to include in a diagnostics bundle, newest first. */
  logFiles?: () => string[];
}

/**
 * The one way into the core, for every transport (IPC, the web transport, the CLI) and the shell:
 * the contract's handlers, its events, and what the shell needs of the queue. The queue engine
 * itself stays inside main/core/.
 */
export interface AppCore {
  /** The contract's handlers; they throw. Call them through `dispatch(handlers, name, payload, core.toError)`. */
  readonly handlers: Handlers;
  /** Turns what a handler threw into the envelope, with every secret the core knows hidden: dispatch's `mapError`. */
  readonly toError: (err: unknown) => AppError;
  /** Events for the UI: jobs:patch, source:health, settings:changed, ... */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** Also lets desktop modules push navigation / notices through the same channel. */
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  /** Knows every secret value the core has seen; logs and errors pass through it. */
  readonly redactor: Redactor;
  /** The settings as loaded (with the problems found in the file). */
  settings(): LoadedSettings;
  /**
   * Reads the settings file again (edited outside the app: the service commands, the update feed)
   * and applies it as a save does, `settings:changed` included.
   */
  reloadSettings(): Promise<SettingsView>;
  /** Every job in the queue and every source's health, now. */
  snapshot(): { jobs: Job[]; sources: SourceHealth[] };
  getJob(key: string): Job | undefined;
  printers(): Printer[];
  /** Monitoring paused, and until when (null: not paused). */
  paused(): { until: string | null } | null;
  /** One poll of every source, now (the CLI, tests). */
  pollOnce(): Promise<void>;
  /** The queue's own events (transitions, finished jobs, health) for the shell's notifications and tray. */
  onQueueEvent(listener: (event: EngineEvent) => void): () => void;
  /** Whether the window is on screen (polls faster while it is). */
  setVisible(visible: boolean): void;
  /** The machine sleeps: no polling until it wakes. */
  setSuspended(suspended: boolean): void;
  /** The network went away or came back. */
  setOnline(online: boolean): void;
  start(): void;
  stop(): Promise<void>;
  /**
   * Writes what is buffered (history) before returning: the Windows session is ending and the
   * process may be ended as soon as the event handler returns. Tracked ids are written as they change.
   */
  flushSync(): void;
}
