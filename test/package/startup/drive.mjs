/**
 * Loads the built main process (out/main/index.js) against the electron stand-in, as a packaged
 * app, and drives it: start with a link, the page loading and saying it listens, a job tracked to
 * completion, a second instance with a link, hide/show, suspend/resume, the Windows session ending,
 * and quit. Prints one line `PQM-REPORT <json>` with what it saw.
 */
import { createHash } from 'node:crypto';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const appPath = process.env.PQM_STAND_IN_APP_PATH;
const configPath = process.env.PQM_STAND_IN_CONFIG;
const token = process.env.PQM_STAND_IN_TOKEN;
process.resourcesPath = process.env.PQM_STAND_IN_RESOURCES;
const exe = 'C:\\Program Files\\Print Queue Monitor\\Print Queue Monitor.exe';
process.argv = [exe, '--config', configPath, 'print-queue-monitor://open?key=local:cold'];

const electron = await import('electron');
const rec = globalThis.__electronStandIn;
const { app, powerMonitor } = electron;
const report = { steps: [] };
const step = (name) => report.steps.push(name);
// A wait that can never end empties the event loop: say where it stopped and what ran.
const stopped = () =>
  process.stderr.write(`The run stopped after ${JSON.stringify(report.steps)}; violations ${JSON.stringify(rec.violations)}; last calls:\n${rec.calls.slice(-40).map((c) => `  ${c.phase}:${c.name}${c.detail === undefined ? '' : ` ${String(c.detail).slice(0, 200)}`}`).join('\n')}\n`);
process.on('beforeExit', () => {
  stopped();
  process.exit(3);
});
// Only a diagnosis for a run the test would otherwise end without a word (it kills us at 100 s).
setTimeout(() => {
  stopped();
  process.stderr.write(`report: ${JSON.stringify({ ...report, windowOptions: undefined, fetched: undefined })}\nsent: ${JSON.stringify(globalThis.__electronStandIn.windows[0]?.webContents.sent.slice(-5) ?? [])}\n`);
  process.exit(4);
}, 80_000).unref();

await import(pathToFileURL(join(appPath, 'out', 'main', 'index.js')).href);
report.beforeReady = rec.calls.map((c) => c.name);
step('imported');
app.__becomeReady();

const { REQUEST_NAMES, EVENT_NAMES } = JSON.parse(process.env.PQM_STAND_IN_CONTRACT);
await rec.until(() => rec.windows.length === 1 && rec.ipcHandlers.size >= REQUEST_NAMES.length && rec.trays.length === 1 && rec.protocolHandlers.size === 1);
step('started');
const win = rec.windows[0];
const wc = win.webContents;
report.windowOptions = win.options;
report.preloadExists = existsSync(win.options.webPreferences.preload);
report.loaded = win.loaded;
report.ipcChannels = [...rec.ipcHandlers.keys()];
report.schemes = rec.schemes;

// The page as Chromium would fetch it: the page, then every script and style it names.
const handler = rec.protocolHandlers.get('app');
const fetched = [];
const get = async (url) => {
  const r = await handler(new Request(url));
  fetched.push({ url, status: r.status, type: r.headers.get('content-type'), csp: r.headers.get('content-security-policy') });
  return r;
};
const page = await (await get(win.loaded[0])).text();
report.pageHasMetaCsp = /http-equiv\s*=\s*["']?content-security-policy/i.test(page);
// The page as the app serves it once the core is open: its first frame drawn in, its stylesheet inline.
report.pageHasFirstFrame = page.includes('<div id="app" data-first-frame inert aria-busy="true">');
report.pageColumns = /#app\[data-first-frame\] \.grid\{--pq-cols:([^;]*);--pq-row-min:(\d+)px\}/.exec(page)?.slice(1) ?? null;
report.inlineStyleHashes = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
for (const m of page.matchAll(/(?:src|href)="([^"]+)"/g)) await get(new URL(m[1], win.loaded[0]).href);
report.fetched = fetched;

// The page loads; it has not said it listens yet.
wc.emit('did-start-loading');
win.emit('ready-to-show');
wc.emit('did-finish-load');
// Events reach the page as their JSON text (main/ipc.ts), read back here as the window does.
const payload = (s) => JSON.parse(s.args[0]);
const navigations = () => wc.sent.filter((s) => s.channel === 'pqm-event:app:navigate').map((s) => payload(s).key);
report.navigatedBeforeReady = navigations();
const trusted = { sender: wc, senderFrame: { url: win.loaded[0], parent: null } };
// Answers are JSON text (main/ipc.ts): their kinds are reported, and they are read as the window does.
report.answerKinds = new Set();
const invoke = async (name, input) => {
  const text = await rec.ipcHandlers.get(`pqm:${name}`)(trusted, input);
  report.answerKinds.add(typeof text);
  return JSON.parse(text);
};
report.windowReady = await invoke('windowReady', {});
report.navigatedAfterReady = navigations();
step('window ready');

// A job tracked to completion (its history entry is buffered for 1.5 s).
report.tracked = await invoke('trackJob', { sourceId: 'local', id: token });
const completed = () =>
  wc.sent.some((s) => s.channel === 'pqm-event:jobs:patch' && payload(s).patches.some((p) => (p.type === 'changed' && p.key === `local:${token}` && p.changes.state === 'completed') || (p.type === 'added' && p.job.key === `local:${token}` && p.job.state === 'completed')));
await rec.until(completed);
step('job completed');

// A second instance with a link, its argv reordered by Chromium.
app.emit('second-instance', { preventDefault() {} }, [exe, '--allow-file-access-from-files', '--original-process-start-time=13379999999999999', '--', 'print-queue-monitor://open?key=local:second'], 'C:\\', {});
await rec.until(() => navigations().includes('local:second'));
step('second instance');

win.hide();
win.show();
powerMonitor.emit('suspend');
powerMonitor.emit('resume');
step('hide show suspend resume');

// The Windows session ends: only the window hears it, and nothing may wait.
const historyFile = join(configPath, '..', 'history.json');
const historyKeys = () => (existsSync(historyFile) ? JSON.parse(readFileSync(historyFile, 'utf8')).entries.map((e) => e.job.key) : []);
report.historyBeforeSessionEnd = historyKeys();
win.emit('session-end', { reasons: ['logoff'] });
report.historyAfterSessionEnd = historyKeys();
step('session end');

report.sentChannels = [...new Set(wc.sent.map((s) => s.channel))];
report.eventPayloadKinds = [...new Set(wc.sent.filter((s) => s.channel.startsWith('pqm-event:')).map((s) => `${s.args.length} ${typeof s.args[0]}`))];
report.answerKinds = [...report.answerKinds];
report.eventChannels = EVENT_NAMES.map((n) => `pqm-event:${n}`);
report.images = rec.images;
report.notificationIcons = rec.notifications.map((n) => n.icon ?? null);
report.menusBuilt = rec.menus.length;

app.quit();
await rec.until(() => rec.exitCode !== null);
report.exitCode = rec.exitCode;
report.trayDestroyed = rec.trays[0].destroyed === true;
report.ipcAfterQuit = rec.ipcHandlers.size;
report.violations = rec.violations;
report.calls = rec.calls.map((c) => `${c.phase}:${c.name}`);
step('quit');
process.stdout.write(`\nPQM-REPORT ${JSON.stringify(report)}\n`);
process.exit(0);
