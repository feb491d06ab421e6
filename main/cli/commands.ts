/** The commands of `pqm` (docs/interfaces.md "CLI"), with their options and help. */
import type { CommandSpec } from './args';
import { SOURCE_KIND_NAMES } from '../../preload/contract/job-states';

const EXIT_CODES = 'Exit codes: 0 success; 1 the operation failed; 2 usage or settings error; 3 a source was unreachable or needs sign-in; 130 interrupted (Ctrl+C; watch ends with 0).';
/** What the times of the history CSV are (main/state/history.ts, HISTORY_CSV_COLUMNS). */
const CSV_TIMES =
  'CSV times: finishedAt, createdAt and updatedAt exact in UTC (ISO 8601, as in the JSON); finishedLocal, createdLocal and updatedLocal the same times in this PC\'s time zone as "2026-06-15 12:00:00", which Excel reads as a date; utcOffset how far finishedLocal is from UTC ("UTC+02:00").';
const SINCE = '--since: a date (2026-06-01: from midnight local time) or date-time (2026-06-01T08:00:00Z; without Z or an offset: local time).';
const JSON_OPT = { kind: 'flag', help: 'machine-readable JSON output (errors as JSON on stderr)' } as const;

export const COMMANDS: CommandSpec[] = [
  {
    name: 'sources',
    usage: '[--json]',
    summary: 'Polls each source once and shows its health.',
    description: `Output: the health of every configured source (id, kind, name, status ok|degraded|down|auth-required|disabled, message, lastSuccessAt, lastErrorAt).\n${EXIT_CODES} Exit code 3 when any enabled source is down or needs sign-in (the health is still printed).`,
    positionals: [],
    options: { '--json': JSON_OPT },
  },
  {
    name: 'jobs',
    usage: '[--json]',
    summary: 'Polls every source once (tracked ids included) and lists the jobs.',
    description: `Output: an array of normalized jobs (key, sourceId, state, rawState, document, owner, printer, ...).\n${EXIT_CODES} Exit code 3 when any enabled source is down or needs sign-in (the jobs of the others are still printed; those of that source are missing).`,
    positionals: [],
    options: { '--json': JSON_OPT },
  },
  {
    name: 'watch',
    usage: '[--json]',
    summary: 'Polls until interrupted and prints every change.',
    description: `With --json, JSON lines: {"at","type":"added"|"changed"|"removed","job"} and {"at","type":"health","source"} (when what a source's health says changes, such as its status or message; not for each poll's time alone: \`pqm sources --json\` answers the latest); the first lines are the current state as "added". Ctrl+C (SIGINT) or SIGTERM ends it cleanly with exit code 0.`,
    positionals: [],
    options: { '--json': JSON_OPT },
  },
  {
    name: 'track',
    usage: '<sourceId> <id> [--kind html|pdf] [--title <text>] [--printer <name>] [--json]',
    summary: 'Adds a job id (ScriptX token, Universal Print job id, AODocs job id) to the tracked list.',
    description: `The id is kept next to the settings file and polled by the app and by pqm from then on. Output: the job.\n${EXIT_CODES}`,
    positionals: [
      { name: '<sourceId>', required: true },
      { name: '<id>', required: true },
    ],
    options: {
      '--kind': { kind: 'value', help: 'ScriptX: which status endpoint serves the token', values: ['html', 'pdf'] },
      '--title': { kind: 'value', help: 'ScriptX: the document, shown instead of "ScriptX job <token>"' },
      '--printer': { kind: 'value', help: 'ScriptX: the printer the job was sent to' },
      '--json': JSON_OPT,
    },
  },
  {
    name: 'cancel',
    usage: '<key> [--json]',
    summary: 'Cancels a job, named by its key (<sourceId>:<locator>, as `pqm jobs` shows it).',
    description: `Output: the job after the cancel.\n${EXIT_CODES} A job that already finished is refused with the code too-late.`,
    positionals: [{ name: '<key>', required: true }],
    options: { '--json': JSON_OPT },
  },
  {
    name: 'print',
    usage: '<sourceId> (--file <path> | --url <url> | --html <text>) [--printer <name>] [--title <text>] [--copies <n>] [--paper-size <name>] [--orientation portrait|landscape] [--to-file <name>] [--json]',
    summary: 'Submits a document through ScriptX.Services or Universal Print.',
    description: `Output: the new job, which is then tracked.\n${EXIT_CODES}`,
    positionals: [{ name: '<sourceId>', required: true }],
    options: {
      '--file': { kind: 'value', help: 'a PDF, HTML, XPS or text file to print' },
      '--url': { kind: 'value', help: 'an http(s) page to print (ScriptX)' },
      '--html': { kind: 'value', help: 'HTML text to print (ScriptX)' },
      '--printer': { kind: 'value', help: 'ScriptX: printer name; Universal Print: share id' },
      '--title': { kind: 'value', help: 'the job title' },
      '--copies': { kind: 'value', help: 'number of copies (1-999)' },
      '--paper-size': { kind: 'value', help: 'paper size name, e.g. A4' },
      '--orientation': { kind: 'value', help: 'portrait or landscape', values: ['portrait', 'landscape'] },
      '--to-file': { kind: 'value', help: 'ScriptX: print to this file name on the PC running the service' },
      '--json': JSON_OPT,
    },
  },
  {
    name: 'history',
    usage: '[--csv | --json] [--since <date>] [--limit <n>]',
    summary: 'Lists finished jobs from the history, newest first.',
    description: `--csv: CSV (RFC 4180; cells that a spreadsheet would run as a formula are prefixed with ').\n${CSV_TIMES}\n--json: an array of {finishedAt, job, timeline}, times in UTC.\n${SINCE}\n${EXIT_CODES}`,
    positionals: [],
    options: {
      '--csv': { kind: 'flag', help: 'CSV output' },
      '--json': JSON_OPT,
      '--since': { kind: 'value', help: 'only jobs finished at or after this date/time' },
      '--limit': { kind: 'value', help: 'at most this many jobs' },
    },
  },
  {
    name: 'history export',
    usage: '(--csv | --json) [--since <date>] [--out <file> [--force]]',
    summary: 'Exports the history as CSV or JSON, to a file (--out) or to stdout.',
    description: `The CSV is safe to open in a spreadsheet: cells starting with = + - @ tab or CR are prefixed with '; a file written with --out starts with the UTF-8 byte order mark, so that Excel reads names that are not plain ASCII as written.\n${CSV_TIMES}\n${SINCE}\n${EXIT_CODES}`,
    positionals: [],
    options: {
      '--csv': { kind: 'flag', help: 'CSV' },
      '--json': { kind: 'flag', help: 'JSON' },
      '--since': { kind: 'value', help: 'only jobs finished at or after this date/time' },
      '--out': { kind: 'value', help: 'the file to write (written atomically; never one of the app\'s own files)' },
      '--force': { kind: 'flag', help: 'replace --out if it exists' },
    },
  },
  {
    name: 'history clear',
    usage: '',
    summary: 'Deletes every finished job from the history.',
    description: EXIT_CODES,
    positionals: [],
    options: { '--json': JSON_OPT },
  },
  {
    name: 'diagnostics',
    usage: '[--out <file> [--force]] [--json]',
    summary: 'Writes a diagnostics bundle for support: versions, settings (never secrets), source health, recent log lines.',
    description: `Default file: print-queue-monitor-diagnostics-<time>.json in the current folder. Output: the path written.\n${EXIT_CODES}`,
    positionals: [],
    options: {
      '--out': { kind: 'value', help: 'the file to write (written atomically; never one of the app\'s own files)' },
      '--force': { kind: 'flag', help: 'replace --out if it exists' },
      '--json': JSON_OPT,
    },
  },
  {
    name: 'settings validate',
    usage: '[--json]',
    summary: 'Checks the settings file and names every field that is wrong. Never changes the file.',
    description: 'Output: the status (ok, missing, migrated, invalid, newer, unreadable), the problems and the sources that would run.\nExit codes: 0 the file is valid (or absent, when no --config/PQM_CONFIG names it); 2 it has problems.',
    positionals: [],
    options: { '--json': JSON_OPT },
  },
  {
    name: 'settings show',
    usage: '',
    summary: 'Prints the settings in effect (as JSON) and which secrets are set, never their values.',
    description: 'Secrets for pqm come from environment variables PQM_SECRET_<SOURCEID>_<NAME> (LICENSE, TOKEN, SECURITY_CODE, ...), the source id upper-cased with "-" as "_".',
    positionals: [],
    options: {},
  },
  {
    name: 'settings path',
    usage: '',
    summary: 'Prints the path of the settings file pqm uses.',
    description: '',
    positionals: [],
    options: {},
  },
];

/** The help of a family of sub-commands (`pqm settings --help`): each of them, with what it does. */
export function familyHelp(family: string): string {
  const members = COMMANDS.filter((c) => c.name.startsWith(`${family} `));
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `Usage: pqm [--config <file>] ${family} <${members.map((c) => c.name.slice(family.length + 1)).join('|')}> [options]      pqm ${family} <sub-command> --help`,
    '',
    'Sub-commands:',
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
  ].join('\n');
}

export function globalHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `pqm ${version}: Print Queue Monitor from the command line (${Object.values(SOURCE_KIND_NAMES).map((n) => n.kind).join(', ')}).`,
    '',
    'Usage: pqm [--config <file>] <command> [options]      pqm <command> --help',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Settings: --config <file>, else PQM_CONFIG, else the app\'s settings.json. Secrets: environment variables',
    'PQM_SECRET_<SOURCEID>_<NAME>, e.g. PQM_SECRET_LOCAL_LICENSE, PQM_SECRET_UP_TOKEN, PQM_SECRET_AO_SECURITY_CODE.',
    EXIT_CODES,
    '',
  ].join('\n');
}
