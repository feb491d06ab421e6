// @vitest-environment happy-dom
/**
 * The window's first frame drawn by the app (renderer/src/first-frame.tsx): the rows the window
 * itself draws first, in its order and words, from the app's answers; and the window taking that
 * markup over in place once the whole queue is in (boot.ts, start.tsx), never showing less meanwhile.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/preact';
import { render } from 'preact';
import { FIRST_FRAME_ROWS, renderFirstFrame } from '../../renderer/src/first-frame';
import { boot, FIRST_FRAME_ATTRIBUTE, FIRST_ROWS } from '../../renderer/src/boot';
import { FIRST_FRAME_HOLD_MS, FIRST_FRAME_WAIT_MS, FIRST_ROWS_GIVE_UP_MS, startWindow } from '../../renderer/src/start';
import { formatTime, useFormatLocale } from '../../renderer/src/i18n/format';
import type { Snapshot, SettingsView } from '../../preload/contract/contract';
import { FakeBridge, makeJob } from '../helpers/fake-bridge';

const roots: HTMLElement[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) {
    render(null, r);
    r.remove();
  }
  useFormatLocale(undefined);
  document.documentElement.removeAttribute('data-theme');
  cleanup();
});

function newRoot(): HTMLElement {
  const r = document.body.appendChild(document.createElement('div'));
  roots.push(r);
  return r;
}

/** Thirty jobs, each updated a minute after the one before, today. */
function jobs() {
  const start = new Date();
  start.setHours(9, 0, 0, 0);
  return Array.from({ length: 30 }, (_, i) => makeJob({ key: `local:j${String(i).padStart(2, '0')}`, document: `Report ${i}.pdf`, updatedAt: new Date(start.getTime() + i * 60_000).toISOString() }));
}

/** The app's answers to the window's first requests, as first-frame.ts in main asks for them. */
async function answers(bridge: FakeBridge): Promise<{ settings: SettingsView; head: Snapshot }> {
  const settings = await bridge.request('getSettings', {});
  const head = await bridge.request('getSnapshot', { first: FIRST_FRAME_ROWS });
  if (!settings.ok || !head.ok) throw new Error('the fake app did not answer');
  bridge.calls.length = 0;
  return { settings: settings.value, head: head.value };
}

const rowTexts = (within: HTMLElement) => [...within.querySelectorAll<HTMLElement>('[data-testid="job-row"]')].map((r) => [r.dataset.key, r.textContent]);

describe('the first frame the app draws', () => {
  it('holds the rows the window draws first, in its order and with the same words', async () => {
    const bridge = new FakeBridge({ jobs: jobs(), settings: { version: 1, sources: [], ui: { view: 'all' } } });
    const frame = await renderFirstFrame({ ...(await answers(bridge)), locale: undefined });
    const drawn = newRoot();
    drawn.innerHTML = frame.html;

    // The window drawing itself from the same app, without a first frame.
    const own = newRoot();
    const { early } = boot(bridge, false);
    startWindow(own, bridge, early);
    await waitFor(() => expect(own.querySelectorAll('[data-testid="job-row"]').length).toBeGreaterThan(0));

    const ours = rowTexts(drawn);
    expect(ours.length).toBeGreaterThan(10);
    // Newest update first, as the saved view choices say.
    expect(ours[0]![0]).toBe('local:j29');
    expect(ours).toEqual(rowTexts(own).slice(0, ours.length));
    expect(drawn.querySelector('[data-testid="queue"]')?.getAttribute('data-status')).toBe('ready');
    expect(frame.theme).toBe('system');
  });

  it('formats times in the locale it is given, and says the theme the settings choose', async () => {
    const bridge = new FakeBridge({ jobs: jobs(), settings: { version: 1, sources: [], ui: { view: 'all', theme: 'dark' } } });
    const input = await answers(bridge);
    const newest = input.head.jobs[0]!.updatedAt;
    const texts: Record<string, string> = {};
    for (const locale of ['en-US', 'de-DE']) {
      const frame = await renderFirstFrame({ ...input, locale });
      expect(frame.theme).toBe('dark');
      useFormatLocale(locale);
      texts[locale] = formatTime(newest);
      expect(frame.html).toContain(texts[locale]);
    }
    expect(texts['en-US']).not.toBe(texts['de-DE']);
  });
});

/** A page as the app serves it: #app holding the first frame drawn from the fake app's answers. */
async function pageWithFirstFrame() {
  const bridge = new FakeBridge({ jobs: jobs(), settings: { version: 1, sources: [], ui: { view: 'all' } } });
  const frame = await renderFirstFrame({ ...(await answers(bridge)), locale: undefined });
  const root = newRoot();
  root.id = 'app';
  // As main/desktop/first-frame.ts serves it: inert and busy until the window takes it over.
  for (const [name, value] of [[FIRST_FRAME_ATTRIBUTE, ''], ['inert', ''], ['aria-busy', 'true']]) root.setAttribute(name!, value!);
  root.innerHTML = frame.html;
  return { bridge, root, drawnRows: rowTexts(root) };
}

describe('the window taking the first frame over', () => {
  it('asks only for the whole queue, keeps the drawn rows until it is in, then draws over them in place', async () => {
    const { bridge, root, drawnRows } = await pageWithFirstFrame();
    const windowDrawn = vi.fn();
    Object.assign(bridge, { windowDrawn });
    const whole = bridge.hold('getSnapshot');

    const { early } = boot(bridge);
    expect(early.firstFrame).toBe(true);
    // The rows on screen are not asked for again; a long answer is read as soon as it comes.
    expect(bridge.calls.map((c) => [c.name, c.input])).toEqual([
      ['getSettings', {}],
      ['getSnapshot', {}],
    ]);
    expect(windowDrawn).toHaveBeenCalledTimes(1);
    startWindow(root, bridge, early);
    await whole.arrived;
    // Longer than a window without a first frame waits before it draws itself saying it is loading.
    await new Promise((r) => setTimeout(r, FIRST_FRAME_WAIT_MS + 50));
    expect(rowTexts(root)).toEqual(drawnRows);
    expect(root.querySelector('[role="status"].loading')).toBeNull();
    expect(root.hasAttribute(FIRST_FRAME_ATTRIBUTE)).toBe(true);

    expect(root.hasAttribute('inert')).toBe(true);
    whole.release();
    await waitFor(() => expect(root.hasAttribute(FIRST_FRAME_ATTRIBUTE)).toBe(false));
    expect([root.hasAttribute('inert'), root.hasAttribute('aria-busy')]).toEqual([false, false]);
    // Drawn over in place: the same rows, once each, and now the window's own (they answer a click).
    expect(rowTexts(root).slice(0, drawnRows.length)).toEqual(drawnRows);
    expect(root.querySelectorAll('.app').length).toBe(1);
    const first = screen.getAllByTestId('job-row')[0]!;
    fireEvent.mouseDown(first);
    await waitFor(() => expect(first.getAttribute('aria-selected')).toBe('true'));
  });

  it('asks for its first rows and draws itself with them when the whole queue is slow, its controls then working', async () => {
    const { bridge, root, drawnRows } = await pageWithFirstFrame();
    const whole = bridge.hold('getSnapshot');
    const { early } = boot(bridge);
    const asked = Date.now();
    startWindow(root, bridge, early);
    await whole.arrived;
    await waitFor(() => expect(bridge.callsOf('getSnapshot')).toEqual([{}, { first: FIRST_ROWS }]), { timeout: FIRST_FRAME_HOLD_MS * 5 });
    expect(Date.now() - asked).toBeGreaterThanOrEqual(FIRST_FRAME_HOLD_MS - 20);
    await waitFor(() => expect(root.hasAttribute(FIRST_FRAME_ATTRIBUTE)).toBe(false));
    expect([root.hasAttribute('inert'), root.hasAttribute('aria-busy')]).toEqual([false, false]);
    expect(rowTexts(root).slice(0, drawnRows.length)).toEqual(drawnRows);
    const first = screen.getAllByTestId('job-row')[0]!;
    fireEvent.mouseDown(first);
    await waitFor(() => expect(first.getAttribute('aria-selected')).toBe('true'));
    whole.release();
    await waitFor(() => expect(screen.getByTestId('queue').dataset.status).toBe('ready'));
  });

  it('draws itself, saying it is loading, when the first rows it asks for after the hold cannot be read', async () => {
    const { bridge, root } = await pageWithFirstFrame();
    const whole = bridge.hold('getSnapshot');
    const real = bridge.request.bind(bridge);
    bridge.request = ((name: string, input: { first?: number }) =>
      name === 'getSnapshot' && input.first !== undefined ? Promise.resolve({ ok: false, error: { code: 'internal', message: 'The queue is being read' } }) : real(name as never, input as never)) as typeof bridge.request;
    const { early } = boot(bridge);
    startWindow(root, bridge, early);
    await whole.arrived;
    await waitFor(() => expect(root.hasAttribute(FIRST_FRAME_ATTRIBUTE)).toBe(false), { timeout: FIRST_FRAME_HOLD_MS * 5 });
    expect(root.hasAttribute('inert')).toBe(false);
    expect(screen.getByTestId('queue').dataset.status).toBe('loading');
    // Its controls work meanwhile.
    expect(screen.getByRole('button', { name: 'Settings' })).toBeTruthy();
    whole.release();
    await waitFor(() => expect(screen.getByTestId('queue').dataset.status).toBe('ready'));
  });

  it('keeps the rows it shows while the first rows it asked for are slow, and draws itself only once it gives up on them', async () => {
    const { bridge, root, drawnRows } = await pageWithFirstFrame();
    const whole = bridge.hold('getSnapshot');
    const real = bridge.request.bind(bridge);
    let firstAsked!: () => void;
    const asked = new Promise<void>((r) => (firstAsked = r));
    bridge.request = ((name: string, input: { first?: number }) => {
      if (name === 'getSnapshot' && input.first !== undefined) {
        firstAsked();
        return new Promise(() => undefined);
      }
      return real(name as never, input as never);
    }) as typeof bridge.request;
    const { early } = boot(bridge);
    startWindow(root, bridge, early);
    await whole.arrived;
    await asked;
    const since = Date.now();
    // Longer than a window without a first frame waits for its first rows: the rows stay.
    await new Promise((r) => setTimeout(r, FIRST_FRAME_WAIT_MS * 2));
    expect(rowTexts(root)).toEqual(drawnRows);
    expect(root.hasAttribute('inert')).toBe(true);
    await waitFor(() => expect(root.hasAttribute(FIRST_FRAME_ATTRIBUTE)).toBe(false), { timeout: FIRST_ROWS_GIVE_UP_MS * 3 });
    expect(Date.now() - since).toBeGreaterThanOrEqual(FIRST_ROWS_GIVE_UP_MS - FIRST_FRAME_WAIT_MS * 2 - 50);
    expect(root.hasAttribute('inert')).toBe(false);
    expect(screen.getByTestId('queue').dataset.status).toBe('loading');
    whole.release();
  }, 30_000);
});
