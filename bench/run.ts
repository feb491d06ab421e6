/**
 * `npm run bench`: runs every part of the benchmark suite in turn and writes bench/results.json
 * and bench/RESULTS.md (each figure, its target, met or NOT MET, and how it was measured).
 *
 * Parts run one after another, never in parallel, so that they do not steal CPU from each other
 * on a small machine. A part that throws is reported as a failed figure rather than hiding the
 * others; the command then exits 1.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import type { BenchFigure } from './types';
import { PARTS } from './parts';
import { cpuReferenceMs } from './harness';

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const started = Date.now();
  const figures: BenchFigure[] = [];
  const failures: { part: string; error: string }[] = [];
  const speedAtStart = cpuReferenceMs();
  for (const part of PARTS) {
    if (only.length > 0 && !only.includes(part.name)) continue;
    const t0 = Date.now();
    process.stdout.write(`[bench] ${part.name} ... `);
    try {
      const loadBefore = os.loadavg()[0]!;
      const speedBefore = cpuReferenceMs();
      const got = await part.run();
      const load: [number, number] = [loadBefore, os.loadavg()[0]!];
      const speed: [number, number] = [speedBefore, cpuReferenceMs()];
      figures.push(...got.map((f) => ({ ...f, load, speed })));
      process.stdout.write(`${got.length} figures in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
    } catch (err) {
      const message = err instanceof Error ? err.stack ?? err.message : String(err);
      failures.push({ part: part.name, error: message });
      process.stdout.write(`FAILED\n${message}\n`);
    }
  }
  const durationS = (Date.now() - started) / 1000;
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    /** cpuReferenceMs at the start and at the end of the run. */
    referenceWorkMs: [Math.round(speedAtStart), Math.round(cpuReferenceMs())],
  };
  const results = { at: new Date().toISOString(), durationS, machine, commit: measuredCommit(), figures, failures };
  writeFileSync(join(here, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(here, 'RESULTS.md'), renderMarkdown(results));
  const notMet = figures.filter((f) => f.met === false);
  console.log(`[bench] ${figures.length} figures, ${notMet.length} NOT MET, ${failures.length} parts failed, ${durationS.toFixed(0)} s`);
  console.log(`[bench] wrote bench/results.json and bench/RESULTS.md`);
  if (failures.length > 0) process.exitCode = 1;
}

/**
 * The commit the figures measured: HEAD when the run started, and whether the working tree was
 * clean then (the results files themselves aside: they are what the run rewrites).
 */
export function measuredCommit(): { head: string; clean: boolean; changed: string[] } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: join(here, '..'), encoding: 'utf8' });
  try {
    const head = git('rev-parse', 'HEAD').trim();
    const changed = git('status', '--porcelain')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.slice(3))
      .filter((f) => f !== 'bench/RESULTS.md' && f !== 'bench/results.json');
    return { head, clean: changed.length === 0, changed };
  } catch (err) {
    return { head: `unknown (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`, clean: false, changed: [] };
  }
}

export function renderMarkdown(results: {
  at: string;
  durationS: number;
  machine: Record<string, string | number | number[]>;
  commit: { head: string; clean: boolean; changed: string[] };
  figures: BenchFigure[];
  failures: { part: string; error: string }[];
}): string {
  const lines: string[] = [];
  lines.push('# Benchmark results', '');
  lines.push(`Measured ${results.at} in ${results.durationS.toFixed(0)} s on ${results.machine.cpus} × ${results.machine.cpuModel}, ${results.machine.memoryGiB} GiB, Node ${results.machine.node} (${results.machine.platform}).`, '');
  const loop = results.machine.referenceWorkMs;
  if (Array.isArray(loop)) lines.push(`This machine's speed: a fixed piece of script work (\`cpuReferenceMs\`, bench/harness.ts: 20,000 objects to JSON, back and sorted) took ${loop[0]} ms at the start of the run and ${loop[1]} ms at its end. The machines are shared and their speed moves by half or more within an hour; compare runs only beside this figure. Beside each NOT MET it is given for the part that measured it.`, '');
  const c = results.commit;
  lines.push(`Commit measured: \`${c.head}\`, ${c.clean ? 'working tree clean' : `working tree **not clean** (${c.changed.length} files changed: ${c.changed.slice(0, 5).map(esc).join(', ')}${c.changed.length > 5 ? ', …' : ''})`}.`, '');
  lines.push('Written by `npm run bench`; do not edit by hand. Each figure says how it was measured; a figure marked NOT MET is shown as measured, with its cause where known.', '');
  const groups = [...new Set(results.figures.map((f) => f.group))];
  for (const group of groups) {
    lines.push(`## ${group}`, '', '| figure | value | target | result | method |', '|---|---:|---|---|---|');
    for (const f of results.figures.filter((x) => x.group === group)) {
      const verdict = f.met === null ? '—' : f.met ? 'met' : `**NOT MET**${notMetCause(f, Number(results.machine.cpus))}`;
      lines.push(`| ${esc(f.name)} | ${formatValue(f.value)} ${esc(f.unit)} | ${esc(f.target ?? '—')} | ${verdict} | ${esc(f.method)} |`);
    }
    lines.push('');
  }
  if (results.failures.length > 0) {
    lines.push('## Parts that failed', '');
    for (const f of results.failures) lines.push(`- **${f.part}**: ${esc(f.error.split('\n')[0] ?? '')}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** Why a figure is NOT MET: where its time went (when the part measured it) and what the machine was doing (a machine busier than its cores is named as the likely cause). */
function notMetCause(f: BenchFigure, cpus: number): string {
  const parts: string[] = [];
  if (f.cause) parts.push(f.cause);
  if (f.speed) parts.push(`the reference work took ${f.speed.map((ms) => ms.toFixed(0)).join(' → ')} ms`);
  if (f.load) {
    const words = `load average ${f.load.map((l) => l.toFixed(1)).join(' → ')} on ${cpus} cores`;
    parts.push(Math.max(...f.load) > cpus ? `machine busy: ${words}` : words);
  }
  return parts.length ? ` (${parts.join('; ')})` : '';
}

function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void main();
}
