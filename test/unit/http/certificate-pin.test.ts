/**
 * A printer with a self-signed certificate is trusted only by the SHA-256 fingerprint pinned in its
 * settings: a real TLS server on 127.0.0.1 with a certificate made for this test.
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient } from '../../../main/http/client';
import { createIppSource } from '../../../main/sources/ipp/source';
import { IppSourceConfig } from '../../../preload/contract/model';
import { startIppSimulator } from '../../simulators/ipp/server';
import { makeDeps } from '../../sources/aodocs/helpers';

let server: Server;
let url = '';
let pin = '';
const seen: (string | undefined)[] = [];

function selfSigned(): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), 'pqm-pin-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=printer.example.lan', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'pipe' });
    return { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(join(dir, 'cert.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(async () => {
  const { key, cert } = selfSigned();
  pin = new X509Certificate(cert).fingerprint256; // "AB:CD:..."
  server = createServer({ key, cert }, (req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}/ipp/print`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const transports: [string, () => HttpClient][] = [
  ['node http', () => new HttpClient({ timeoutMs: 5_000 })],
  // The app's transport (Chromium's network stack) cannot take a per-request pin: pinned requests use Node's TLS.
  ['fetch', () => new HttpClient({ timeoutMs: 5_000, fetch: (() => Promise.reject(new Error('a pinned request must not use the fetch transport'))) as unknown as typeof fetch })],
];

it('a self-signed certificate is refused without a pin, saying how to trust it, before anything is sent', async () => {
  seen.length = 0;
  await expect(new HttpClient({ timeoutMs: 5_000 }).request({ url, method: 'POST', headers: { Authorization: 'Basic c2VjcmV0LXZhbHVl' } })).rejects.toMatchObject({
    kind: 'unreachable',
    message: expect.stringMatching(/certificate is not trusted \(self-signed.*certificateSha256/),
  });
  expect(seen).toEqual([]);
});

describe.each(transports)('a self-signed certificate (%s)', (_name, make) => {
  it('is accepted with the right pin, written with colons in capitals or as plain hex', async () => {
    seen.length = 0;
    const http = make();
    await expect(http.request({ url, method: 'POST', headers: { Authorization: 'Basic c2VjcmV0LXZhbHVl' }, certificateSha256: pin })).resolves.toMatchObject({ status: 200, data: { ok: true } });
    await expect(http.request({ url, certificateSha256: pin.replace(/:/g, '').toLowerCase() })).resolves.toMatchObject({ status: 200 });
    expect(seen).toEqual(['Basic c2VjcmV0LXZhbHVl', undefined]);
  });

  it('is refused with a wrong pin, naming the fingerprint it has, and nothing (no credentials) is sent', async () => {
    seen.length = 0;
    const http = make();
    const wrong = 'ab'.repeat(32);
    const err = await http.request({ url, method: 'POST', headers: { Authorization: 'Basic c2VjcmV0LXZhbHVl' }, certificateSha256: wrong }).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'unreachable', message: expect.stringContaining(`does not match the pinned SHA-256 fingerprint (it is ${pin})`) });
    expect(seen).toEqual([]);
  });
});

describe('the certificateSha256 setting of an IPP source', () => {
  const parse = (url: string, certificateSha256: string) => IppSourceConfig.safeParse({ id: 'office', kind: 'ipp', url, certificateSha256 });
  const hex = 'b346b9e5150ae42db413d7a2b3c34293e93f477d1bc3afa1d0950532' + '40980e41';

  it('takes 64 hexadecimal digits, with or without colons, in either case', () => {
    expect(parse('ipps://printer.lan/ipp/print', hex).success).toBe(true);
    expect(parse('https://cups.lan:631', hex.toUpperCase().match(/../g)!.join(':')).success).toBe(true);
  });

  it('refuses anything else, naming the field and what it must be', () => {
    for (const bad of [hex.slice(2), `${hex}00`, hex.replace('b3', 'zz'), `sha256/${hex}`, '']) {
      const r = parse('ipps://printer.lan/ipp/print', bad);
      expect(r.success).toBe(false);
      expect(r.error?.issues[0]).toMatchObject({ path: ['certificateSha256'], message: expect.stringContaining('64 hexadecimal digits') });
    }
  });

  it('is refused on a printer reached without TLS', () => {
    const r = parse('ipp://printer.lan/ipp/print', hex);
    expect(r.error?.issues[0]).toMatchObject({ path: ['certificateSha256'], message: 'applies only to an ipps:// or https:// url' });
  });
});

describe('an ipps:// printer with its own certificate (the IPP source against the IPP simulator over TLS)', () => {
  it('polls only with the pinned fingerprint; without it, or with another, the source says why', async () => {
    const tls = selfSigned();
    const sim = await startIppSimulator({ tls });
    try {
      sim.addPrinter({ name: 'office', info: 'Office laser' });
      sim.addJob({ printer: 'office', name: 'Annual report.pdf', user: 'alice', state: 3, impressions: 4 });
      const poll = (certificateSha256?: string) => {
        const { deps } = makeDeps({ timeoutMs: 5_000 });
        const config = IppSourceConfig.parse({ id: 'office', kind: 'ipp', url: sim.printerUrl('office'), user: 'alice', scope: 'all', ...(certificateSha256 ? { certificateSha256 } : {}) });
        return createIppSource(config, deps).poll({ mode: 'full', signal: new AbortController().signal, activeJobs: new Map() });
      };
      const good = await poll(new X509Certificate(tls.cert).fingerprint256.replace(/:/g, '').toLowerCase());
      expect(good.jobs.map((j) => j.document)).toEqual(['Annual report.pdf']);
      expect(good.printers).toMatchObject([{ id: 'office', name: 'Office laser', state: 'ready' }]);
      const asked = sim.requests.length;
      await expect(poll()).rejects.toMatchObject({ message: expect.stringContaining('certificate is not trusted') });
      await expect(poll('ab'.repeat(32))).rejects.toMatchObject({ message: expect.stringContaining('does not match the pinned SHA-256 fingerprint') });
      expect(sim.requests.length).toBe(asked);
    } finally {
      await sim.close();
    }
  });
});
