/**
 * What every source is built with. Sources get their HTTP client, secrets, tracked ids, clock and
 * logger from here and never reach for globals, so tests can run them in fake time against the
 * simulators in test/simulators.
 */
import type { SignInProgress } from '../../preload/contract/contract';
import type { Clock, Logger, SecretStore, TrackedStore } from '../ports/ports';
import type { HttpClient } from '../http/client';
import type { SpawnSpoolerHost } from './windows-spooler/host';

export interface SourceDeps {
  http: HttpClient;
  secrets: SecretStore;
  tracked: TrackedStore;
  clock: Clock;
  logger: Logger;
  /**
   * Opens a URL in the system browser (sign-in); the app passes an allow-listed shell.openExternal,
   * which also allows `signInHost`: the sign-in host of the source's configured authority.
   */
  openExternal?: (url: string, opts?: { signInHost?: string }) => Promise<void>;
  /** Tells the window (and the CLI) where an interactive sign-in stands. */
  signInProgress?: (progress: SignInProgress) => void;
  /** Random numbers in [0, 1) for jitter; tests inject a fixed sequence. Math.random when left out. */
  random?: () => number;
  /** Starts the Windows spooler's host process in place of Windows PowerShell (the demo's stand-in). */
  spoolerHost?: SpawnSpoolerHost;
}
