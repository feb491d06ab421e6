/**
 * The `pqm` entry point (built to out/main/cli.js; main/cli/bin.js, the command as installed, runs
 * it with plain Node). Wires the process (argv, environment, stdout/stderr, signals) to runCli and
 * exits with its code once the output is flushed.
 */
import { version } from '../../package.json';
import { runCli } from './run';

let interrupt: () => void = () => undefined;
const interrupted = new Promise<void>((resolve) => {
  interrupt = resolve;
});
let signals = 0;
let watching = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    // `watch` ends cleanly (exit 0, history flushed); any other command, or a second signal while
    // shutting down, ends at once, as an interrupted program does (128 + SIGINT).
    if (!watching || ++signals > 1) process.exit(130);
    interrupt();
  });
}
// A closed pipe (pqm jobs | head) is not an error. Any other failure to write the output (a full
// disk, a share gone, /dev/full) is: the command says so and ends with 1, never 0 with its output
// cut short (`watch` ends as on a signal, its history written).
let outputFailed = false;
const outputError = (err: NodeJS.ErrnoException | null | undefined): void => {
  if (!err) return;
  if (err.code === 'EPIPE') process.exit(0);
  if (outputFailed) return;
  outputFailed = true;
  process.stderr.write(`pqm: the output could not be written: ${err.message}\n`);
  if (watching) interrupt();
};
process.stdout.on('error', outputError);

// Resolves once everything written before has gone out, or failed (its callback has run).
const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => stream.write('', () => resolve()));

// The core's timers never hold the process open (they are unref'd), so a command waiting on one
// (a poll's pacing, a debounced write) would let Node exit early with no output: hold it open until
// the command has finished.
const keepAlive = setInterval(() => undefined, 1 << 30);

runCli({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  platform: process.platform,
  version,
  stdout: (t) => void process.stdout.write(t, outputError),
  stderr: (t) => void process.stderr.write(t),
  interrupted,
  onWatchStart: () => {
    watching = true;
  },
})
  .catch((err: unknown) => {
    process.stderr.write(`pqm: error (internal): ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  })
  .then(async (code) => {
    clearInterval(keepAlive);
    await Promise.all([flushed(process.stdout), flushed(process.stderr)]);
    process.exit(outputFailed && code === 0 ? 1 : code);
  });
