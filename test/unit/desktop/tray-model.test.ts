import { describe, expect, it } from 'vitest';
import { buildTrayModel, badgeName, MENU_JOBS_MAX, TOOLTIP_MAX, type TrayMenuItem } from '../../../main/desktop/tray-model';
import { makeHealth, makeJob } from '../../helpers/fake-bridge';

const labels = (menu: TrayMenuItem[]) => menu.map((i) => (i.kind === 'separator' ? '---' : i.label));

describe('tray model in each queue situation', () => {
  it('empty queue: idle, "Print queue is empty", no badge, no job items', () => {
    const m = buildTrayModel({ jobs: [], sources: [makeHealth({ id: 'local' })], paused: null });
    expect(m).toMatchObject({ state: 'idle', tooltip: 'Print queue is empty', badgeCount: 0, problem: null });
    expect(labels(m.menu)).toEqual(['Show window', 'Refresh now', 'Pause monitoring', '---', 'Quit Print Queue Monitor']);
  });

  it('finished jobs only: still idle', () => {
    const m = buildTrayModel({ jobs: [makeJob({ state: 'completed' }), makeJob({ state: 'canceled' })], sources: [], paused: null });
    expect(m.state).toBe('idle');
  });

  it('jobs printing and waiting: active, counted in the tooltip and the badge', () => {
    const jobs = [makeJob({ state: 'printing' }), makeJob({ state: 'processing' }), makeJob({ state: 'printing' }), makeJob({ state: 'queued' })];
    const m = buildTrayModel({ jobs, sources: [], paused: null });
    expect(m).toMatchObject({ state: 'active', tooltip: '3 jobs printing, 1 waiting', badgeCount: 4 });
    expect(badgeName(m.badgeCount)).toBe('4');
  });

  it('a stuck job: attention, listed first with its problem', () => {
    const jobs = [makeJob({ state: 'printing', document: 'Fine' }), makeJob({ state: 'printing', stuck: true, document: 'Jammed' })];
    const m = buildTrayModel({ jobs, sources: [], paused: null });
    expect(m.state).toBe('attention');
    expect(m.problem).toBe('1 job stuck');
    expect(m.tooltip).toBe('1 job stuck. 2 jobs printing');
    expect(labels(m.menu)[0]).toMatch(/^Jammed .*\(stuck\)$/);
  });

  it('a failed job or a source down or needing sign-in: attention with the problem in words', () => {
    expect(buildTrayModel({ jobs: [makeJob({ state: 'failed' })], sources: [], paused: null }).problem).toBe('1 job failed');
    const m = buildTrayModel({ jobs: [], sources: [makeHealth({ id: 'up', name: 'Universal Print', status: 'auth-required' }), makeHealth({ id: 'local', name: 'ScriptX', status: 'down' })], paused: null });
    expect(m.state).toBe('attention');
    expect(m.tooltip).toBe('Universal Print needs sign-in; ScriptX is unreachable. Print queue is empty');
    const degraded = buildTrayModel({ jobs: [], sources: [makeHealth({ id: 'x', status: 'degraded' })], paused: null });
    expect(degraded.state).toBe('idle');
  });

  it('lists at most the top active jobs, each with Cancel, or why it cannot be cancelled', () => {
    const jobs = Array.from({ length: 8 }, (_, i) => makeJob({ key: `local:${i}`, state: 'queued', cancel: i === 0 ? { allowed: false, reason: 'pages are already printing' } : { allowed: true } }));
    const m = buildTrayModel({ jobs, sources: [], paused: null });
    const submenus = m.menu.filter((i) => i.kind === 'submenu' && i.label !== 'Pause monitoring');
    expect(submenus).toHaveLength(MENU_JOBS_MAX);
    expect(labels(m.menu)).toContain('3 more in the window…');
    const first = m.menu.find((i) => i.kind === 'submenu' && i.items.some((x) => x.kind === 'item' && x.label.startsWith('Cannot cancel')));
    expect(first).toBeDefined();
    const cancelItems = submenus.flatMap((s) => (s.kind === 'submenu' ? s.items : [])).filter((x) => x.kind === 'item' && x.action?.type === 'cancel');
    expect(cancelItems).toHaveLength(MENU_JOBS_MAX - 1);
  });

  it('paused: says until when, offers Resume and disables Refresh', () => {
    const m = buildTrayModel({ jobs: [], sources: [], paused: { until: '2026-03-02T11:00:00.000Z' }, formatTime: () => '11:00' });
    expect(m.tooltip).toBe('Monitoring paused until 11:00. Print queue is empty');
    expect(labels(m.menu)).toEqual(['Show window', 'Refresh now', 'Resume monitoring', '---', 'Quit Print Queue Monitor']);
    expect(m.menu[1]).toMatchObject({ enabled: false });
    expect(buildTrayModel({ jobs: [], sources: [], paused: { until: null } }).tooltip).toMatch(/until resumed/);
  });

  it('keeps the tooltip within the Windows limit and escapes & in menu labels', () => {
    const sources = Array.from({ length: 20 }, (_, i) => makeHealth({ id: `s${i}`, name: `A rather long source name ${i}`, status: 'down' }));
    expect(buildTrayModel({ jobs: [], sources, paused: null }).tooltip.length).toBeLessThanOrEqual(TOOLTIP_MAX);
    const m = buildTrayModel({ jobs: [makeJob({ document: 'Q&A\nnotes', state: 'printing' })], sources: [], paused: null });
    expect(labels(m.menu)[0]).toMatch(/^Q&&A notes/);
  });

  it('badge: none, digits, then 9+', () => {
    expect([0, 1, 9, 10, 250].map(badgeName)).toEqual([null, '1', '9', '9+', '9+']);
  });
});

describe('tray model with an update', () => {
  it('offers "Restart to update" above Quit only while an update is ready', () => {
    expect(labels(buildTrayModel({ jobs: [], sources: [], paused: null, updateReady: false }).menu)).not.toContain('Restart to update');
    const m = buildTrayModel({ jobs: [], sources: [], paused: null, updateReady: true });
    expect(labels(m.menu).slice(-2)).toEqual(['Restart to update', 'Quit Print Queue Monitor']);
    expect(m.menu.at(-2)).toMatchObject({ kind: 'item', enabled: true, action: { type: 'install-update' } });
  });
});
