/**
 * The name shown for a source (its configured name, else one that says what it is): one rule for
 * the registry, the sources themselves and every view, from the kind names of the contract.
 */
import type { SourceConfig } from '../../preload/contract/model';
import { SOURCE_KIND_NAMES } from '../../preload/contract/job-states';

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
