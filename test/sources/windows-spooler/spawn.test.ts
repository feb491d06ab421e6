/**
 * How the spooler source starts Windows PowerShell: by its full path under %SystemRoot% (a bare
 * name is looked up in the working folder before PATH on Windows), hidden, without profile or
 * prompts, with host.ps1 as -EncodedCommand: base64 of its UTF-16LE text, as powershell.exe -? says.
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('node:child_process', async (original) => ({ ...(await original<typeof import('node:child_process')>()), spawn: vi.fn(() => ({})) }));
const { spawn } = await import('node:child_process');
const { spawnPowerShellHost } = await import('../../../main/sources/windows-spooler/host');
const { HOST_SCRIPT } = await import('../../../main/sources/windows-spooler/host-script');

describe('starting Windows PowerShell', () => {
  it('by its full path, hidden, with host.ps1 encoded as PowerShell reads -EncodedCommand', () => {
    vi.stubEnv('SystemRoot', 'D:\\Windows');
    try {
      spawnPowerShellHost();
    } finally {
      vi.unstubAllEnvs();
    }
    const [file, args, options] = vi.mocked(spawn).mock.calls[0] as unknown as [string, string[], Record<string, unknown>];
    expect(file).toBe('D:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    expect(args.slice(0, -1)).toEqual(['-NoLogo', '-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
    expect(Buffer.from(args.at(-1)!, 'base64').toString('utf16le')).toBe(HOST_SCRIPT);
    expect(options).toMatchObject({ windowsHide: true, stdio: ['pipe', 'pipe', 'pipe'] });
    expect(options.shell).toBeUndefined();
  });
});
