/**
 * The queue engine's public surface: what the app core, the CLI, tray, notifications and history
 * consume. The implementation is main/queue/engine.ts.
 */
import type { Job, JobDetails, JobPatch, JobState, PollingSettings, Printer, SourceHealth, SourceKind, TimelineEntry } from '../../preload/contract/model';
import type { Clock, Logger } from '../ports/ports';
import type { JobAction, JobSource, SourceJob, TrackOptions } from './source';

export type EngineEvent =
  /** Store changes, in order. Subscribers get patches, never snapshots after the first. */
  | { type: 'patches'; patches: JobPatch[] }
  /** A source's health changed (status, message or detail: at once), or only its lastSuccessAt
   * moved on (at most every HEALTH_TIMES_EVENT_MS, while the window is shown). */
  | { type: 'health'; source: SourceHealth }
  /** A job changed state (including its first sighting, from = null). One event per transition. */
  | { type: 'transition'; job: Job; from: JobState | null; to: JobState }
  /** A job was just flagged stuck. */
  | { type: 'stuck'; job: Job }
  /** A job reached a final state or was found gone: history records it. */
  | { type: 'finished'; job: Job; timeline: TimelineEntry[] }
  /** Some source's printers changed (state, reasons or job counts): every printer, in order. */
  | { type: 'printers'; printers: Printer[] };

/** A configured but switched-off source: reported with health `disabled`, never polled. */
export interface DisabledSource {
  id: string;
  kind: SourceKind;
  name: string;
}

export interface QueueEngineOptions {
  sources: JobSource[];
  disabled?: DisabledSource[];
  polling: PollingSettings;
  clock: Clock;
  /** Random source for backoff jitter (tests pass a fixed one). */
  random?: () => number;
  logger?: Logger;
  /** How long finished jobs stay in the live store (default 24 h). */
  retainFinishedMs?: number;
}

export interface QueueEngine {
  /** Starts polling every source (the first poll of each is a full one). */
  start(): void;
  /** Stops polling, aborts requests in flight, clears every timer. */
  stop(): Promise<void>;

  snapshot(): { jobs: Job[]; sources: SourceHealth[] };
  subscribe(listener: (event: EngineEvent) => void): () => void;
  getJob(key: string): Job | undefined;
  /** The printers the sources reported, with their active and stuck job counts. */
  printers(): Printer[];
  timeline(key: string): TimelineEntry[];

  /** One full poll of every enabled source, then resolves (the CLI's `jobs` and `sources`). */
  pollOnce(): Promise<void>;
  /** Polls now (one source or all), outside the schedule; never overlaps a poll in flight. */
  refreshNow(sourceId?: string): void;

  /** The jobs the user is looking at (selected, open in the details panel): their sources ask
   * about them first (ScriptX: at the full rate within the service's request budget). */
  setPriority(keys: readonly string[]): void;
  /** Window visibility: intervals are multiplied by polling.hiddenFactor while hidden, and a
   * health whose lastSuccessAt alone moved on is reported only while shown (at once when shown
   * again). */
  setVisible(visible: boolean): void;
  /** Machine sleep: every source paused while suspended, polled at once on wake. */
  setSuspended(suspended: boolean): void;
  /** Network: remote sources paused while offline (loopback ones keep going), polled at once on reconnect. */
  setOnline(online: boolean): void;
  /** Pause monitoring until the given time (epoch ms) or until resumed (null). */
  pause(untilMs: number | null): void;
  resume(): void;
  pausedUntil(): { until: number | null } | null;

  /** Replaces the sources (settings changed); jobs of removed sources are dropped. */
  setSources(sources: JobSource[], disabled?: DisabledSource[]): void;
  setPolling(polling: PollingSettings): void;
  getSource(sourceId: string): JobSource | undefined;

  /** Adds or updates a job learned outside a poll (printed by the app, tracked, an action's answer). */
  upsert(job: SourceJob): Job;
  /** Removes a job from the live store (dismissed by the user). */
  remove(key: string): void;

  /** Cancel / abort / hold / release through the job's source; the answer is applied to the store and returned. */
  act(key: string, action: JobAction): Promise<Job>;
  /** Tracks an id handed in; the first status is applied to the store and returned. */
  track(sourceId: string, id: string, opts?: TrackOptions): Promise<Job>;
  /** Details on demand (not part of any polling cycle). */
  details(key: string, opts?: { eventsPageToken?: string }): Promise<JobDetails>;
}

/** The engine's pause (epoch ms, null: until resumed) as the contract says it: an ISO time. */
export function pausedAnswer(p: { until: number | null }): { until: string | null };
export function pausedAnswer(p: { until: number | null } | null): { until: string | null } | null;
export function pausedAnswer(p: { until: number | null } | null): { until: string | null } | null {
  return p ? { until: p.until === null ? null : new Date(p.until).toISOString() } : null;
}
