/**
 * The diagnostics bundle: one JSON text file a user can attach to a support request. It holds the
 * versions, the settings (which never contain secrets) with their problems, which secrets are
 * present (never their values), each source's health and the recent log lines — all passed through
 * the Redactor once more, in case a secret ever reached a log line.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { SettingsProblem, SourceHealth, Settings } from '../../preload/contract/model';
import { writeFileAtomic } from './atomic-file';
import type { Redactor } from './redact';

export interface DiagnosticsInput {
  now: number;
  versions: Record<string, string>;
  configPath: string;
  settings: Settings;
  problems: SettingsProblem[];
  sources: SourceHealth[];
  secrets: { sourceId: string; name: string; present: boolean }[];
  /** Log files, newest first (FileLogger.files()). */
  logFiles: string[];
  redactor: Redactor;
  /** Lines kept from the end of the logs (default 2000). */
  maxLogLines?: number;
  extra?: Record<string, unknown>;
}

export function diagnosticsFileName(now: number): string {
  return `print-queue-monitor-diagnostics-${new Date(now).toISOString().replace(/[:.]/g, '-')}.json`;
}

export async function buildDiagnostics(input: DiagnosticsInput): Promise<string> {
  const max = input.maxLogLines ?? 2000;
  const logs: { file: string; lines: string[]; error?: string }[] = [];
  let remaining = max;
  for (const file of input.logFiles) {
    if (remaining <= 0) break;
    try {
      const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
      const kept = lines.slice(-remaining);
      remaining -= kept.length;
      logs.push({ file: basename(file), lines: kept.map((l) => input.redactor.redactText(l)) });
    } catch (err) {
      logs.push({ file: basename(file), lines: [], error: (err as Error).message });
    }
  }
  const bundle = {
    kind: 'print-queue-monitor-diagnostics',
    generatedAt: new Date(input.now).toISOString(),
    versions: input.versions,
    platform: { os: process.platform, arch: process.arch, node: process.versions.node },
    configPath: input.configPath,
    settings: input.settings,
    settingsProblems: input.problems,
    secretsPresent: input.secrets,
    sources: input.sources,
    extra: input.extra ?? {},
    logs,
  };
  return `${JSON.stringify(input.redactor.redactValue(bundle), null, 2)}\n`;
}

export async function writeDiagnostics(path: string, input: DiagnosticsInput): Promise<string> {
  await writeFileAtomic(path, await buildDiagnostics(input));
  return path;
}
