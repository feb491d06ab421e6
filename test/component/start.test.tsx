// @vitest-environment happy-dom
/**
 * startWindow on a bridge whose connection boot opened earlier: a refusal that happened before the
 * window's code ran still shows the banner, and a reconnect after an early open reloads the queue.
 * Its first frame has the first rows in it, or is drawn without them after a short wait.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor } from '@testing-library/preact';
import { render } from 'preact';
import { FIRST_FRAME_WAIT_MS, startWindow } from '../../renderer/src/start';
import { boot, FIRST_ROWS } from '../../renderer/src/boot';
import type { ConnectionStatus } from '../../renderer/src/transport/web';
import { FakeBridge, makeJob } from '../helpers/fake-bridge';
import { formatDateTime } from '../../renderer/src/i18n/format';

class ConnectedBridge extends FakeBridge {
  status: ConnectionStatus = { state: 'connecting', message: null };
  private readonly watchers = new Set<(s: ConnectionStatus) => void>();
  connection(): ConnectionStatus {
    return this.status;
  }
  onConnection(l: (s: ConnectionStatus) => void): () => void {
    this.watchers.add(l);
    return () => this.watchers.delete(l);
  }
  set(status: ConnectionStatus): void {
    this.status = status;
    for (const l of [...this.watchers]) l(status);
  }
}

let root: HTMLElement | null = null;
afterEach(() => {
  vi.useRealTimers();
  if (root) render(null, root);
  root?.remove();
  root = null;
  cleanup();
});

function mountWindow(bridge: ConnectedBridge) {
  root = document.body.appendChild(document.createElement('div'));
  const { early } = boot(bridge);
  startWindow(root, bridge, early);
}

describe('startWindow', () => {
  it('draws its first frame with the first rows in it, not an empty window before them', async () => {
    const bridge = new ConnectedBridge({ jobs: [makeJob({ key: 'local:a' })] });
    bridge.status = { state: 'open', message: null };
    let answer!: () => void;
    const held = new Promise<void>((r) => (answer = r));
    const real = bridge.request.bind(bridge);
    bridge.request = ((name: string, input: unknown) => held.then(() => real(name as never, input as never))) as typeof bridge.request;
    mountWindow(bridge);
    await new Promise((r) => setTimeout(r, 20));
    expect(root!.childElementCount).toBe(0);
    answer();
    await screen.findAllByTestId('job-row');
    expect(screen.getByTestId('queue').dataset.status).toBe('ready');
  });

  it('draws itself without the first rows when they are slow to come, saying it is loading', async () => {
    vi.useFakeTimers();
    const bridge = new ConnectedBridge({ jobs: [makeJob({ key: 'local:a' })] });
    bridge.status = { state: 'open', message: null };
    bridge.request = (() => new Promise(() => undefined)) as typeof bridge.request;
    mountWindow(bridge);
    await vi.advanceTimersByTimeAsync(FIRST_FRAME_WAIT_MS - 1);
    expect(root!.childElementCount).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(screen.getByTestId('queue').dataset.status).toBe('loading');
    expect(screen.getByRole('status').textContent).toBe('Loading print jobs…');
  });

  it('shows why it cannot connect when the refusal came before the window loaded', async () => {
    const bridge = new ConnectedBridge({ jobs: [makeJob({ key: 'local:a' })] });
    bridge.status = { state: 'refused', message: 'Cannot connect to the preview server: it refused this page’s access token.' };
    mountWindow(bridge);
    expect((await screen.findByTestId('connection-banner')).textContent).toBe('Cannot connect to the preview server: it refused this page’s access token.');
  });

  it('says a refused connection once, in its banner, not again as notices of the reads it makes by itself', async () => {
    // As the web bridge answers while refused: every request at once, not-allowed, in the banner's words.
    const bridge = new ConnectedBridge({ jobs: [makeJob({ key: 'local:a' })] });
    const refusal = 'Cannot connect to the preview server: it refused this page’s access token.';
    bridge.status = { state: 'refused', message: refusal };
    const answers: Promise<unknown>[] = [];
    bridge.request = ((name: string) => {
      const answer = Promise.resolve({ ok: false, error: { code: 'not-allowed', message: refusal } });
      answers.push(answer.then(() => name));
      return answer;
    }) as typeof bridge.request;
    mountWindow(bridge);
    expect((await screen.findByTestId('load-error')).textContent).toContain(refusal);
    // Every read the window makes by itself at start (settings, first rows, queue, printers) has failed.
    await waitFor(() => expect(answers.length).toBeGreaterThanOrEqual(4));
    expect(new Set(await Promise.all(answers))).toEqual(new Set(['getSettings', 'getSnapshot', 'windowReady', 'getPrinters']));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getByTestId('connection-banner').textContent).toBe(refusal);
    expect(screen.queryAllByTestId('notice').map((n) => n.textContent)).toEqual([]);
  });

  it('tells a failed read of the settings or printers as such when the connection is not the cause', async () => {
    const bridge = new ConnectedBridge({ jobs: [makeJob({ key: 'local:a' })] });
    bridge.status = { state: 'open', message: null };
    const real = bridge.request.bind(bridge);
    bridge.request = ((name: string, input: unknown) =>
      name === 'getSettings' || name === 'getPrinters'
        ? Promise.resolve({ ok: false, error: { code: 'internal', message: 'The settings file is locked' } })
        : real(name as never, input as never)) as typeof bridge.request;
    mountWindow(bridge);
    await waitFor(() =>
      expect(screen.queryAllByTestId('notice').map((n) => n.textContent?.replace(/✕$/, ''))).toEqual([
        'The settings could not be read: The settings file is locked. The window shows its default view.',
        'The printers could not be read: The settings file is locked',
      ]),
    );
  });

  it('reloads the queue after a reconnect when the first connection opened before the window loaded', async () => {
    const bridge = new ConnectedBridge({ jobs: [makeJob({ key: 'local:a' })] });
    bridge.status = { state: 'open', message: null };
    mountWindow(bridge);
    await screen.findAllByTestId('job-row');
    // The first rows, then the whole queue.
    await waitFor(() => expect(bridge.callsOf('getSnapshot')).toEqual([{ first: FIRST_ROWS }, {}]));
    bridge.set({ state: 'disconnected', message: 'Lost the connection to the preview server; retrying in 1 s.' });
    expect((await screen.findByTestId('connection-banner')).textContent).toContain('Lost the connection');
    bridge.set({ state: 'open', message: null });
    await waitFor(() => expect(bridge.callsOf('getSnapshot')).toEqual([{ first: FIRST_ROWS }, {}, {}]));
    await waitFor(() => expect(screen.queryByTestId('connection-banner')).toBeNull());
  });

  it('says the queue is not updating from the loss of the connection until it is read afresh after the reconnect', async () => {
    const bridge = new ConnectedBridge({ jobs: [makeJob({ key: 'local:a', state: 'printing', progress: 0.4 })] });
    bridge.status = { state: 'open', message: null };
    mountWindow(bridge);
    await screen.findAllByTestId('job-row');
    const grid = screen.getByTestId('queue-grid');
    expect(grid.classList.contains('is-not-live')).toBe(false);
    expect(screen.queryByTestId('not-live')).toBeNull();

    const lostAt = new Date();
    bridge.set({ state: 'disconnected', message: 'Lost the connection to the preview server; retrying in 1 s.' });
    const note = await screen.findByTestId('not-live');
    // The time it was lost, with its date (the note may stay up over night), describing the grid;
    // no live region of its own (the connection's banner alerts the loss).
    const said = [formatDateTime(lostAt.toISOString()), formatDateTime(new Date(lostAt.getTime() + 1000).toISOString())].map((time) => `Not updating since ${time}`);
    expect(said).toContain(note.querySelector('strong')!.textContent);
    expect(note.hasAttribute('role')).toBe(false);
    expect(grid.classList.contains('is-not-live')).toBe(true);
    expect(grid.getAttribute('aria-describedby')).toBe(note.id);

    // Still not live while it tries again, and while the reload after the reconnect is on its way.
    bridge.set({ state: 'connecting', message: null });
    bridge.set({ state: 'disconnected', message: 'Lost the connection to the preview server; retrying in 2 s.' });
    expect(screen.getByTestId('not-live').textContent).toBe(note.textContent);
    const reload = bridge.hold('getSnapshot');
    bridge.set({ state: 'open', message: null });
    await reload.arrived;
    expect(grid.classList.contains('is-not-live')).toBe(true);
    reload.release();
    await waitFor(() => expect(screen.queryByTestId('not-live')).toBeNull());
    expect(screen.getByTestId('queue-grid').classList.contains('is-not-live')).toBe(false);
    expect(screen.getByTestId('queue-grid').hasAttribute('aria-describedby')).toBe(false);
  });

  it('stays not live when the connection is lost again while the reload after a reconnect is on its way', async () => {
    const bridge = new ConnectedBridge({ jobs: [makeJob({ key: 'local:a' })] });
    bridge.status = { state: 'open', message: null };
    mountWindow(bridge);
    await screen.findAllByTestId('job-row');
    bridge.set({ state: 'disconnected', message: 'Lost the connection to the preview server; retrying in 1 s.' });
    await screen.findByTestId('not-live');
    const reload = bridge.hold('getSnapshot');
    bridge.set({ state: 'open', message: null });
    await reload.arrived;
    bridge.set({ state: 'disconnected', message: 'Lost the connection to the preview server; retrying in 1 s.' });
    reload.release();
    // The answer asked for before the last loss is put in, but the queue is not live: the next reconnect reads it again.
    await waitFor(() => expect(bridge.callsOf('getSnapshot').length).toBe(3));
    await new Promise((r) => setTimeout(r, 0));
    expect(screen.getByTestId('not-live')).toBeTruthy();
    bridge.set({ state: 'open', message: null });
    await waitFor(() => expect(screen.queryByTestId('not-live')).toBeNull());
    expect(bridge.callsOf('getSnapshot').length).toBe(4);
  });

  it('reads the queue once a connection that never opened opens at last', async () => {
    const bridge = new ConnectedBridge({ jobs: [makeJob({ key: 'local:a', document: 'Quarterly.pdf' })] });
    bridge.status = { state: 'disconnected', message: 'Cannot connect to the preview server; retrying in 1 s.' };
    const real = bridge.request.bind(bridge);
    let down = true;
    // As the web bridge answers while it cannot connect: every request fails at once.
    bridge.request = ((name: string, input: unknown) =>
      down ? Promise.resolve({ ok: false, error: { code: 'unreachable', message: 'The preview server cannot be reached right now; it is being retried.' } }) : real(name as never, input as never)) as typeof bridge.request;
    mountWindow(bridge);
    await screen.findByTestId('load-error');
    expect(screen.queryAllByTestId('job-row')).toEqual([]);
    down = false;
    bridge.set({ state: 'open', message: null });
    expect((await screen.findByTestId('job-row')).textContent).toContain('Quarterly.pdf');
    expect(screen.queryByTestId('not-live')).toBeNull();
  });
});
