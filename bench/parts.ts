/** The parts of the benchmark suite, in the order they run. */
import type { BenchFigure } from './types';

export interface BenchPart {
  name: string;
  run(): Promise<BenchFigure[]>;
}

export const PARTS: BenchPart[] = [
  { name: 'engine', run: async () => (await import('./engine')).runEngineBench() },
  { name: 'scriptx', run: async () => (await import('./scriptx')).runScriptxBench() },
  { name: 'cli-watch', run: async () => (await import('./cli-watch')).runCliWatchBench() },
  { name: 'remote', run: async () => (await import('./remote')).runRemoteBench() },
  { name: 'memory', run: async () => (await import('./memory')).runMemoryBench() },
  { name: 'renderer', run: async () => (await import('./renderer')).runRendererBench() },
  { name: 'history', run: async () => (await import('./history')).runHistoryBench() },
];
