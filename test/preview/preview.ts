/**
 * `npm run preview`: the real app in a browser. Starts the simulators with a live workload (or,
 * with `--config <file>`, the real sources of that settings file), the app core and the web
 * transport, and prints one line: `Preview ready: http://127.0.0.1:<port>/?token=<token>`.
 * Ctrl+C stops everything.
 *
 * Options: --config <file>   real sources (secrets from PQM_SECRET_<ID>_<NAME>)
 *          --seed <n>        workload seed (default 1)
 *          --speed <x>       workload speed factor (default 1)
 *          --no-workload     simulators without the workload
 */
import { parseArgs } from 'node:util';
import { readyLine, startPreview, type Preview } from './start-preview';

export interface PreviewCliOptions {
  configPath?: string;
  seed: number;
  speed: number;
  workload: boolean;
}

export function parsePreviewArgs(argv: string[]): PreviewCliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      seed: { type: 'string' },
      speed: { type: 'string' },
      'no-workload': { type: 'boolean' },
    },
    strict: true,
    allowPositionals: false,
  });
  const num = (name: string, raw: string | undefined, dflt: number, check: (n: number) => boolean, what: string): number => {
    if (raw === undefined) return dflt;
    const n = Number(raw);
    if (!Number.isFinite(n) || !check(n)) throw new Error(`--${name} must be ${what}, not "${raw}".`);
    return n;
  };
  if (values.config !== undefined && values.config.trim() === '') throw new Error('--config needs the path of a settings file.');
  return {
    configPath: values.config,
    seed: num('seed', values.seed, 1, (n) => Number.isInteger(n) && n >= 0, 'a non-negative integer'),
    speed: num('speed', values.speed, 1, (n) => n > 0 && n <= 1000, 'a number above 0 and at most 1000'),
    workload: !values['no-workload'],
  };
}

export async function runPreview(argv: string[]): Promise<Preview> {
  const cli = parsePreviewArgs(argv);
  const preview = await startPreview({
    configPath: cli.configPath,
    workload: cli.configPath || !cli.workload ? false : { seed: cli.seed, speed: cli.speed },
    printServer: true,
    spoolerQueue: !cli.configPath,
  });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`Stopping the preview (${signal})...\n`);
    preview.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`The preview did not stop cleanly: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.stdout.write(`${readyLine(preview.url)}\n`);
  return preview;
}

const isMain = process.argv[1] !== undefined && import.meta.filename === (await import('node:fs')).realpathSync(process.argv[1]);
if (isMain) {
  runPreview(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`The preview could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
