// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/preact';
import { AppFailure, type SettingsInput } from '../../preload/contract/model';
import type { DesktopInfo } from '../../preload/contract/contract';
import { makeHealth } from '../helpers/fake-bridge';
import { parseSettingsDocument, parseSettingsText } from '../../main/state/settings';
import { choose, mount, unmount, type Mounted } from './harness';

let m: Mounted | undefined;
afterEach(() => {
  unmount(m);
  m = undefined;
});

const base: SettingsInput = {
  version: 1,
  sources: [{ id: 'local', kind: 'scriptx', name: 'This PC', service: { restart: { file: 'C:\\tools\\restart.cmd', args: [] } } }],
};

async function openSettings(settings: SettingsInput = base, secrets: Record<string, string> = {}, desktop?: DesktopInfo) {
  m = await mount({ sources: [makeHealth({ id: 'local', name: 'This PC' })], settings, secrets, desktop });
  fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
  return screen.getByRole('dialog', { name: 'Settings' });
}

function field(dialog: HTMLElement, label: string | RegExp): HTMLInputElement {
  return within(dialog).getByLabelText(label) as HTMLInputElement;
}

function errorOf(input: HTMLElement): string | null {
  const id = input.getAttribute('aria-describedby');
  return id ? (document.getElementById(id)?.textContent ?? null) : null;
}

function type(input: HTMLElement, value: string) {
  fireEvent.input(input, { target: { value } });
}

describe('settings: the problems found in the file', () => {
  const items = (dialog: HTMLElement) => within(within(dialog).getByRole('alert')).getAllByRole('listitem').map((li) => li.textContent);

  it('names each field once, beside what is wrong with it', async () => {
    // As the app's own parser words them (each message begins with its field, to read alone).
    const { problems } = parseSettingsDocument({ version: 1, sources: [base.sources[0], { id: 'bad', kind: 'scriptx', baseUrl: 'ftp://print' }], ui: { veiw: 'all' } });
    expect(problems.length).toBe(2);
    m = await mount({ sources: [makeHealth({ id: 'local', name: 'This PC' })], settings: base, problems });
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    await waitFor(() => expect(within(dialog).getByRole('alert')).toBeTruthy());
    const shown = items(dialog);
    expect(shown).toHaveLength(2);
    expect(shown).toContainEqual(expect.stringMatching(/^sources\.1\.baseUrl: must be an http:\/\/ or https:\/\/ URL/));
    for (const [i, p] of problems.entries()) {
      expect(within(dialog).getAllByRole('listitem')[i]!.querySelector('code')?.textContent).toBe(p.field);
      expect(shown[i]!.split(p.field).length - 1, shown[i]!).toBe(1);
    }
  });

  it('shows a problem of the whole file as its sentence, with no empty field', async () => {
    const { problems } = parseSettingsText('{ "version": 1,');
    expect(problems).toEqual([expect.objectContaining({ field: '' })]);
    m = await mount({ sources: [], settings: base, problems });
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    await waitFor(() => expect(within(dialog).getByRole('alert')).toBeTruthy());
    expect(items(dialog)).toEqual([problems[0]!.message]);
    expect(within(dialog).getByRole('alert').querySelector('code')).toBeNull();
  });
});

describe('settings: the Windows spooler source', () => {
  const kindOptions = (dialog: HTMLElement) => [...(within(dialog).getByLabelText('Kind') as HTMLSelectElement).options].map((o) => o.value);

  it('is not offered where the core says this computer cannot watch it', async () => {
    m = await mount({ sources: [makeHealth({ id: 'local', name: 'This PC' })], settings: base, unavailableKinds: [{ kind: 'windows-spooler', reason: 'The Windows print spooler source needs Windows; this computer runs Linux.' }] });
    fireEvent.click(screen.getByRole('button', { name: 'Settings' }));
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    await waitFor(() => expect(kindOptions(dialog)).toEqual(['scriptx', 'graph', 'aodocs', 'ipp']));
  });

  it('is offered on Windows, with its printers and scope and no URL', async () => {
    const dialog = await openSettings();
    await waitFor(() => expect(kindOptions(dialog)).toContain('windows-spooler'));
    fireEvent.change(within(dialog).getByLabelText('Kind'), { target: { value: 'windows-spooler' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add a source' }));
    expect(within(dialog).queryByLabelText(/URL/)).toBeNull();
    type(field(dialog, 'Id (a-z, 0-9, -)'), 'pc');
    type(field(dialog, /Printers, as Windows names them/), 'Office Laser, \\\\print01\\Front desk');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(m!.bridge.callsOf('saveSettings')).toHaveLength(1));
    const saved = m!.bridge.callsOf('saveSettings')[0]!.settings.sources.find((s) => s.id === 'pc');
    expect(saved).toEqual({ id: 'pc', kind: 'windows-spooler', enabled: true, printers: ['Office Laser', '\\\\print01\\Front desk'] });
  });
});

describe('settings: sources', () => {
  it('adds a ScriptX source, validating at the fields, and sends the license to main only', async () => {
    const dialog = await openSettings();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add a source' }));
    const id = field(dialog, 'Id (a-z, 0-9, -)');
    type(id, 'Second PC');
    type(field(dialog, 'Service URL (empty: find it on this PC)'), 'localhost:41191');
    type(field(dialog, /License GUID/), 'A9BF6A4D-0000-4D21-996E-00A2DE5DE416');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(id.getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(id)).toBe('a source id is 1-32 characters: a-z, 0-9 and "-", not starting with "-"');
    expect(errorOf(field(dialog, 'Service URL (empty: find it on this PC)'))).toBe('must be an http:// or https:// URL');
    expect(within(dialog).getByTestId('settings-outcome').textContent).toBe('Some fields need attention.');
    expect(m!.bridge.callsOf('saveSettings')).toHaveLength(0);

    type(id, 'local');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(errorOf(id)).toBe('Another source already has the id "local".');

    type(id, 'second');
    type(field(dialog, 'Service URL (empty: find it on this PC)'), '');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(dialog).getByTestId('settings-outcome').textContent).toBe('Settings saved.'));
    expect(m!.bridge.settings.sources.map((s) => s.id)).toEqual(['local', 'second']);
    expect(m!.bridge.settings.sources[1]).toEqual({ id: 'second', kind: 'scriptx', enabled: true });
    expect(m!.bridge.callsOf('setSecret')).toEqual([{ sourceId: 'second', name: 'LICENSE', value: 'A9BF6A4D-0000-4D21-996E-00A2DE5DE416' }]);
    expect(JSON.stringify(m!.bridge.callsOf('saveSettings'))).not.toContain('A9BF6A4D');
    expect(within(dialog).getByRole('button', { name: 'Edit second' })).toBeTruthy();
  });

  it('adds an AODocs source: library ids are required, the security code is stored', async () => {
    const dialog = await openSettings();
    choose(within(dialog).getByLabelText('Kind'), 'aodocs');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Add a source' }));
    type(field(dialog, 'Id (a-z, 0-9, -)'), 'ao');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    const libs = field(dialog, 'Library ids (comma separated)');
    expect(libs.getAttribute('aria-invalid')).toBe('true');
    expect(errorOf(libs)).toBeTruthy();
    type(libs, 'lib-1, lib 2');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(errorOf(field(dialog, 'Library ids (comma separated)'))).toBe('a library id cannot contain "/", "?", "#", "\\" or spaces');
    type(field(dialog, 'Library ids (comma separated)'), 'lib-1, lib-2');
    type(field(dialog, /Security code/), 'S3cr3t-code');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(m!.bridge.settings.sources).toHaveLength(2));
    expect(m!.bridge.settings.sources[1]).toMatchObject({ id: 'ao', kind: 'aodocs', libraryIds: ['lib-1', 'lib-2'], auth: 'securityCode', baseUrl: 'https://aodocs.altirnao.com/api' });
    await waitFor(() => expect(m!.bridge.secrets.get('ao.SECURITY_CODE')).toBe('S3cr3t-code'));
    expect(JSON.stringify(m!.bridge.settings)).not.toContain('S3cr3t');
  });

  it('edits a source keeping the fields the form does not show, and shows a refusal at its field', async () => {
    const dialog = await openSettings();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Edit This PC' }));
    expect(field(dialog, 'Id (a-z, 0-9, -)').value).toBe('local');
    m!.bridge.override('saveSettings', async () => {
      throw new AppFailure('invalid-input', 'settings.sources.0.baseUrl: nothing answers there', { field: 'settings.sources.0.baseUrl' });
    });
    type(field(dialog, 'Service URL (empty: find it on this PC)'), 'http://127.0.0.1:1');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(errorOf(field(dialog, 'Service URL (empty: find it on this PC)'))).toBe('nothing answers there'));
    const saved = m!.bridge.callsOf('saveSettings')[0].settings.sources[0];
    expect(saved).toMatchObject({ id: 'local', baseUrl: 'http://127.0.0.1:1', service: { restart: { file: 'C:\\tools\\restart.cmd' } } });
  });

  it('tests the connection with the form’s values and shows the answer', async () => {
    const dialog = await openSettings();
    m!.bridge.override('testSource', async ({ source }) => makeHealth({ id: source.id, status: 'degraded', message: 'The service answered 503.' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Edit This PC' }));
    type(field(dialog, 'Service URL (empty: find it on this PC)'), 'http://127.0.0.1:41191');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    await waitFor(() => expect(within(dialog).getByTestId('settings-outcome').textContent).toBe('Degraded: The service answered 503.'));
    expect(m!.bridge.callsOf('testSource')[0].source).toMatchObject({ id: 'local', kind: 'scriptx', baseUrl: 'http://127.0.0.1:41191' });
    expect(m!.bridge.callsOf('saveSettings')).toHaveLength(0);
  });

  it('tests with the credential typed in the form, sent with the test and never stored by it', async () => {
    const dialog = await openSettings();
    fireEvent.click(within(dialog).getByRole('button', { name: 'Edit This PC' }));
    type(field(dialog, 'Service URL (empty: find it on this PC)'), 'https://print.example.com');
    type(field(dialog, /License GUID/), 'A9BF6A4D-0000-4D21-996E-00A2DE5DE416');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Test connection' }));
    await waitFor(() => expect(m!.bridge.callsOf('testSource')).toHaveLength(1));
    expect(m!.bridge.callsOf('testSource')[0]).toMatchObject({ source: { id: 'local', baseUrl: 'https://print.example.com' }, secrets: { LICENSE: 'A9BF6A4D-0000-4D21-996E-00A2DE5DE416' } });
    expect(m!.bridge.callsOf('setSecret')).toHaveLength(0);
  });

  it('offers the credential the admin mode is set up with: the client certificate, or the client secret', async () => {
    const admin = (credential: 'secret' | 'certificate') => ({ enabled: true, clientId: 'admin-app', tenantId: 'tenant-1', credential });
    const dialog = await openSettings({ version: 1, sources: [{ id: 'up', kind: 'graph', name: 'Universal Print', admin: admin('certificate') }] }, { 'up.CLIENT_CERTIFICATE': '{"thumbprintSha256":"x"}' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Edit Universal Print' }));
    expect(field(dialog, 'Client certificate (stored)').type).toBe('password');
    expect(within(dialog).queryByLabelText(/Client secret/)).toBeNull();
    unmount(m);
    const again = await openSettings({ version: 1, sources: [{ id: 'up', kind: 'graph', name: 'Universal Print', admin: admin('secret') }] });
    fireEvent.click(within(again).getByRole('button', { name: 'Edit Universal Print' }));
    expect(field(again, 'Client secret (not stored)')).toBeTruthy();
    expect(within(again).queryByLabelText(/Client certificate/)).toBeNull();
  });

  it('shows whether a credential is stored, never its value, and forgets it', async () => {
    const dialog = await openSettings(base, { 'local.LICENSE': 'SECRET-GUID' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Edit This PC' }));
    const input = field(dialog, 'License GUID (stored)');
    expect(input.value).toBe('');
    expect(input.type).toBe('password');
    expect(dialog.innerHTML).not.toContain('SECRET-GUID');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Forget' }));
    await waitFor(() => expect(field(dialog, 'License GUID (not stored)')).toBeTruthy());
    expect(m!.bridge.secrets.has('local.LICENSE')).toBe(false);
  });

  it('removes a source after confirmation and deletes its credentials', async () => {
    const dialog = await openSettings(base, { 'local.LICENSE': 'SECRET-GUID' });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Remove This PC' }));
    const confirm = screen.getByRole('alertdialog');
    expect(within(confirm).getByText(/Its jobs disappear from the queue/)).toBeTruthy();
    fireEvent.click(within(confirm).getByRole('button', { name: 'Remove' }));
    await waitFor(() => expect(m!.bridge.settings.sources).toEqual([]));
    await waitFor(() => expect(m!.bridge.secrets.size).toBe(0));
  });
});

describe('settings: polling, notifications, history, general', () => {
  it('shows polling intervals in seconds, validates them in seconds at the field, and saves them in milliseconds', async () => {
    const dialog = await openSettings({ ...base, polling: { scriptx: { activeMs: 500, idleMs: 10_000, maxRequestsPerSecond: 12 }, ipp: { activeMs: 3_000, idleMs: 45_000 } } });
    fireEvent.click(within(dialog).getByRole('tab', { name: 'Polling' }));
    const active = field(dialog, 'ScriptX.Services: interval while jobs are active (seconds)');
    expect(active.value).toBe('0.5');
    expect(field(dialog, 'ScriptX.Services: interval when idle (seconds)').value).toBe('10');
    expect(field(dialog, 'Longest wait after errors (seconds)').value).toBe('300');
    // Every kind of source has its intervals.
    expect(field(dialog, 'IPP printer or CUPS server: interval when idle (seconds)').value).toBe('45');
    type(active, '0.05');
    type(field(dialog, 'Longest wait after errors (seconds)'), '7200');
    type(field(dialog, 'ScriptX.Services: interval when idle (seconds)'), 'soon');
    type(field(dialog, 'Mark an active job stuck after (minutes)'), '');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(errorOf(active)).toBe('Must be at least 0.2 seconds.');
    expect(errorOf(field(dialog, 'Longest wait after errors (seconds)'))).toBe('Must be at most 3600 seconds.');
    expect(errorOf(field(dialog, 'ScriptX.Services: interval when idle (seconds)'))).toBe('Enter a number of seconds.');
    expect(errorOf(field(dialog, 'Mark an active job stuck after (minutes)'))).toBeTruthy();
    expect(m!.bridge.callsOf('saveSettings')).toHaveLength(0);
    type(active, '1');
    type(field(dialog, 'Longest wait after errors (seconds)'), '90.5');
    type(field(dialog, 'ScriptX.Services: interval when idle (seconds)'), '12');
    type(field(dialog, 'Mark an active job stuck after (minutes)'), '15');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(m!.bridge.settings.polling.scriptx.activeMs).toBe(1000));
    // Stored in milliseconds; what the form does not show (the ScriptX request budget) and the
    // other kinds' intervals are kept.
    expect(m!.bridge.settings.polling).toMatchObject({ scriptx: { activeMs: 1000, idleMs: 12_000, maxRequestsPerSecond: 12 }, ipp: { activeMs: 3_000, idleMs: 45_000 }, maxBackoffMs: 90_500, stuckAfterMinutes: 15 });
    expect(errorOf(field(dialog, 'ScriptX.Services: interval while jobs are active (seconds)'))).toBeNull();
  });

  it('saves notification choices per event and per source', async () => {
    const dialog = await openSettings();
    fireEvent.click(within(dialog).getByRole('tab', { name: 'Notifications' }));
    fireEvent.click(within(dialog).getByLabelText('a job completes'));
    fireEvent.click(within(dialog).getByLabelText('This PC'));
    fireEvent.click(within(dialog).getByLabelText('Do not disturb'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(m!.bridge.settings.notifications.doNotDisturb).toBe(true));
    expect(m!.bridge.settings.notifications.events.completed).toBe(false);
    expect(m!.bridge.settings.notifications.events.failed).toBe(true);
    expect(m!.bridge.settings.notifications.sources).toEqual({ local: false });
  });

  it('validates history retention, clears after confirmation and exports', async () => {
    const dialog = await openSettings();
    fireEvent.click(within(dialog).getByRole('tab', { name: 'History' }));
    const days = field(dialog, 'Keep finished jobs for (days)');
    type(days, '0');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(days.getAttribute('aria-invalid')).toBe('true');
    // In words, not the schema's ("Invalid input: expected number, received NaN").
    expect(within(dialog).getByText('Enter a whole number from 1 to 3,650.')).toBeTruthy();
    type(days, '');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(within(dialog).getByText('Enter a whole number from 1 to 3,650.')).toBeTruthy();
    type(days, '90');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(m!.bridge.settings.history.retentionDays).toBe(90));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Export CSV…' }));
    await waitFor(() => expect(within(dialog).getByTestId('settings-outcome').textContent).toBe('History exported to C:\\Users\\alice\\Documents\\history.csv'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Clear history…' }));
    expect(m!.bridge.callsOf('clearHistory')).toHaveLength(0);
    fireEvent.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Clear history' }));
    await waitFor(() => expect(m!.bridge.callsOf('clearHistory')).toHaveLength(1));
    await waitFor(() => expect(within(dialog).getByTestId('settings-outcome').textContent).toBe('History cleared.'));
  });

  it('applies the theme and start choices', async () => {
    const dialog = await openSettings();
    fireEvent.click(within(dialog).getByRole('tab', { name: 'General' }));
    choose(within(dialog).getByLabelText('Theme'), 'dark');
    fireEvent.click(within(dialog).getByLabelText('Start when I sign in to Windows'));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(document.documentElement.dataset.theme).toBe('dark'));
    expect(m!.bridge.settings.ui).toMatchObject({ theme: 'dark', startAtLogin: true });
  });

  it('says why settings were not saved', async () => {
    const dialog = await openSettings();
    m!.bridge.override('saveSettings', async () => {
      throw new AppFailure('internal', 'The settings file is locked by another program.');
    });
    fireEvent.click(within(dialog).getByRole('tab', { name: 'General' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(dialog).getByTestId('settings-outcome').textContent).toBe('Settings were not saved: The settings file is locked by another program.'));
    expect(within(dialog).getByTestId('settings-outcome').getAttribute('role')).toBe('alert');
  });
});

describe('settings: how this copy runs (the desktop app)', () => {
  const general = async (desktop: DesktopInfo | undefined, settings: SettingsInput = base) => {
    const dialog = await openSettings(settings, {}, desktop);
    fireEvent.click(within(dialog).getByRole('tab', { name: 'General' }));
    return dialog;
  };
  const installed = (over: Partial<DesktopInfo> = {}): DesktopInfo => ({
    install: 'installed',
    startAtLogin: { available: true, registered: true, enabledInWindows: true, note: null },
    update: { state: 'idle' },
    unavailable: [],
    ...over,
  });

  it('shows nothing extra where there is no desktop app (the browser preview)', async () => {
    const dialog = await general(undefined);
    expect(within(dialog).queryByTestId('start-at-login-note')).toBeNull();
    expect(within(dialog).queryByTestId('settings-update')).toBeNull();
    expect((within(dialog).getByLabelText('Start when I sign in to Windows') as HTMLInputElement).disabled).toBe(false);
  });

  it('shows an entry turned off in Task Manager instead of overriding it', async () => {
    const note = 'Turned off in Task Manager (Startup apps): Windows will not start Print Queue Monitor when you sign in.';
    const dialog = await general(installed({ startAtLogin: { available: true, registered: true, enabledInWindows: false, note } }), { ...base, ui: { startAtLogin: true } });
    const box = within(dialog).getByLabelText('Start when I sign in to Windows') as HTMLInputElement;
    expect(box.checked).toBe(true);
    expect(box.disabled).toBe(false);
    expect(within(dialog).getByTestId('start-at-login-note').textContent).toBe(note);
    expect(box.getAttribute('aria-describedby')).toBe('start-at-login-note');
  });

  it('the portable version: start at login unavailable, and what it cannot do and why', async () => {
    const dialog = await general({
      install: 'portable',
      startAtLogin: { available: false, reason: 'The portable version runs from a temporary copy that Windows deletes when it closes.' },
      update: { state: 'off', reason: 'The portable version is not updated automatically.' },
      unavailable: [
        { feature: 'Start at login', reason: 'It runs from a temporary copy.' },
        { feature: 'Notifications', reason: 'No Start-menu shortcut carries its id.' },
      ],
    });
    expect((within(dialog).getByLabelText('Start when I sign in to Windows') as HTMLInputElement).disabled).toBe(true);
    expect(within(dialog).getByTestId('start-at-login-note').textContent).toMatch(/temporary copy that Windows deletes/);
    const list = within(dialog).getByRole('region', { name: 'Not available in the portable version' });
    expect(within(list).getAllByRole('listitem').map((li) => li.textContent)).toEqual([
      'Start at login: It runs from a temporary copy.',
      'Notifications: No Start-menu shortcut carries its id.',
    ]);
    expect(within(dialog).getByTestId('settings-update').textContent).toBe('Updates are off. The portable version is not updated automatically.');
    expect(within(dialog).queryByRole('button', { name: 'Restart now to update' })).toBeNull();
  });

  it('shows an update failure with its reason', async () => {
    const dialog = await general(installed({ update: { state: 'failed', message: 'Updating failed. The update was refused: it is not signed by the publisher of this copy.' } }));
    expect(within(dialog).getByTestId('settings-update').textContent).toBe('Updating failed. The update was refused: it is not signed by the publisher of this copy.');
  });

  it('"Restart now to update" asks main, and says why when it must wait', async () => {
    const dialog = await general(installed({ update: { state: 'ready', version: '0.2.0', waitReason: 'The update installs when the watched job finishes or when you quit.' } }));
    expect(within(dialog).getByTestId('settings-update').textContent).toMatch(/^Version 0\.2\.0 is ready to install\. The update installs when the watched job finishes/);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Restart now to update' }));
    await waitFor(() => expect(m!.bridge.callsOf('installUpdate')).toHaveLength(1));
    await waitFor(() =>
      expect(within(dialog).getByTestId('settings-outcome').textContent).toBe('The update is not installed yet: The update installs when the watched job finishes or when you quit.'),
    );
    m!.bridge.desktop = installed({ update: { state: 'ready', version: '0.2.0', waitReason: null } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Restart now to update' }));
    await waitFor(() => expect(within(dialog).getByTestId('settings-outcome').textContent).toBe('Restarting to install the update…'));
  });
});

describe('settings: edits not saved yet', () => {
  const retention = (dialog: HTMLElement) => field(dialog, 'Keep finished jobs for (days)');
  const idle = (dialog: HTMLElement) => field(dialog, 'ScriptX.Services: interval when idle (seconds)');

  it('keeps edits in one tab while another is shown, until saved', async () => {
    const dialog = await openSettings();
    fireEvent.click(within(dialog).getByRole('tab', { name: 'Polling' }));
    type(idle(dialog), '12');
    fireEvent.click(within(dialog).getByRole('tab', { name: 'History' }));
    type(retention(dialog), '45');
    fireEvent.click(within(dialog).getByRole('tab', { name: 'General' }));
    fireEvent.click(within(dialog).getByRole('tab', { name: 'Polling' }));
    expect(idle(dialog).value).toBe('12');
    fireEvent.click(within(dialog).getByRole('tab', { name: 'History' }));
    expect(retention(dialog).value).toBe('45');
    // Only the shown tab's panel is in the accessibility tree.
    expect(screen.getAllByRole('tabpanel')).toHaveLength(1);
    expect(screen.getByRole('tabpanel').getAttribute('aria-labelledby')).toBe('settings-tab-history');
    expect(m!.bridge.callsOf('saveSettings')).toHaveLength(0);
  });

  it('asks before closing drops unsaved edits: Keep editing goes on, Discard closes without saving', async () => {
    m = await mount({ sources: [makeHealth({ id: 'local', name: 'This PC' })], settings: base });
    const settingsButton = screen.getByRole('button', { name: 'Settings' });
    settingsButton.focus();
    fireEvent.click(settingsButton);
    const dialog = screen.getByRole('dialog', { name: 'Settings' });
    fireEvent.click(within(dialog).getByRole('tab', { name: 'Polling' }));
    type(idle(dialog), '12');
    fireEvent.click(within(dialog).getByRole('tab', { name: 'History' }));
    type(retention(dialog), '45');

    // The Close button asks, naming the tabs with edits; the safe answer has the focus.
    const close = within(dialog).getAllByRole('button', { name: 'Close' })[0]!;
    close.focus();
    fireEvent.click(close);
    let ask = screen.getByRole('alertdialog', { name: 'Discard unsaved changes?' });
    expect(within(ask).getByText('Your changes in Polling and History have not been saved. Discard them and close Settings?')).toBeTruthy();
    expect(document.activeElement).toBe(within(ask).getByRole('button', { name: 'Keep editing' }));
    fireEvent.click(within(ask).getByRole('button', { name: 'Keep editing' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.getByRole('dialog', { name: 'Settings' })).toBe(dialog);
    expect(retention(dialog).value).toBe('45');
    expect(document.activeElement).toBe(close);

    // Escape asks too; Discard closes without saving, and the focus goes back to the Settings button.
    fireEvent.keyDown(retention(dialog), { key: 'Escape' });
    ask = screen.getByRole('alertdialog', { name: 'Discard unsaved changes?' });
    fireEvent.click(within(ask).getByRole('button', { name: 'Discard' }));
    expect(screen.queryByRole('dialog', { name: 'Settings' })).toBeNull();
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(m!.bridge.callsOf('saveSettings')).toHaveLength(0);
    await waitFor(() => expect(document.activeElement).toBe(settingsButton));

    // Opened again: the saved values; an edit that is saved closes without asking.
    fireEvent.click(settingsButton);
    const again = screen.getByRole('dialog', { name: 'Settings' });
    fireEvent.click(within(again).getByRole('tab', { name: 'History' }));
    expect(retention(again).value).toBe('30');
    type(retention(again), '45');
    fireEvent.click(within(again).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(again).getByTestId('settings-outcome').textContent).toBe('Settings saved.'));
    expect(m!.bridge.settings.history.retentionDays).toBe(45);
    fireEvent.click(within(again).getAllByRole('button', { name: 'Close' })[0]!);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.queryByRole('dialog', { name: 'Settings' })).toBeNull();
  });
});

describe('settings: a save that finishes in a tab not shown', () => {
  /** What the dialog says, as a screen reader has it: its live lines not in a hidden tab. */
  const said = (dialog: HTMLElement, role: 'status' | 'alert') => within(dialog).queryAllByRole(role).map((el) => el.textContent);

  it('says its outcome under the tabs, with the tab’s name, until the user goes back to that tab', async () => {
    const dialog = await openSettings();
    fireEvent.click(within(dialog).getByRole('tab', { name: 'Polling' }));
    const hold = m!.bridge.hold('saveSettings');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await hold.arrived;
    fireEvent.click(within(dialog).getByRole('tab', { name: 'General' }));
    await act(async () => hold.release());
    await waitFor(() => expect(said(dialog, 'status')).toContain('Polling: Settings saved.'));
    const line = within(dialog).getByTestId('settings-outcome-elsewhere');
    expect(line.closest('[hidden]')).toBeNull();
    // Only the outcome of the tab shown has the tab's own test id.
    expect(within(dialog).queryByTestId('settings-outcome')).toBeNull();

    // Back in Polling: the outcome is in its place in the tab, said once.
    fireEvent.click(within(dialog).getByRole('tab', { name: 'Polling' }));
    expect(within(dialog).queryByTestId('settings-outcome-elsewhere')).toBeNull();
    expect(within(dialog).getByTestId('settings-outcome').textContent).toBe('Settings saved.');
    expect(said(dialog, 'status')).toEqual(['Settings saved.']);
  });

  it('says a refusal as an alert, and each tab’s own outcome line is told apart', async () => {
    const dialog = await openSettings();
    // General saved while shown: its outcome is in the tab.
    fireEvent.click(within(dialog).getByRole('tab', { name: 'General' }));
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(within(dialog).getByTestId('settings-outcome').textContent).toBe('Settings saved.'));

    fireEvent.click(within(dialog).getByRole('tab', { name: 'History' }));
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    m!.bridge.override('saveSettings', async () => {
      await held;
      throw new AppFailure('internal', 'The settings file is locked by another program.');
    });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Save' }));
    fireEvent.click(within(dialog).getByRole('tab', { name: 'Notifications' }));
    await act(async () => release());
    await waitFor(() => expect(said(dialog, 'alert')).toContain('History: Settings were not saved: The settings file is locked by another program.'));
    // Two tabs hold an outcome, one test id each place: none in the tab shown, the one under the tabs.
    expect(within(dialog).queryAllByTestId('settings-outcome')).toHaveLength(0);
    expect(within(dialog).getAllByTestId('settings-outcome-elsewhere')).toHaveLength(1);
    fireEvent.click(within(dialog).getByRole('tab', { name: 'General' }));
    expect(within(dialog).getAllByTestId('settings-outcome').map((el) => el.textContent)).toEqual(['Settings saved.']);
    // Still said under the tabs until the user goes to History.
    expect(within(dialog).getByTestId('settings-outcome-elsewhere').getAttribute('role')).toBe('alert');
    fireEvent.click(within(dialog).getByRole('tab', { name: 'History' }));
    expect(within(dialog).queryByTestId('settings-outcome-elsewhere')).toBeNull();
    expect(within(dialog).getByTestId('settings-outcome').getAttribute('role')).toBe('alert');
  });
});
