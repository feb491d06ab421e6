/**
 * `pqm`: the command line over the same app core as the desktop app (createAppCore with plain-Node
 * platform ports and secrets from PQM_SECRET_* environment variables). runCli() is the whole
 * program minus process wiring, so it can also be driven in-process.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { RequestName } from '../../preload/contract/channels';
import { dispatch, type Handlers, type RequestInput, type RequestOutput } from '../../preload/contract/contract';
import { AppFailure, beginsWithField, healthChanged, isWebAddress, notCheckedYet, wholeNumberIn, problemDetail, secretEnvName, secretNamesFor, toAppError, type AppError, type HistoryEntry, type Job, type JobPatch, type SourceHealth } from '../../preload/contract/model';
import { createAppCore } from '../core/app-core';
import type { AppCore } from '../core/app-core-types';
import { csvFile } from '../../preload/contract/csv';
import { writeFailure, writeFileAtomic } from '../state/atomic-file';
import { historyToCsv } from '../state/history';
import { createFileLogger } from '../state/logger';
import { createRedactor } from '../state/redact';
import { createEnvSecretStore } from '../state/secrets-env';
import { besideSettings, loadSettings, resolveConfigPath, type LoadedSettings } from '../state/settings';
import { commandHelp, parseArgs, UsageError, type ParsedArgs } from './args';
import { COMMANDS, familyHelp, globalHelp } from './commands';
import { historyTable, jobLine, jobsTable, signInLine, sourcesTable } from './format';
import { createNodePlatform } from './node-platform';
import { checkOutPath } from './out-file';

export const EXIT = { ok: 0, failed: 1, usage: 2, unreachable: 3 } as const;

export interface CliIo {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  platform: NodeJS.Platform;
  version: string;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Resolves when the user interrupts (SIGINT/SIGTERM); `watch` ends cleanly then. */
  interrupted: Promise<void>;
  /** Told when `watch` starts listening for the interrupt (other commands end at once on one). */
  onWatchStart?: () => void;
  homeDir?: string;
}

/** Exit code for an error envelope. */
export function exitCodeFor(e: AppError): number {
  if (e.code === 'unreachable' || e.code === 'auth-required') return EXIT.unreachable;
  if (e.code === 'invalid-input') return EXIT.usage;
  return EXIT.failed;
}

function problemStatus(h: SourceHealth): boolean {
  return h.status === 'down' || h.status === 'auth-required';
}

/** A request the core answered with an error: the envelope as dispatch made it, carried to the exit. */
class AnsweredError extends Error {
  constructor(readonly error: AppError) {
    super(error.message);
    this.name = 'AnsweredError';
  }
}

export async function runCli(io: CliIo): Promise<number> {
  const wantsJson = io.argv.includes('--json');
  const redactor = createRedactor();
  const say = (line: string): void => io.stderr(`pqm: ${oneLine(redactor.redactText(line))}\n`);
  const fail = (err: unknown, usageFor: string | null = null): number => {
    // A request's answer was converted (and redacted) once, at dispatch; anything else is converted here.
    const e = err instanceof AnsweredError ? err.error : redactor.redactError(err);
    if (wantsJson) io.stderr(`${JSON.stringify({ error: e })}\n`);
    else {
      // The field where the message does not begin with it already.
      const where = [e.field && !beginsWithField(e) ? `field ${e.field}` : '', e.sourceId ? `source ${e.sourceId}` : ''].filter(Boolean).join(', ');
      const see = usageFor ? ` (see: pqm ${usageFor} --help)` : '';
      io.stderr(`pqm: error (${e.code}): ${oneLine(`${e.message}${where ? ` [${where}]` : ''}`)}${see}\n`);
    }
    return err instanceof UsageError ? EXIT.usage : exitCodeFor(e);
  };

  let args: ParsedArgs;
  try {
    args = parseArgs(io.argv, COMMANDS);
  } catch (err) {
    return fail(err, err instanceof UsageError ? err.command : null);
  }
  if (args.version) {
    io.stdout(`${io.version}\n`);
    return EXIT.ok;
  }
  if (!args.command) {
    if (args.help) {
      io.stdout(args.family ? familyHelp(args.family) : globalHelp(io.version));
      return EXIT.ok;
    }
    io.stderr(globalHelp(io.version));
    return EXIT.usage;
  }
  const command = args.command;
  if (args.help) {
    io.stdout(commandHelp(command));
    return EXIT.ok;
  }

  let configPath: string;
  try {
    configPath = resolveConfigPath({ argv: args.config !== undefined ? ['--config', args.config] : [], env: io.env, platform: io.platform, cwd: io.cwd, ...(io.homeDir ? { homeDir: io.homeDir } : {}) });
  } catch (err) {
    return fail(err);
  }
  const explicitConfig = args.config !== undefined || Boolean(io.env.PQM_CONFIG?.trim());
  const opt = (name: string): string | undefined => (typeof args.options[name] === 'string' ? (args.options[name] as string) : undefined);
  const flag = (name: string): boolean => args.options[name] === true;

  // Commands that only read the settings file never build the core (and never write anything).
  if (command.name === 'settings path') {
    io.stdout(`${configPath}\n`);
    return EXIT.ok;
  }
  if (command.name === 'settings validate') {
    const loaded = await loadSettings(configPath, { writeBackMigration: false });
    return validateOutput(loaded, explicitConfig, flag('--json'), io);
  }

  // Everything else runs the app core.
  const secrets = createEnvSecretStore(io.env, redactor);
  const logDir = besideSettings(configPath, 'logs');
  const logger = createFileLogger({ dir: logDir, fileName: 'cli.log', redactor, onBroken: (message) => io.stderr(`pqm: ${message}\n`), ...(args.verbose ? { echo: (line: string) => io.stderr(`${line}\n`) } : {}) });
  const platform = createNodePlatform({
    checkSavePath: (path) => checkOutPath(path, configPath, { force: flag('--force'), platform: io.platform }),
    cwd: io.cwd,
    version: io.version,
    say,
    ...(opt('--file') ? { fileToPrint: opt('--file') } : {}),
    ...(opt('--out') ? { savePath: opt('--out') } : {}),
  });

  let core: AppCore;
  try {
    core = await createAppCore({ configPath, secrets, platform, logger, logFiles: () => logFilesIn(logDir) });
  } catch (err) {
    logger.error('pqm could not start', { error: redactor.redactText(String(err)) });
    return fail(err);
  }
  // A device-code sign-in (printing with new consent) waits on the user: say what to enter where.
  core.on('signin:progress', (p) => {
    const line = signInLine(p);
    if (line) say(line);
  });
  const loaded = core.settings();
  const usesSources = ['sources', 'jobs', 'watch', 'track', 'cancel', 'print'].includes(command.name);
  if (usesSources || command.name.startsWith('history')) {
    if (loaded.status === 'missing' && explicitConfig) {
      await core.stop();
      return fail(new UsageError(`There is no settings file at ${configPath}. Create it, or point --config / PQM_CONFIG at an existing one.`));
    }
    // A file that cannot be used is one error; a usable one with problems, one warning each.
    if (usesSources && (loaded.status === 'unreadable' || loaded.problems.some((p) => p.field === ''))) {
      await core.stop();
      // The problem names the file where it says what is wrong with it ("The settings file <path> cannot be read (...)").
      const said = loaded.problems[0]?.message ?? 'It cannot be read.';
      return fail(new UsageError(said.startsWith(`The settings file ${configPath} `) ? said : `The settings file ${configPath} cannot be used. ${said}`));
    }
    for (const p of loaded.problems) say(`settings ${p.field ? `field ${p.field}` : 'file'}: ${problemDetail(p)}`);
    // Sources listed and none of them usable: not "no sources configured", and not a success.
    const unusable = new Set(loaded.problems.map((p) => /^sources\.(\d+)(\.|$)/.exec(p.field)?.[1]).filter((i) => i !== undefined)).size;
    if (usesSources && loaded.settings.sources.length === 0 && unusable > 0) {
      await core.stop();
      return fail(new UsageError(`None of the ${unusable === 1 ? 'source' : `${unusable} sources`} in the settings file ${configPath} can be used: the lines above say why (pqm settings validate lists them).`));
    }
  }
  logger.info('pqm command', { command: command.name, configPath });

  const call = async <K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestOutput<K>> => {
    const r = await dispatch(core.handlers as Handlers, name, input, core.toError);
    if (!r.ok) throw new AnsweredError(r.error);
    return r.value as RequestOutput<K>;
  };
  const json = flag('--json');
  const out = (value: unknown): void => io.stdout(`${JSON.stringify(value, null, 2)}\n`);

  try {
    switch (command.name) {
      case 'sources': {
        await core.pollOnce();
        const { sources } = await call('getSnapshot', {});
        if (json) out(sources);
        else io.stdout(sourcesTable(sources));
        return reportSourceProblems(sources, say);
      }
      case 'jobs': {
        await core.pollOnce();
        const { jobs, sources } = await call('getSnapshot', {});
        if (json) out(jobs);
        else io.stdout(jobsTable(jobs));
        return reportSourceProblems(sources, say, true);
      }
      case 'watch':
        return await watch(core, json, io);
      case 'track': {
        const [sourceId, id] = args.positionals;
        const kind = opt('--kind') as 'html' | 'pdf' | undefined;
        const title = opt('--title');
        const printer = opt('--printer');
        const job = await call('trackJob', { sourceId, id, ...(kind ? { kind } : {}), ...(title !== undefined ? { title } : {}), ...(printer !== undefined ? { printer } : {}) });
        if (json) out(job);
        else io.stdout(jobLine(job));
        return EXIT.ok;
      }
      case 'cancel': {
        const [key] = args.positionals;
        // The job must be known first: one poll brings the queue (tracked ids included) up to date.
        await core.pollOnce();
        if (!core.getJob(key)) {
          const sourceId = key.includes(':') ? key.slice(0, key.indexOf(':')) : '';
          const health = core.snapshot().sources.find((s) => s.id === sourceId);
          if (health && problemStatus(health)) throw new AppFailure(health.status === 'down' ? 'unreachable' : 'auth-required', health.message, { sourceId });
        }
        const job = await call('cancelJob', { key });
        if (json) out(job);
        else io.stdout(jobLine(job));
        return EXIT.ok;
      }
      case 'print': {
        const [sourceId] = args.positionals;
        const docs = ['--file', '--url', '--html'].filter((o) => opt(o) !== undefined);
        if (docs.length !== 1) throw new UsageError('print needs exactly one of --file, --url or --html.', 'print');
        if (opt(docs[0]!) === '') throw new UsageError(`${docs[0]} is empty: give the ${docs[0] === '--html' ? 'HTML to print' : docs[0] === '--url' ? 'address to print' : 'file to print'}.`, 'print');
        if (opt('--url') !== undefined && !isWebAddress(opt('--url')!)) {
          throw new UsageError(`--url must be an http:// or https:// address, not "${opt('--url')}".`, 'print');
        }
        const document = opt('--url') !== undefined ? { type: 'url' as const, url: opt('--url')! } : opt('--html') !== undefined ? { type: 'html' as const, html: opt('--html')! } : { type: 'file' as const };
        let copies: number | undefined;
        if (opt('--copies') !== undefined) {
          copies = wholeNumberIn(opt('--copies')!, 1, 999) ?? undefined;
          if (copies === undefined) throw new UsageError(`--copies must be a whole number from 1 to 999, not "${opt('--copies')}".`, 'print');
        }
        const job = await call('submitPrint', {
          sourceId,
          document,
          ...(opt('--printer') ? { printer: opt('--printer') } : {}),
          ...(opt('--title') ? { title: opt('--title') } : {}),
          ...(copies !== undefined ? { copies } : {}),
          ...(opt('--paper-size') ? { paperSize: opt('--paper-size') } : {}),
          ...(opt('--orientation') ? { orientation: opt('--orientation') as 'portrait' | 'landscape' } : {}),
          ...(opt('--to-file') ? { printToFileName: opt('--to-file') } : {}),
        });
        // Printed, but `pqm jobs` and the app will not follow it: said, not failed (printing again would print twice).
        if (typeof job.extra.notTracked === 'string') say(`job ${job.key} was printed, but ${job.extra.notTracked}.`);
        if (json) out(job);
        else io.stdout(jobLine(job));
        return EXIT.ok;
      }
      case 'history': {
        if (flag('--csv') && json) throw new UsageError('Choose one of --csv and --json.', 'history');
        const entries = await queryHistory(call, opt('--since'), opt('--limit'));
        if (flag('--csv')) io.stdout(historyToCsv(entries));
        else if (json) out(entries);
        else io.stdout(historyTable(entries));
        return EXIT.ok;
      }
      case 'history export': {
        if (flag('--csv') === flag('--json')) throw new UsageError('history export needs exactly one of --csv and --json.', 'history export');
        const entries = await queryHistory(call, opt('--since'), undefined);
        const text = flag('--csv') ? historyToCsv(entries) : `${JSON.stringify(entries, null, 2)}\n`;
        const target = opt('--out');
        if (!target) {
          io.stdout(text);
          return EXIT.ok;
        }
        const path = resolve(io.cwd, target);
        checkOutPath(path, configPath, { force: flag('--force'), platform: io.platform });
        try {
          await writeFileAtomic(path, flag('--csv') ? csvFile(text) : text);
        } catch (err) {
          throw writeFailure(path, err);
        }
        say(`${entries.length} finished job${entries.length === 1 ? '' : 's'} exported to ${path}`);
        io.stdout(`${path}\n`);
        return EXIT.ok;
      }
      case 'history clear': {
        await call('clearHistory', {});
        if (json) out({ cleared: true });
        else io.stdout('The history is cleared.\n');
        return EXIT.ok;
      }
      case 'diagnostics': {
        const saved = await call('saveDiagnostics', {});
        if (!saved) throw new AppFailure('internal', 'The diagnostics bundle was not written.');
        if (json) out(saved);
        else io.stdout(`${saved.savedTo}\n`);
        return EXIT.ok;
      }
      case 'settings show': {
        const view = await call('getSettings', {});
        const secretsView = loaded.settings.sources.flatMap((s) => secretNamesFor(s).map((name) => ({ sourceId: s.id, name, env: secretEnvName(s.id, name), present: view.secrets.find((x) => x.sourceId === s.id && x.name === name)?.present ?? false })));
        out({ configPath: view.configPath, status: loaded.status, problems: view.problems, settings: view.settings, secrets: secretsView });
        return EXIT.ok;
      }
      default:
        throw new UsageError(`"${command.name}" is not a pqm command.`);
    }
  } catch (err) {
    logger.warn('pqm command failed', { command: command.name, error: err instanceof AnsweredError ? err.error : toAppError(err) });
    return fail(err, err instanceof UsageError ? err.command : null);
  } finally {
    await core.stop().catch((err) => say(`could not finish writing the history: ${(err as Error).message}`));
  }
}

/** One line whatever the text holds: control characters (a newline, a NUL) are written escaped. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * An ISO 8601 date or date-time (2026-06-01, 2026-06-01T08:00, 2026-06-01T08:00:00Z, with an
 * offset): what the help shows. Date.parse alone also takes "1", "March 7" and 01/06/2026 (US
 * order), each a date the user did not mean.
 */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * What is impossible in an ISO_DATE_TIME, in words (null: nothing): Date.parse reads 2026-02-31
 * as 3 March and T24:00 as the next day's midnight, never what the user meant.
 */
function impossibleDateTime(text: string): string | null {
  const [y, m, d] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  if (m < 1 || m > 12) return `there is no month ${m}`;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d < 1 || d > days) return `${text.slice(0, 7)} has ${days} days`;
  const hour = text.length > 10 ? Number(text.slice(11, 13)) : 0;
  if (hour > 23) return 'hours go from 00 to 23';
  return null;
}

async function queryHistory(
  call: <K extends RequestName>(name: K, input: RequestInput<K>) => Promise<RequestOutput<K>>,
  since: string | undefined,
  limit: string | undefined,
): Promise<HistoryEntry[]> {
  const input: { since?: string; limit?: number } = {};
  if (since !== undefined) {
    // A date alone is from midnight where the user is, as a date-time without an offset is its
    // local time (Date.parse alone reads a bare date as midnight UTC: "--since <yesterday>" would
    // leave out yesterday's first hours east of Greenwich and take in the day before's last west of it).
    const t = ISO_DATE_TIME.test(since) ? Date.parse(since.length === 10 ? `${since}T00:00` : since) : NaN;
    const impossible = ISO_DATE_TIME.test(since) ? impossibleDateTime(since) : null;
    if (impossible !== null) throw new UsageError(`--since must be a date that exists, not "${since}": ${impossible}.`, 'history');
    if (Number.isNaN(t)) throw new UsageError(`--since must be a date such as 2026-06-01 or 2026-06-01T08:00:00Z, not "${since}".`, 'history');
    input.since = new Date(t).toISOString();
  }
  if (limit !== undefined) {
    const n = wholeNumberIn(limit, 1, 100_000);
    if (n === null) throw new UsageError(`--limit must be a whole number from 1 to 100000, not "${limit}".`, 'history');
    input.limit = n;
  }
  return call('queryHistory', input);
}

function reportSourceProblems(sources: SourceHealth[], say: (l: string) => void, mentionJobs = false): number {
  const bad = sources.filter(problemStatus);
  for (const s of sources) {
    if (s.status === 'degraded' || problemStatus(s)) say(`source ${s.id} is ${s.status}: ${s.message}${mentionJobs && problemStatus(s) ? ' (its jobs are not listed)' : ''}`);
  }
  return bad.length ? EXIT.unreachable : EXIT.ok;
}

function validateOutput(loaded: LoadedSettings, explicit: boolean, json: boolean, io: CliIo): number {
  const missingNamed = loaded.status === 'missing' && explicit;
  const problems = missingNamed ? [{ field: '', message: `There is no settings file at ${loaded.path}.` }] : loaded.problems;
  const valid = problems.length === 0;
  if (json) {
    io.stdout(`${JSON.stringify({ path: loaded.path, status: loaded.status, fileVersion: loaded.fileVersion, valid, problems, sources: loaded.settings.sources.map((s) => s.id) }, null, 2)}\n`);
  } else {
    const lines = [`${loaded.path}: ${loaded.status}${valid ? '' : `, ${problems.length} problem${problems.length === 1 ? '' : 's'}`}`];
    for (const p of problems) lines.push(`  ${p.field || '(file)'}: ${problemDetail(p)}`);
    lines.push(`Sources that run: ${loaded.settings.sources.map((s) => s.id).join(', ') || 'none'}`);
    io.stdout(`${lines.join('\n')}\n`);
    if (!valid) io.stderr(`pqm: error (invalid-input): the settings file has ${problems.length} problem${problems.length === 1 ? '' : 's'}; the first: ${problems[0].message}\n`);
  }
  return valid ? EXIT.ok : EXIT.usage;
}

function logFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  try {
    return readdirSync(dir)
      .filter((n) => /^(cli|main)\.log(\.\d+)?$/.test(n))
      .sort((a, b) => (a.split('.').length - b.split('.').length) || Number(a.split('.')[2] ?? 0) - Number(b.split('.')[2] ?? 0))
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** `pqm watch`: the current state as "added", then every change, until interrupted. */
async function watch(core: AppCore, json: boolean, io: CliIo): Promise<number> {
  const known = new Map<string, Job>();
  const at = () => new Date().toISOString();
  const line = (o: Record<string, unknown>): void => io.stdout(`${JSON.stringify(o)}\n`);
  const emitJob = (type: 'added' | 'changed' | 'removed', job: Job): void => {
    if (json) line({ at: at(), type, job });
    else io.stdout(`${at()}  ${type.padEnd(7)}  ${jobLine(job)}`);
  };
  /** The health last printed per source. */
  const shown = new Map<string, SourceHealth>();
  const emitHealth = (source: SourceHealth): void => {
    // 'ok' before the first poll is not a health: the source's first answer says what it is.
    if (notCheckedYet(source)) return;
    // Watch prints changes: a poll that answered like the one before (only its time moved on) is none.
    const before = shown.get(source.id);
    if (before && !healthChanged(before, source)) return;
    shown.set(source.id, source);
    if (json) line({ at: at(), type: 'health', source });
    else io.stdout(`${at()}  health   ${source.id} ${source.status}: ${source.message}\n`);
  };
  const onPatches = ({ patches }: { patches: JobPatch[] }): void => {
    for (const p of patches) {
      if (p.type === 'added') {
        known.set(p.job.key, p.job);
        emitJob('added', p.job);
      } else if (p.type === 'changed') {
        const job = core.getJob(p.key) ?? ({ ...known.get(p.key), ...p.changes } as Job);
        known.set(p.key, job);
        emitJob('changed', job);
      } else {
        const last = known.get(p.key);
        known.delete(p.key);
        if (last) emitJob('removed', last);
      }
    }
  };
  const offPatch = core.on('jobs:patch', onPatches);
  const offHealth = core.on('source:health', emitHealth);
  io.onWatchStart?.();
  core.start();
  const snap = core.snapshot();
  for (const job of snap.jobs) {
    known.set(job.key, job);
    emitJob('added', job);
  }
  for (const s of snap.sources) emitHealth(s);
  // The engine's timers do not keep the process alive on their own; this does, until interrupted.
  const keepAlive = setInterval(() => undefined, 1 << 30);
  try {
    await io.interrupted;
  } finally {
    clearInterval(keepAlive);
    offPatch();
    offHealth();
  }
  return EXIT.ok;
}
