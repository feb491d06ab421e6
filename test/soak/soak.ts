/**
 * `npm run soak`: 10,000 compressed polling cycles of the real engine and sources against the
 * simulators, with faults. Prints a summary; exits 1 when a bound is exceeded:
 *   - heap growth after the warm-up (after a forced GC) < HEAP_GROWTH_BOUND_MB (30 MB),
 *   - no fake timer pending after engine.stop(), no request in flight,
 *   - no socket, server or real timer left once the simulators are closed,
 *   - every source back to ok after the faults clear, no unhandled rejection.
 * Options: --cycles <n> (default 10000), --seed <n> (default 1).
 * GC: re-runs itself under `node --expose-gc` when started without it (or run
 * `node --expose-gc --import tsx test/soak/soak.ts`).
 */
import { spawnSync } from 'node:child_process';
import { formatSoakReport, runSoak } from './run-soak';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) {
    process.stderr.write(`--${name} must be a positive whole number, not "${process.argv[i + 1] ?? ''}".\n`);
    process.exit(2);
  }
  return v;
}

async function main(): Promise<void> {
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function' && !process.env.PQM_SOAK_CHILD) {
    const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, process.argv[1], ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, PQM_SOAK_CHILD: '1' },
    });
    process.exit(r.status ?? 1);
  }
  const cycles = arg('cycles', 10_000);
  const seed = arg('seed', 1);
  process.stdout.write(`Soak: ${cycles} cycles, seed ${seed}...\n`);
  const report = await runSoak({
    cycles,
    seed,
    progressEvery: 1_000,
    onProgress: (p) => process.stdout.write(`  cycle ${p.cycle}: heap ${p.heapMb} MB, ${p.jobs} jobs live, ${(p.realMs / 1000).toFixed(0)} s\n`),
  });
  process.stdout.write(`${formatSoakReport(report)}\n`);
  process.exitCode = report.violations.length ? 1 : 0;
}

main().catch((err: unknown) => {
  process.stderr.write(`Soak failed to run: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
