/**
 * Crash safety of the state the app and the CLI share: a writer process is killed with SIGKILL in
 * the middle of writing tracked ids or the settings file. Each point of a write is hit on purpose
 * (half of the temporary file written; the temporary file complete, not renamed; renamed with the
 * lock still held), and other kills land at points spread over the write cycle. Every time the file
 * left behind is complete and readable, and what was written before the kill is still there.
 * (History has the same trial in test/unit/state/history.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { loadSettings } from '../../main/state/settings';
import { createFileTrackedStore } from '../../main/state/tracked';
import { lockPathFor } from '../../main/state/lock';
import { runKillTrials, startWaitingWriter, type TrialResult } from '../helpers/kill-trials';
import { STOP_STAGES } from '../helpers/stop-in-write';

/** Every point of a write several times over, and as many kills spread over the write cycle. */
const TRIALS = 24;
let dir: string;
let writer: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pqm-crash-'));
  writer = join(dir, 'state-writer.mjs');
  // Bundled once to plain JavaScript so that each trial starts in milliseconds.
  await build({ entryPoints: [resolve(__dirname, 'fixtures/state-writer.ts')], bundle: true, platform: 'node', format: 'esm', outfile: writer, logLevel: 'silent', banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" } });
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const tempFilesOf = async (file: string) => (await readdir(dir)).filter((n) => n.startsWith(`.${basename(file)}.pqm-tmp-`));

/** Runs the trials on `file`, checking after each kill what a stopped write must have left. */
async function trials(kind: 'tracked' | 'settings', file: string, check: (r: TrialResult) => Promise<void>): Promise<TrialResult[]> {
  let tempsBefore = new Set<string>();
  const results = await runKillTrials({
    rounds: TRIALS,
    firstWrite: 'wrote 1',
    start: (round, stage) => startWaitingWriter(writer, [kind, file, `${kind[0]}${round}`, ...(stage ? [stage] : [])]),
    check: async (r) => {
      expect(r.signal, `trial ${r.round}`).toBe('SIGKILL');
      const temps = await tempFilesOf(file);
      // A stop inside the temporary file leaves it behind: the kill landed inside the write.
      if (r.stage === 'temp-half' || r.stage === 'temp-done') expect(temps.some((n) => !tempsBefore.has(n)), `trial ${r.round}: no temporary file left`).toBe(true);
      // A stop after the rename leaves the dead writer's lock; the next writer must recover it.
      if (r.stage === 'renamed') expect(existsSync(lockPathFor(file)), `trial ${r.round}: no lock left`).toBe(true);
      tempsBefore = new Set(temps);
      await check(r);
    },
  });
  for (const stage of STOP_STAGES) expect(results.filter((r) => r.stage === stage).length).toBeGreaterThanOrEqual(TRIALS / 4);
  expect((await readdir(dir)).filter((n) => /corrupt/.test(n))).toEqual([]);
  return results;
}

describe('kill -9 during writes', () => {
  it(`tracked ids: ${TRIALS} kills at every point of a write, always readable, nothing written before the kill lost`, async () => {
    const file = join(dir, 'tracked.json');
    await trials('tracked', file, async ({ round: t, stage }) => {
      const text = await readFile(file, 'utf8');
      expect(() => JSON.parse(text), `trial ${t}: tracked.json is not JSON`).not.toThrow();
      const ids = new Set((await createFileTrackedStore(file).list('local')).map((j) => j.id));
      for (let earlier = 0; earlier <= t; earlier++) expect(ids.has(`t${earlier}-0`), `trial ${t}: lost t${earlier}-0`).toBe(true);
      // Stopped before the rename: the file is the one before the write; after it: the new one.
      if (stage === 'temp-half' || stage === 'temp-done') expect(ids.has(`t${t}-1`), `trial ${t}`).toBe(false);
      if (stage === 'renamed') expect(ids.has(`t${t}-1`), `trial ${t}`).toBe(true);
    });
  }, 180_000);

  it(`settings: ${TRIALS} kills at every point of a write, always a complete, valid file`, async () => {
    const file = join(dir, 'settings.json');
    await trials('settings', file, async ({ round: t, stage }) => {
      const loaded = await loadSettings(file);
      expect(loaded.problems, `trial ${t}`).toEqual([]);
      expect(loaded.status).toBe('ok');
      const ao = loaded.settings.sources.find((s) => s.id === 'ao');
      expect(ao && ao.kind === 'aodocs' ? ao.libraryIds.length : 0).toBe(100);
      // The write completed before the kill (or a later one) is what is on disk.
      const first = ao && ao.kind === 'aodocs' ? ao.libraryIds[0] : '';
      if (stage === 'temp-half' || stage === 'temp-done') expect(first, `trial ${t}`).toBe(`s${t}-0-0`);
      else if (stage === 'renamed') expect(first, `trial ${t}`).toBe(`s${t}-1-0`);
      else expect(first, `trial ${t}`).toMatch(new RegExp(`^s${t}-\\d+-0$`));
    });
  }, 180_000);
});
