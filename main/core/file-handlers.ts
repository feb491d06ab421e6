/**
 * The core's requests that read or write files the user chooses: a file to print (its type and
 * size checked before anything is sent), a job's output, the history export and diagnostics.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { Events, Handlers, PrintRequest, SettingsView } from '../../preload/contract/contract';
import type { EventName } from '../../preload/contract/channels';
import { AppFailure, type Job } from '../../preload/contract/model';
import { csvFile } from '../../preload/contract/csv';
import type { Clock } from '../ports/ports';
import type { QueueEngine } from '../queue/engine-types';
import { MAX_PRINT_FILE_BYTES, type JobSource, type PrintFile } from '../queue/source';
import { writeDiagnostics, diagnosticsFileName } from '../state/diagnostics';
import { writeFailure } from '../state/atomic-file';
import type { HistoryStore } from '../state/history';
import type { Redactor } from '../state/redact';
import type { PlatformPorts } from './app-core-types';

/** Content types of the files the app prints, by extension. */
const PRINTABLE_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xps': 'application/oxps',
  '.oxps': 'application/oxps',
  '.txt': 'text/plain',
};

/** What the file requests share with the rest of the core. */
export interface FileContext {
  configPath: string;
  /** The log files a diagnostics bundle includes, newest first. */
  logFiles(): string[];
  platform: PlatformPorts;
  clock: Clock;
  redactor: Redactor;
  engine: QueueEngine;
  history: HistoryStore;
  emit<E extends EventName>(event: E, payload: Events[E]): void;
  requireJob(key: string): Job;
  requireSource(sourceId: string): JobSource;
  unsupported(source: JobSource, what: string): never;
  settingsView(): Promise<SettingsView>;
}

export type FileHandlers = Pick<Handlers, 'submitPrint' | 'saveJobOutput' | 'exportHistory' | 'saveDiagnostics'>;

export function createFileHandlers(ctx: FileContext): FileHandlers {
  async function readPrintFile(path: string): Promise<PrintFile> {
    const type = PRINTABLE_TYPES[extname(path).toLowerCase()];
    if (!type) {
      throw new AppFailure('invalid-input', `${basename(path)} cannot be printed: choose a PDF, HTML, XPS or text file.`, { field: 'document' });
    }
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (err) {
      throw new AppFailure('not-found', `The file ${basename(path)} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, { field: 'document' });
    }
    if (size > MAX_PRINT_FILE_BYTES) {
      throw new AppFailure('invalid-input', `${basename(path)} is ${(size / 1048576).toFixed(1)} MB; the largest file that can be printed is ${MAX_PRINT_FILE_BYTES / 1048576} MB.`, { field: 'document' });
    }
    if (size === 0) throw new AppFailure('invalid-input', `${basename(path)} is empty.`, { field: 'document' });
    return { name: basename(path), contentType: type, bytes: await readFile(path) };
  }

  async function saveTo(suggestedName: string, filters: { name: string; extensions: string[] }[], data: string | Uint8Array): Promise<{ savedTo: string } | null> {
    const path = await ctx.platform.pickSavePath(suggestedName, filters);
    if (!path) return null;
    try {
      await writeFile(path, data);
    } catch (err) {
      throw writeFailure(path, err);
    }
    return { savedTo: path };
  }

  return {
    async submitPrint(req) {
      const source = ctx.requireSource(req.sourceId);
      if (!source.print) ctx.unsupported(source, 'print');
      let file: PrintFile | null = null;
      if (req.document.type === 'file') {
        const picked = await ctx.platform.pickFileToPrint();
        if (!picked) throw new AppFailure('invalid-input', 'No file was chosen, so nothing was printed.', { field: 'document' });
        file = await readPrintFile(picked.path);
      }
      let uploading: string | null = null;
      const job = await source.print(req as PrintRequest, file, {
        signal: AbortSignal.timeout(30 * 60_000),
        onProgress: (sentBytes, totalBytes, sent) => {
          // The job's row is in the queue before its first progress: the grid shows the upload on
          // it, and "Stop upload" finds it by the same key.
          if (uploading !== sent.key) ctx.engine.upsert(sent);
          uploading = sent.key;
          ctx.emit('print:progress', { key: sent.key, sentBytes, totalBytes });
        },
      });
      return ctx.engine.upsert(job);
    },

    async saveJobOutput({ key }) {
      const job = ctx.requireJob(key);
      const source = ctx.requireSource(job.sourceId);
      if (!source.downloadOutput) ctx.unsupported(source, 'save the output of a job');
      const output = await source.downloadOutput(job, AbortSignal.timeout(120_000));
      const ext = extname(output.suggestedName).replace('.', '') || 'pdf';
      const saved = await saveTo(output.suggestedName, [{ name: ext.toUpperCase(), extensions: [ext] }], output.bytes);
      ctx.engine.refreshNow(job.sourceId);
      return saved;
    },

    async exportHistory({ format }) {
      const stamp = new Date(ctx.clock.now()).toISOString().slice(0, 10);
      if (format === 'csv') return saveTo(`print-history-${stamp}.csv`, [{ name: 'CSV', extensions: ['csv'] }], csvFile(await ctx.history.exportCsv()));
      return saveTo(`print-history-${stamp}.json`, [{ name: 'JSON', extensions: ['json'] }], await ctx.history.exportJson());
    },

    async saveDiagnostics() {
      const path = await ctx.platform.pickSavePath(diagnosticsFileName(ctx.clock.now()), [{ name: 'JSON', extensions: ['json'] }]);
      if (!path) return null;
      const view = await ctx.settingsView();
      await writeDiagnostics(path, {
        now: ctx.clock.now(),
        versions: ctx.platform.versions(),
        configPath: ctx.configPath,
        settings: view.settings,
        problems: view.problems,
        sources: ctx.engine.snapshot().sources,
        secrets: view.secrets,
        logFiles: ctx.logFiles(),
        redactor: ctx.redactor,
      }).catch((err: unknown) => {
        throw writeFailure(path, err);
      });
      return { savedTo: path };
    },
  };
}
