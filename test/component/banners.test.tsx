// @vitest-environment happy-dom
/**
 * What is wrong over the queue: several sources out at once are one alert that names them, each
 * one's details on demand; the lost connection, the pause and the outages share one region.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { act, fireEvent, screen, within } from '@testing-library/preact';
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
  it('says several outages in one alert that names each source, their details on demand', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a' })], sources: [...OUT, makeHealth({ id: 'fine', name: 'Fine source', status: 'ok' })] });
    const banner = screen.getByTestId('outage-banner');
    const alerts = within(banner).getAllByRole('alert');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.textContent).toContain('4 sources have a problem');
    for (const name of ['This PC cannot be reached', 'Universal Print needs you to sign in', 'Office CUPS cannot be reached', 'AODocs cannot be reached']) expect(alerts[0]!.textContent).toContain(name);
    expect(banner.textContent).not.toContain('Fine source');
    // Compact until asked: the sources' own messages are in the details.
    expect(banner.textContent).not.toContain('What failed');
    const toggle = within(banner).getByRole('button', { name: 'Show details' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    expect(document.getElementById(toggle.getAttribute('aria-controls')!)!.hidden).toBe(true);

    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const details = document.getElementById(toggle.getAttribute('aria-controls')!)!;
    expect(details.hidden).toBe(false);
    expect([...details.querySelectorAll('li[data-source]')].map((li) => li.getAttribute('data-source'))).toEqual(['local', 'up', 'cups', 'docs']);
    expect(details.textContent).toContain('What failed: Nothing answers on 127.0.0.1:41191.');
    expect(details.textContent).toContain('What failed: The sign-in expired.');
    // One alert still: the details are not announced again.
    expect(within(banner).getAllByRole('alert')).toHaveLength(1);

    // Retry now retries the sources that are down, not the one waiting for a sign-in.
    fireEvent.click(within(alerts[0]!).getByRole('button', { name: 'Retry now' }));
    expect(m.bridge.callsOf('refreshNow').map((c) => c.sourceId).sort()).toEqual(['cups', 'docs', 'local']);
    fireEvent.click(within(alerts[0]!).getByRole('button', { name: 'Open Sources' }));
    expect(m.store.panel.value).toEqual({ kind: 'sources' });

    fireEvent.click(within(banner).getByRole('button', { name: 'Hide details' }));
    expect(banner.textContent).not.toContain('What failed');
  });

  it('keeps one source’s outage as its own banner, with what failed and what to do', async () => {
    m = await mount({ jobs: [makeJob({ key: 'local:a' })], sources: [OUT[0]!] });
    const alert = within(screen.getByTestId('outage-banner')).getByRole('alert');
    expect(alert.getAttribute('aria-label')).toBe('This PC cannot be reached');
    expect(alert.textContent).toContain('What failed: Nothing answers on 127.0.0.1:41191.');
    expect(within(alert).queryByRole('button', { name: 'Show details' })).toBeNull();
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
