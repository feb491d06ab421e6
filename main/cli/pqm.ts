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
// A closed pipe (pqm jobs | head) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
});

const flushed = (stream: NodeJS.WriteStream): Promise<void> => new Promise((resolve) => (stream.writableLength === 0 ? resolve() : stream.write('', () => resolve())));

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
  stdout: (t) => void process.stdout.write(t),
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
    process.exit(code);
  });
