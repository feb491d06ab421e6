/** The names of each kind of source: one table (preload/contract/job-states.ts) every process reads. */
import { describe, expect, it } from 'vitest';
import { SOURCE_KIND_NAMES, jobName } from '../../../preload/contract/job-states';
import { SOURCE_KINDS, SourceConfig } from '../../../preload/contract/model';
import { sourceDisplayName } from '../../../main/sources/index';
import { en } from '../../../renderer/src/i18n/messages';

describe('source kind names', () => {
  it('name every kind of source, and only those', () => {
    expect(Object.keys(SOURCE_KIND_NAMES).sort()).toEqual([...SOURCE_KINDS].sort());
  });

  it('are what the settings form, job names and unnamed sources say', () => {
    for (const kind of SOURCE_KINDS) expect(en.sourceKinds[kind]).toBe(SOURCE_KIND_NAMES[kind].kind);
    expect(jobName({ document: null, sourceKind: 'ipp', nativeId: '12' })).toBe('IPP job 12');
    expect(jobName({ document: ' ', sourceKind: 'scriptx', nativeId: '72' })).toBe('ScriptX job 72');
    const named = (config: unknown) => sourceDisplayName(SourceConfig.parse(config));
    expect(named({ id: 'local', kind: 'scriptx' })).toBe(SOURCE_KIND_NAMES.scriptx.source);
    expect(named({ id: 'up', kind: 'graph' })).toBe(SOURCE_KIND_NAMES.graph.source);
    expect(named({ id: 'ao', kind: 'aodocs', libraryIds: ['RgXbT0l0HkOAbYZuxSq'] })).toBe(SOURCE_KIND_NAMES.aodocs.source);
    expect(named({ id: 'spool', kind: 'windows-spooler' })).toBe(SOURCE_KIND_NAMES['windows-spooler'].source);
    expect(named({ id: 'cups', kind: 'ipp', url: 'ipp://print.example.com:631' })).toBe(`${SOURCE_KIND_NAMES.ipp.source} print.example.com:631`);
  });
});
