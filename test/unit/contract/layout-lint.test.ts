/**
 * The layout's two walls, as the lint enforces them (eslint.config.js): the window imports, outside
 * renderer/, only the shared contract in preload/contract/; only the thin shell (main/*.ts and
 * preload/index.ts) imports Electron. Beside them, one wording rule: what the app says spells
 * "canceled" one way. Each rule is checked on code that breaks it and code that keeps it.
 */
import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function restricted(file: string, code: string, rule = 'no-restricted-imports'): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, file) });
  return result.messages.filter((m) => m.ruleId === rule).map((m) => m.message);
}

describe('layout lint', () => {
  it('lets the window import the shared contract and its own files only', async () => {
    expect(await restricted('renderer/src/components/X.tsx', "export * from '../../../preload/contract/model';\nexport * from '../i18n/messages';\n")).toEqual([]);
    for (const spec of ['../../../main/web/server', '../../../preload/index', '../../main/queue/engine', '../../../test/helpers/fake-bridge', 'electron', 'node:fs', 'axios']) {
      expect(await restricted('renderer/src/components/X.tsx', `export * from '${spec}';\n`), spec).toHaveLength(1);
    }
  });

  it('keeps Electron in the thin shell files', async () => {
    expect(await restricted('main/window.ts', "export { app } from 'electron';\n")).toEqual([]);
    expect(await restricted('preload/index.ts', "export { contextBridge } from 'electron';\n")).toEqual([]);
    for (const file of ['main/queue/engine.ts', 'main/core/app-core.ts', 'main/sources/scriptx/poll.ts', 'preload/contract/model.ts']) {
      expect(await restricted(file, "export { app } from 'electron';\n"), file).toHaveLength(1);
      expect(await restricted(file, "export { autoUpdater } from 'electron-updater';\n"), file).toHaveLength(1);
    }
  });

  it('keeps one spelling of canceled in what the app says', async () => {
    const said = ['export const a = "The job was cancelled.";\n', 'export const b = (d: string) => `Cancelled: ${d}`;\n', 'export const c = "Cancelling the job";\n'];
    for (const file of ['main/sources/aodocs/states.ts', 'preload/contract/notification-rules.ts', 'renderer/src/i18n/messages.ts']) {
      for (const code of said) expect(await restricted(file, code, 'no-restricted-syntax'), file).toHaveLength(1);
      expect(await restricted(file, 'export const d = "The job was canceled. Canceling it; its cancellation";\n', 'no-restricted-syntax'), file).toEqual([]);
    }
    expect(await restricted('renderer/src/components/X.tsx', 'export const X = () => <p>Cancelled</p>;\n', 'no-restricted-syntax')).toHaveLength(1);
  });
});
