/**
 * The registry of source kinds: turns one validated source configuration into a JobSource.
 * A new kind of source is a new folder beside these and one case here.
 */
import type { SourceConfig } from '../../preload/contract/model';
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

export { sourceDisplayName } from './display-name';
