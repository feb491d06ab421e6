/**
 * One measured figure of the benchmark suite. Every part of bench/ returns a list of these;
 * bench/run.ts writes them to bench/results.json and bench/RESULTS.md.
 */
export interface BenchFigure {
  /** Group shown as a section of RESULTS.md: engine, freshness, request-cost, renderer, memory, baseline. */
  group: string;
  /** What was measured, e.g. "engine cycle CPU, 10k jobs, p95". */
  name: string;
  value: number;
  unit: string;
  /** The target in words, e.g. "< 5 ms"; null for figures reported without a target (baselines). */
  target: string | null;
  /** Whether the target was met; null when there is no target. */
  met: boolean | null;
  /** How it was measured (fake clock, compressed time, sample size). */
  method: string;
  /**
   * Where the time went, measured in the same runs (e.g. the phases of a page load); shown beside a
   * NOT MET as its cause.
   */
  cause?: string;
  /** cpuReferenceMs (bench/harness.ts) before and after the part that measured it, ms (set by run.ts). */
  speed?: [number, number];
  /** The machine's 1-minute load average at the start and end of the part that measured it (set by run.ts). */
  load?: [number, number];
}

export function figure(f: BenchFigure): BenchFigure {
  return f;
}
