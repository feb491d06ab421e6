/**
 * `npm run demo`: the desktop app against the built-in simulators with a continuously changing
 * workload. Where Electron cannot launch (its package or binary is not installed, or Linux has no
 * display) it says so in one line and starts the browser preview instead, with the same workload.
 *
 * Options: --seed <n>  --speed <x>  --no-workload   (as for `npm run preview`)
 */
import { realpathSync } from 'node:fs';
import { parsePreviewArgs, runPreview, type PreviewCliOptions } from './preview';
import { decideDemoLaunch, startElectronDemo, systemProbe, type DemoLaunchDecision, type ElectronProbe } from './electron-demo';

export interface DemoPlan {
  decision: DemoLaunchDecision;
  cli: PreviewCliOptions;
}

/** Reads the options and decides where the demo runs; throws a sentence on a bad option. */
export function planDemo(argv: string[], probe: ElectronProbe): DemoPlan {
  const cli = parsePreviewArgs(argv);
  if (cli.configPath !== undefined) {
    throw new Error('The demo runs against the built-in simulators and takes no --config; to watch real sources run "npm start -- --config <file>" or "npm run preview -- --config <file>".');
  }
  return { decision: decideDemoLaunch(probe), cli };
}

export async function runDemo(argv: string[], probe: ElectronProbe = systemProbe()): Promise<void> {
  const { decision, cli } = planDemo(argv, probe);
  if (decision.kind === 'preview') {
    process.stderr.write(`${decision.message}\n`);
    await runPreview(argv);
    return;
  }
  const demo = await startElectronDemo({ binary: decision.binary, workload: cli.workload ? { seed: cli.seed, speed: cli.speed } : false });
  process.stdout.write(`Demo running in the desktop app (settings: ${demo.configPath}); close the app or press Ctrl+C to stop.\n`);
  process.exit(await demo.done);
}

const isMain = process.argv[1] !== undefined && import.meta.filename === realpathSync(process.argv[1]);
if (isMain) {
  runDemo(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`The demo could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
