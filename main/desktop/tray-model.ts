/**
 * What the tray shows, decided from the queue alone: the icon state, the tooltip, the menu and the
 * taskbar badge. main/tray.ts only turns this into Electron objects.
 */
import { isFinal, type Job, type SourceHealth } from '../../preload/contract/model';

export type TrayState = 'idle' | 'active' | 'attention';

export type TrayAction =
  | { type: 'show' }
  | { type: 'open-job'; key: string }
  | { type: 'cancel'; key: string }
  | { type: 'refresh' }
  | { type: 'pause'; minutes: number | null }
  | { type: 'resume' }
  | { type: 'install-update' }
  | { type: 'quit' };

export type TrayMenuItem =
  | { kind: 'item'; label: string; enabled: boolean; action?: TrayAction }
  | { kind: 'submenu'; label: string; items: TrayMenuItem[] }
  | { kind: 'separator' };

export interface TrayModel {
  state: TrayState;
  /** At most 127 characters (the Windows limit). */
  tooltip: string;
  menu: TrayMenuItem[];
  /** Active jobs, for the taskbar overlay badge; 0 = no badge. */
  badgeCount: number;
  /** The first problem, in words, when state is attention. */
  problem: string | null;
}

export interface TrayInput {
  jobs: readonly Job[];
  sources: readonly SourceHealth[];
  paused: { until: string | null } | null;
  /** Formats a pause end time for the tooltip (the app passes Intl in the user's locale). */
  formatTime?: (iso: string) => string;
  /** A downloaded update waits to be installed: the menu offers to restart for it. */
  updateReady?: boolean;
}

export const TOOLTIP_MAX = 127;
export const MENU_JOBS_MAX = 5;
export const PAUSE_CHOICES: readonly { label: string; minutes: number | null }[] = [
  { label: 'For 15 minutes', minutes: 15 },
  { label: 'For 1 hour', minutes: 60 },
  { label: 'Until resumed', minutes: null },
];

const PRINTING = new Set(['printing', 'processing']);
const WAITING = new Set(['queued', 'paused', 'unknown']);

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Menu labels treat "&" as an accelerator marker on Windows: double it so names show as typed. */
function menuText(s: string, max = 60): string {
  return truncate(s.replace(/[\r\n\t]+/g, ' '), max).replace(/&/g, '&&');
}

function sourceProblem(s: SourceHealth): string | null {
  if (s.status === 'down') return `${s.name} is unreachable`;
  if (s.status === 'auth-required') return `${s.name} needs sign-in`;
  return null;
}

function jobRank(j: Job): number {
  if (j.stuck) return 0;
  if (PRINTING.has(j.state)) return 1;
  return 2;
}

function jobLabel(j: Job): string {
  const name = j.document ?? j.nativeId;
  const where = j.printer ? ` — ${j.printer}` : '';
  const state = j.stuck ? 'stuck' : j.state;
  return menuText(`${name}${where} (${state})`);
}

export function buildTrayModel(input: TrayInput): TrayModel {
  const active = input.jobs.filter((j) => !isFinal(j));
  const printing = active.filter((j) => PRINTING.has(j.state)).length;
  const waiting = active.filter((j) => WAITING.has(j.state)).length;
  const stuck = active.filter((j) => j.stuck);
  const failed = input.jobs.filter((j) => j.state === 'failed' && !j.gone);
  const sourceProblems = input.sources.map(sourceProblem).filter((p): p is string => p !== null);

  const problems: string[] = [...sourceProblems];
  if (stuck.length > 0) problems.push(`${plural(stuck.length, 'job', 'jobs')} stuck`);
  if (failed.length > 0) problems.push(`${plural(failed.length, 'job', 'jobs')} failed`);

  const state: TrayState = problems.length > 0 ? 'attention' : active.length > 0 ? 'active' : 'idle';

  const parts: string[] = [];
  if (printing > 0) parts.push(`${plural(printing, 'job', 'jobs')} printing`);
  if (waiting > 0) parts.push(`${waiting} waiting`);
  let summary = parts.length > 0 ? parts.join(', ') : 'Print queue is empty';
  if (input.paused) {
    const until = input.paused.until ? `until ${input.formatTime ? input.formatTime(input.paused.until) : input.paused.until}` : 'until resumed';
    summary = `Monitoring paused ${until}. ${summary}`;
  }
  const tooltip = truncate(problems.length > 0 ? `${problems.join('; ')}. ${summary}` : summary, TOOLTIP_MAX);

  const menu: TrayMenuItem[] = [];
  const top = [...active].sort((a, b) => jobRank(a) - jobRank(b) || (b.updatedAt ?? '').localeCompare(a.updatedAt ?? '')).slice(0, MENU_JOBS_MAX);
  for (const job of top) {
    menu.push({
      kind: 'submenu',
      label: jobLabel(job),
      items: [
        { kind: 'item', label: 'Show in window', enabled: true, action: { type: 'open-job', key: job.key } },
        job.cancel.allowed
          ? { kind: 'item', label: 'Cancel job', enabled: true, action: { type: 'cancel', key: job.key } }
          : { kind: 'item', label: menuText(`Cannot cancel${job.cancel.reason ? `: ${job.cancel.reason}` : ''}`, 80), enabled: false },
      ],
    });
  }
  if (active.length > top.length) {
    menu.push({ kind: 'item', label: `${active.length - top.length} more in the window…`, enabled: true, action: { type: 'show' } });
  }
  if (top.length > 0) menu.push({ kind: 'separator' });
  menu.push({ kind: 'item', label: 'Show window', enabled: true, action: { type: 'show' } });
  menu.push({ kind: 'item', label: 'Refresh now', enabled: !input.paused, action: { type: 'refresh' } });
  if (input.paused) {
    menu.push({ kind: 'item', label: 'Resume monitoring', enabled: true, action: { type: 'resume' } });
  } else {
    menu.push({
      kind: 'submenu',
      label: 'Pause monitoring',
      items: PAUSE_CHOICES.map((c) => ({ kind: 'item' as const, label: c.label, enabled: true, action: { type: 'pause' as const, minutes: c.minutes } })),
    });
  }
  menu.push({ kind: 'separator' });
  if (input.updateReady) menu.push({ kind: 'item', label: 'Restart to update', enabled: true, action: { type: 'install-update' } });
  menu.push({ kind: 'item', label: 'Quit Print Queue Monitor', enabled: true, action: { type: 'quit' } });

  return { state, tooltip, menu, badgeCount: active.length, problem: problems[0] ?? null };
}

/** The overlay badge image to show: null for none, "1".."9" or "9+". */
export function badgeName(count: number): string | null {
  if (count <= 0) return null;
  return count > 9 ? '9+' : String(count);
}
