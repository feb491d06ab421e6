import { describe, expect, it } from 'vitest';
import { MAX_HELD, createWindowGate } from '../../../main/desktop/window-gate';

describe('the window gate', () => {
  it('holds navigations and notices until the page is ready, then sends them in order; holds again while the page reloads', () => {
    const sent: [string, unknown][] = [];
    const gate = createWindowGate((event, payload) => sent.push([event, payload]));
    gate.emit('app:navigate', { key: 'local:1' });
    gate.emit('app:notice', { level: 'warning', message: 'The link was refused: x.' });
    expect(sent).toEqual([]);
    gate.open();
    expect(sent).toEqual([
      ['app:navigate', { key: 'local:1' }],
      ['app:notice', { level: 'warning', message: 'The link was refused: x.' }],
    ]);
    gate.emit('app:navigate', { key: 'local:2' });
    expect(sent).toHaveLength(3);
    gate.close();
    gate.emit('app:navigate', { key: 'local:3' });
    expect(sent).toHaveLength(3);
    gate.open();
    expect(sent.at(-1)).toEqual(['app:navigate', { key: 'local:3' }]);
  });

  it('holds a bounded number (the newest)', () => {
    const sent: unknown[] = [];
    const gate = createWindowGate((_e, payload) => sent.push(payload));
    for (let i = 0; i < MAX_HELD + 10; i++) gate.emit('app:navigate', { key: `local:${i}` });
    gate.open();
    expect(sent).toHaveLength(MAX_HELD);
    expect(sent[0]).toEqual({ key: 'local:10' });
  });
});
