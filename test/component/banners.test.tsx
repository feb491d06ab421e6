// @vitest-environment happy-dom
/**
 * What is wrong over the queue: several sources out at once are one alert that names them, each
 * one's details on demand; the lost connection, the pause and the outages share one region.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { makeHealth, makeJob } from '../helpers/fake-bridge';
import { mount, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

const OUT = [
  makeHealth({ id: 'local', name: 'This PC', status: 'down', message: 'Nothing answers on 127.0.0.1:41191.' }),
  makeHealth({ id: 'up', kind: 'graph', name: 'Universal Print', status: 'auth-required', message: 'The sign-in expired.' }),
  makeHealth({ id: 'cups', kind: 'ipp', name: 'Office CUPS', status: 'down', message: 'Connection refused.' }),
  makeHealth({ id: 'docs', kind: 'aodocs', name: 'AODocs', status: 'down', message: 'Timed out after 15 s.' }),
];

describe('the banners over the queue', () => {
  it('says several outages in one banner that names each source, their details on demand, and alerts them once', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a' })], sources: [...OUT, makeHealth({ id: 'fine', name: 'Fine source', status: 'ok' })] });
    const banner = screen.getByTestId('outage-banner');
    // One alert, saying what is wrong; the banner itself, its buttons and its details are no live region.
    const alerts = within(banner).getAllByRole('alert');
    expect(alerts).toEqual([screen.getByTestId('outage-alert')]);
    for (const name of ['This PC cannot be reached', 'Universal Print needs you to sign in', 'Office CUPS cannot be reached', 'AODocs cannot be reached']) expect(alerts[0]!.textContent).toContain(name);
    expect(within(alerts[0]!).queryAllByRole('button')).toEqual([]);
    const summary = screen.getByTestId('outage-summary');
    expect(summary.textContent).toContain('4 sources have a problem');
    expect(banner.textContent).not.toContain('Fine source');
    // Compact until asked: the sources' own messages are in the details.
    expect(banner.textContent).not.toContain('What failed');
    // A disclosure: one label, its state said by aria-expanded.
    const toggle = within(banner).getByRole('button', { name: 'Details' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(document.getElementById(toggle.getAttribute('aria-controls')!)!.hidden).toBe(true);

    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(toggle.textContent).toBe('Details');
    const details = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(details.hidden).toBe(false);
    expect([...details.querySelectorAll('li[data-source]')].map((li) => li.getAttribute('data-source'))).toEqual(['local', 'up', 'cups', 'docs']);
    expect(details.textContent).toContain('What failed: Nothing answers on 127.0.0.1:41191.');
    expect(details.textContent).toContain('What failed: The sign-in expired.');
    // Each source's buttons say which source they act on.
    const cupsItem = details.querySelector<HTMLElement>('li[data-source="cups"]')!;
    const cupsRetry = within(cupsItem).getByRole('button', { name: 'Retry now' });
    expect(document.getElementById(cupsRetry.getAttribute('aria-describedby')!)!.textContent).toBe('Office CUPS cannot be reached');
    expect(cupsItem.getAttribute('aria-labelledby')).toBe(cupsRetry.getAttribute('aria-describedby'));
    // The alert still says what it said: opening the details is not news.
    expect(screen.getByTestId('outage-alert').textContent).toContain('This PC cannot be reached');

    // Retry retries the sources that are down, not the one waiting for a sign-in, with one notice for them.
    fireEvent.click(within(summary).getByRole('button', { name: 'Retry the 3 not reached' }));
    await waitFor(() => expect(m!.bridge.callsOf('refreshNow').map((c) => c.sourceId).sort()).toEqual(['cups', 'docs', 'local']));
    await waitFor(() => expect(m!.store.notices.value.map((n) => n.message)).toEqual(['Asked This PC, Office CUPS and AODocs for fresh data.']));
    fireEvent.click(within(summary).getByRole('button', { name: 'Open Sources' }));
    expect(m.store.panel.value).toEqual({ kind: 'sources' });

    fireEvent.click(toggle);
    expect(banner.textContent).not.toContain('What failed');
  });

  it('alerts only the problems that are new: a source gone out, not one come back', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a' })], sources: [OUT[0]!, OUT[2]!, makeHealth({ id: 'docs', kind: 'aodocs', name: 'AODocs', status: 'ok' })] });
    const alertText = () => screen.getByTestId('outage-alert').textContent;
    expect(alertText()).toBe('This PC cannot be reached. Office CUPS cannot be reached.');
    fireEvent.click(screen.getByRole('button', { name: 'Details' }));
    act(() => m!.bridge.emit('source:health', OUT[3]!));
    expect(alertText()).toBe('AODocs cannot be reached.');
    // One comes back: nothing new to say; the two still out are not read again.
    act(() => m!.bridge.emit('source:health', makeHealth({ id: 'local', name: 'This PC', status: 'ok' })));
    expect(alertText()).toBe('');
    expect(screen.getByTestId('outage-summary').textContent).toContain('2 sources have a problem');
    // The same source out for another reason is new.
    act(() => m!.bridge.emit('source:health', makeHealth({ id: 'docs', kind: 'aodocs', name: 'AODocs', status: 'auth-required', message: 'The sign-in expired.' })));
    expect(alertText()).toBe('AODocs needs you to sign in.');
    // Down to one: its own banner; the details asked for before are closed for the next time.
    act(() => m!.bridge.emit('source:health', makeHealth({ id: 'cups', kind: 'ipp', name: 'Office CUPS', status: 'ok' })));
    act(() => m!.bridge.emit('source:health', OUT[0]!));
    expect(screen.getByRole('button', { name: 'Details' }).getAttribute('aria-expanded')).toBe('false');
    // Every source needing a sign-in: nothing to retry, and the banner says what to do instead.
    act(() => m!.bridge.emit('source:health', makeHealth({ id: 'local', name: 'This PC', status: 'auth-required', message: 'Sign in.' })));
    const summary = screen.getByTestId('outage-summary');
    expect(within(summary).queryByRole('button', { name: /^Retry/ })).toBeNull();
    expect(summary.textContent).toContain('Open Sources and sign in again.');
  });

  it('keeps one source’s outage as its own banner, with what failed and what to do', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a' })], sources: [OUT[0]!] });
    const banner = screen.getByTestId('outage-banner');
    expect(within(banner).getAllByRole('alert')).toEqual([screen.getByTestId('outage-alert')]);
    expect(screen.getByTestId('outage-alert').textContent).toBe('This PC cannot be reached.');
    expect(banner.textContent).toContain('What failed: Nothing answers on 127.0.0.1:41191.');
    expect(within(banner).queryByRole('button', { name: 'Details' })).toBeNull();
  });

  it('puts the lost connection, the pause and the outages in one region over the queue', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a' })], sources: OUT.slice(0, 2) });
    const region = screen.getByTestId('banners');
    act(() => {
      m!.store.connection.value = 'Lost the connection to the preview server; retrying in 1 s.';
      m!.store.paused.value = { until: null };
    });
    expect(region.contains(screen.getByTestId('connection-banner'))).toBe(true);
    expect(region.contains(screen.getByText(/Monitoring is paused/))).toBe(true);
    expect(region.contains(screen.getByTestId('outage-banner'))).toBe(true);
    // Above the queue, not inside it.
    expect(region.contains(screen.getByTestId('queue'))).toBe(false);
  });
});
