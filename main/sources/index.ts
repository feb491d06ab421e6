/**
 * The registry of source kinds: turns one validated source configuration into a JobSource.
 * A new kind of source is a new folder beside these and one case here.
 */
import type { SourceConfig } from '../../preload/contract/model';
import { SOURCE_KIND_NAMES } from '../../preload/contract/job-states';
import type { JobSource } from '../queue/source';
import type { SourceDeps } from './deps';
import { createScriptxSource } from './scriptx/source';
import { createGraphSource } from './graph/source';
import { createAodocsSource } from './aodocs/source';
import { createIppSource } from './ipp/source';
import { createWindowsSpoolerSource } from './windows-spooler/source';

export function createSource(config: SourceConfig, deps: SourceDeps): JobSource {
  switch (config.kind) {
    case 'scriptx':
      return createScriptxSource(config, deps);
    case 'graph':
      return createGraphSource(config, deps);
    case 'aodocs':
      return createAodocsSource(config, deps);
    case 'ipp':
      return createIppSource(config, deps);
    case 'windows-spooler':
      return createWindowsSpoolerSource(config, deps, deps.spoolerHost ? { spawnHost: deps.spoolerHost } : {});
  }
}

/** The name shown for a source: its configured name, else one that says what it is. */
export function sourceDisplayName(config: SourceConfig): string {
  if (config.name) return config.name;
  switch (config.kind) {
    case 'scriptx':
      return config.baseUrl ? `${SOURCE_KIND_NAMES.scriptx.kind} (${new URL(config.baseUrl).host})` : SOURCE_KIND_NAMES.scriptx.source;
    case 'graph':
    case 'aodocs':
    case 'windows-spooler':
      return SOURCE_KIND_NAMES[config.kind].source;
    case 'ipp': {
      const u = new URL(config.url);
      const queue = /\/printers\/([^/]+)\/?$/.exec(u.pathname);
      return queue ? `${decodeURIComponent(queue[1])} (${u.host})` : `${SOURCE_KIND_NAMES.ipp.source} ${u.host}`;
    }
  }
}
