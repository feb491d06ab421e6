/**
 * For kill -9 trials in a writer process: makes the next atomic write of one file stop, alive, at a
 * chosen point of the write and say so on stdout (`in-write <stage>`), so the parent's kill lands
 * exactly there however loaded the machine is.
 *
 * - `temp-half`: the temporary file is created and half of the new content is written;
 * - `temp-done`: the temporary file is complete, the rename over the file is not done;
 * - `renamed`: the rename is done, the file's lock is still held (its owner dies holding it).
 */
import { promises as fsp } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';

export const STOP_STAGES = ['temp-half', 'temp-done', 'renamed'] as const;
export type StopStage = (typeof STOP_STAGES)[number];

export function isStopStage(v: unknown): v is StopStage {
  return (STOP_STAGES as readonly unknown[]).includes(v);
}

function stayHere(stage: StopStage): Promise<never> {
  process.stdout.write(`in-write ${stage}\n`);
  // Alive until killed.
  setInterval(() => undefined, 60_000);
  return new Promise<never>(() => undefined);
}

export function stopNextWriteOf(file: string, stage: StopStage): void {
  const target = resolve(file);
  const tempPrefix = `.${basename(target)}.pqm-tmp-`;
  const isTemp = (p: unknown) => dirname(resolve(String(p))) === dirname(target) && basename(String(p)).startsWith(tempPrefix);
  if (stage === 'temp-half') {
    const open = fsp.open;
    fsp.open = (async (path: Parameters<typeof open>[0], ...rest: unknown[]) => {
      const handle = await (open as (...a: unknown[]) => ReturnType<typeof open>)(path, ...rest);
      if (!isTemp(path)) return handle;
      handle.writeFile = (async (data: string | Uint8Array) => {
        const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
        await handle.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
        await handle.sync();
        return stayHere(stage);
      }) as typeof handle.writeFile;
      return handle;
    }) as typeof fsp.open;
    return;
  }
  const rename = fsp.rename;
  fsp.rename = async (from, to) => {
    if (resolve(String(to)) !== target) return rename(from, to);
    if (stage === 'temp-done') return stayHere(stage);
    await rename(from, to);
    return stayHere(stage);
  };
}
