/**
 * What a source can do is read from the source itself, in one place, and reaches the window in its
 * health: the engine fills it in (none while switched off), and the fake bridge the component tests
 * use says the same of each kind as the app's real sources do.
 */
import { describe, expect, it } from 'vitest';
import { CAPABILITY_NAMES, PollingSettings, SourceConfig, noCapabilities, type SourceKind } from '../../../preload/contract/model';
import { createQueueEngine } from '../../../main/queue/engine';
import { sourceCapabilities } from '../../../main/queue/source';
import { createSource } from '../../../main/sources';
import { HttpClient } from '../../../main/http/client';
import { silentLogger } from '../../../main/ports/ports';
import { FakeClock } from '../../helpers/fake-clock';
import { KIND_CAPABILITIES, makeHealth } from '../../helpers/fake-bridge';
import { createMemorySecretStore, createMemoryTrackedStore } from '../../helpers/memory-stores';
import { FakeSource } from '../../helpers/fake-source';

const CONFIGS: Record<SourceKind, unknown> = {
  scriptx: { id: 'local', kind: 'scriptx' },
  graph: { id: 'up', kind: 'graph', shares: 'all' },
  aodocs: { id: 'ao', kind: 'aodocs', libraryIds: ['lib1'], domain: 'example.com' },
  ipp: { id: 'cups', kind: 'ipp', url: 'ipp://print.example.com:631/printers/front' },
  'windows-spooler': { id: 'pc', kind: 'windows-spooler' },
};

function realSource(kind: SourceKind) {
  const clock = new FakeClock();
  return createSource(SourceConfig.parse(CONFIGS[kind]), {
    http: new HttpClient({ timeoutMs: 3000 }),
    secrets: createMemorySecretStore(),
    tracked: createMemoryTrackedStore(),
    clock,
    logger: silentLogger,
  });
}

describe('source capabilities', () => {
  it.each(Object.keys(CONFIGS) as SourceKind[])('the fake bridge says of %s sources what the real source declares', (kind) => {
    const source = realSource(kind);
    try {
      expect(sourceCapabilities(source)).toEqual(KIND_CAPABILITIES[kind]);
      expect(makeHealth({ id: source.id, kind }).capabilities).toEqual(KIND_CAPABILITIES[kind]);
    } finally {
      source.dispose?.();
    }
  });

  it('are read from the optional methods a source has, every one named', () => {
    const bare = new FakeSource({ id: 'bare' });
    const caps = sourceCapabilities(bare);
    expect(Object.keys(caps).sort()).toEqual([...CAPABILITY_NAMES].sort());
    const withPrint = Object.assign(new FakeSource({ id: 'printer' }), { print: async () => { throw new Error('not used'); }, signIn: async () => undefined });
    expect(sourceCapabilities(withPrint)).toMatchObject({ print: true, signIn: true, signOut: false, servicePanel: false });
  });

  it('are in each source health the engine reports, none for a source switched off', () => {
    const clock = new FakeClock();
    const src = Object.assign(new FakeSource({ id: 'a' }), { track: async () => { throw new Error('not used'); } });
    const engine = createQueueEngine({ clock, sources: [src], disabled: [{ id: 'off', kind: 'graph', name: 'Off' }], polling: PollingSettings.parse({}) });
    const byId = new Map(engine.snapshot().sources.map((h) => [h.id, h]));
    expect(byId.get('a')!.capabilities).toEqual(sourceCapabilities(src));
    expect(byId.get('a')!.capabilities.track).toBe(true);
    expect(byId.get('off')!.capabilities).toEqual(noCapabilities());
  });
});
