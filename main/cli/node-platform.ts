/**
 * The platform ports of the app core for plain Node (the `pqm` command): no dialogs, so the file to
 * print and the path to save to come from the command line; sign-in URLs are printed for the user
 * to open.
 */
import { resolve } from 'node:path';
import { AppFailure } from '../../preload/contract/model';
import type { PlatformPorts } from '../core/app-core-types';

export interface NodePlatformOptions {
  /** --file of `pqm print` */
  fileToPrint?: string;
  /** --out of `pqm diagnostics` / `pqm history export` */
  savePath?: string;
  cwd: string;
  version: string;
  /** Throws when the path to save to must not be written (the app's own files, an existing file). */
  checkSavePath?: (path: string) => void;
  /** Where to tell the user what to open (stderr). */
  say: (line: string) => void;
}

export function createNodePlatform(opts: NodePlatformOptions): PlatformPorts {
  return {
    async pickFileToPrint() {
      return opts.fileToPrint ? { path: resolve(opts.cwd, opts.fileToPrint) } : null;
    },
    async pickSavePath(suggestedName) {
      const path = resolve(opts.cwd, opts.savePath ?? suggestedName);
      opts.checkSavePath?.(path);
      return path;
    },
    async openExternal(url) {
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new AppFailure('invalid-input', 'The sign-in address is not a valid URL.');
      }
      if (parsed.protocol !== 'https:') throw new AppFailure('not-allowed', 'Only https sign-in pages are opened.');
      opts.say(`Open this address in a browser to sign in: ${parsed.toString()}`);
    },
    versions() {
      return { pqm: opts.version, node: process.versions.node, v8: process.versions.v8, platform: `${process.platform}-${process.arch}` };
    },
  };
}
