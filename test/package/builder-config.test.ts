/**
 * The packaging configuration: Windows installer and portable targets with the product's identity,
 * the protocol, the icons the project draws (valid .ico/.png), versioned artifact names, signing
 * only through environment variables, macOS/Linux as secondary targets.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { APP_ID, PRODUCT_NAME, PROTOCOL } from '../../main/desktop/app-identity';
import { BADGES, TRAY_STATES, ICO_SIZES } from '../../build/make-icons';

const root = join(__dirname, '..', '..');
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
const configText = readFileSync(join(root, 'build', 'electron-builder.yml'), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const config = yaml.load(configText) as any;

function pngSize(buf: Buffer): { width: number; height: number; colorType: number } {
  expect(buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), 'PNG signature').toBe(true);
  expect(buf.subarray(12, 16).toString('ascii')).toBe('IHDR');
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  // The image data must inflate to exactly height rows of (1 filter byte + 4 * width).
  let offset = 8;
  const idat: Buffer[] = [];
  while (offset < buf.length) {
    const len = buf.readUInt32BE(offset);
    const type = buf.subarray(offset + 4, offset + 8).toString('ascii');
    if (type === 'IDAT') idat.push(buf.subarray(offset + 8, offset + 8 + len));
    offset += 12 + len;
  }
  expect(inflateSync(Buffer.concat(idat)).length).toBe(height * (width * 4 + 1));
  return { width, height, colorType: buf[25] };
}

describe('electron-builder configuration', () => {
  it('names the app as docs/interfaces.md does and registers the protocol', () => {
    expect(config.appId).toBe(APP_ID);
    expect(config.productName).toBe(PRODUCT_NAME);
    expect(config.protocols).toEqual([{ name: expect.any(String), schemes: [PROTOCOL] }]);
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(pkg.productName).toBe(PRODUCT_NAME);
    expect(pkg.scripts['dist:win']).toContain('--config build/electron-builder.yml');
  });

  it('builds an NSIS installer, per-user by default with a per-machine choice, and a portable exe', () => {
    const targets = config.win.target.map((t: { target: string }) => t.target);
    expect(targets).toEqual(expect.arrayContaining(['nsis', 'portable']));
    expect(config.nsis.oneClick).toBe(false);
    expect(config.nsis.perMachine).toBe(false);
    expect(config.nsis.allowElevation).toBe(true);
    expect(config.nsis.deleteAppDataOnUninstall).toBe(false);
    // The portable exe unpacks to a folder of its own per launch, never to the build's one fixed
    // folder that each launch deletes first (portable.nsi: RMDir /r $INSTDIR): electron-builder
    // defines UNPACK_DIR_NAME for a string or a false value, and leaves $PLUGINSDIR for true.
    expect(config.portable.unpackDirName).toBe(true);
  });

  it('the installer registers the link protocol and the uninstaller removes it (electron-builder\'s protocols are macOS-only)', () => {
    expect(config.protocols).toEqual([expect.objectContaining({ schemes: [PROTOCOL] })]);
    expect(config.nsis.include).toBe('build/installer.nsh');
    const nsh = readFileSync(join(root, config.nsis.include), 'utf8');
    const key = `Software\\Classes\\${PROTOCOL}`;
    const install = /!macro customInstall\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    // A URL protocol as Windows reads one: the "URL Protocol" value, and the open command that
    // Electron's setAsDefaultProtocolClient writes for an installed app: "<exe>" "%1".
    expect(install).toContain(`WriteRegStr SHCTX "${key}" "URL Protocol" ""`);
    expect(install).toContain(`WriteRegStr SHCTX "${key}\\shell\\open\\command" "" '"$INSTDIR\\\${APP_EXECUTABLE_FILENAME}" "%1"'`);
    const uninstall = /!macro customUnInstall\n([\s\S]*?)!macroend/.exec(nsh)?.[1] ?? '';
    expect(uninstall).toContain(`DeleteRegKey SHCTX "${key}"`);
    expect(uninstall).toMatch(/\$\{ifNot\} \$\{isUpdated\}/);
  });

  it('puts the version (and arch) in every artifact name', () => {
    for (const section of ['nsis', 'portable', 'mac', 'linux']) {
      expect(config[section].artifactName, section).toMatch(/\$\{version\}/);
      expect(config[section].artifactName, section).toMatch(/\$\{arch\}/);
    }
    expect(config.nsis.artifactName).not.toBe(config.portable.artifactName);
  });

  it('signs only with certificates from environment variables, never from the file', () => {
    expect(config.forceCodeSigning).toBe(false);
    const win = config.win;
    for (const forbidden of ['certificateFile', 'certificatePassword', 'cscLink', 'cscKeyPassword']) {
      expect(win[forbidden], forbidden).toBeUndefined();
      expect(win.signtoolOptions?.[forbidden], forbidden).toBeUndefined();
    }
    expect(configText).toMatch(/WIN_CSC_LINK/);
    expect(configText).toMatch(/WIN_CSC_KEY_PASSWORD/);
    expect(win.signtoolOptions.signingHashAlgorithms).toEqual(['sha256']);
  });

  it('names no publisher: electron-builder takes it from the signing certificate', () => {
    // A fixed publisherName goes into app-update.yml, and electron-updater then rejects every update
    // not signed with exactly that name (ERR_UPDATER_INVALID_SIGNATURE): all unsigned builds.
    const publisherNames = (node: unknown, path: string): string[] =>
      node && typeof node === 'object'
        ? Object.entries(node as Record<string, unknown>).flatMap(([k, v]) => (k === 'publisherName' ? [path + k] : publisherNames(v, `${path}${k}.`)))
        : [];
    expect(publisherNames(config, '')).toEqual([]);
  });

  it('packs only the built output and ships the icons the app reads at run time', () => {
    expect(config.files).toEqual(expect.arrayContaining(['out/**/*', 'package.json', '!out/**/*.map', '!node_modules/**/*']));
    expect(config.files.filter((f: string) => !f.startsWith('!')).every((f: string) => f === 'package.json' || f.startsWith('out/'))).toBe(true);
    expect(config.npmRebuild).toBe(false);
    const resources = config.extraResources.map((r: { from: string; to: string }) => `${r.from} -> ${r.to}`);
    expect(resources).toEqual(expect.arrayContaining(['build/icons/tray -> icons/tray', 'build/icons/badge -> icons/badge', 'build/icons/app.png -> icons/app.png']));
  });

  it('configures macOS and Linux as secondary targets', () => {
    expect(config.mac.target[0].target).toBe('dmg');
    expect(config.linux.target[0].target).toBe('AppImage');
    expect(existsSync(join(root, config.mac.icon))).toBe(true);
  });
});

describe('Electron fuses', () => {
  it('switches off running as Node, NODE_OPTIONS and the inspector; loads the app only from app.asar; encrypts cookies', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
    });
    // Never for every target at once: Linux packages carry no integrity data.
    expect(config.electronFuses.enableEmbeddedAsarIntegrityValidation).toBeUndefined();
  });

  describe('ASAR integrity, only where electron-builder writes the data (build/after-pack.cjs)', () => {
    const hook = createRequire(import.meta.url)(join(root, 'build', 'after-pack.cjs')) as {
      afterPack(context: unknown): Promise<void>;
    };
    const pack = async (electronPlatformName: string, overrides: Record<string, unknown> = {}) => {
      const flipped: unknown[] = [];
      const packager = {
        config: { ...config, ...overrides },
        generateFuseConfig: async (fuses: Record<string, unknown>) => ({ generated: fuses }),
        addElectronFuses: async (_context: unknown, fuses: unknown) => {
          flipped.push(fuses);
        },
      };
      await hook.afterPack({ electronPlatformName, packager, appOutDir: '/out', arch: 1, targets: [] });
      return flipped;
    };

    it('is the configured afterPack hook', () => {
      expect(config.afterPack).toBe('./build/after-pack.cjs');
    });

    it('switches integrity validation on for Windows and macOS', async () => {
      expect(await pack('win32')).toEqual([{ generated: { enableEmbeddedAsarIntegrityValidation: true, resetAdHocDarwinSignature: false } }]);
      expect(await pack('darwin')).toEqual([{ generated: { enableEmbeddedAsarIntegrityValidation: true, resetAdHocDarwinSignature: true } }]);
    });

    it('leaves it off where no integrity data is written: Linux, no asar, integrity disabled, fuses off', async () => {
      expect(await pack('linux')).toEqual([]);
      expect(await pack('win32', { asar: false })).toEqual([]);
      expect(await pack('win32', { disableAsarIntegrity: true })).toEqual([]);
      expect(await pack('win32', { electronFuses: null })).toEqual([]);
    });
  });
});

describe('icons', () => {
  it('icon.ico holds every Windows size as a valid PNG image', () => {
    const ico = readFileSync(join(root, 'build', 'icons', 'icon.ico'));
    expect(ico.readUInt16LE(0)).toBe(0);
    expect(ico.readUInt16LE(2)).toBe(1);
    const count = ico.readUInt16LE(4);
    expect(count).toBe(ICO_SIZES.length);
    const sizes: number[] = [];
    for (let i = 0; i < count; i++) {
      const e = 6 + i * 16;
      const declared = ico[e] === 0 ? 256 : ico[e];
      const len = ico.readUInt32LE(e + 8);
      const at = ico.readUInt32LE(e + 12);
      expect(at + len).toBeLessThanOrEqual(ico.length);
      const png = pngSize(ico.subarray(at, at + len));
      expect(png.width).toBe(declared);
      expect(png.height).toBe(declared);
      sizes.push(declared);
    }
    expect(sizes).toEqual([...ICO_SIZES]);
    expect(sizes).toContain(256);
  });

  it('has a tray icon for each state in light and dark, at 16 px and @2x', () => {
    for (const state of TRAY_STATES) {
      for (const theme of ['light', 'dark']) {
        expect(pngSize(readFileSync(join(root, 'build', 'icons', 'tray', `${state}-${theme}.png`)))).toMatchObject({ width: 16, height: 16, colorType: 6 });
        expect(pngSize(readFileSync(join(root, 'build', 'icons', 'tray', `${state}-${theme}@2x.png`)))).toMatchObject({ width: 32, height: 32 });
      }
    }
    // The states must look different from one another.
    const bytes = TRAY_STATES.map((s) => readFileSync(join(root, 'build', 'icons', 'tray', `${s}-light.png`)).toString('base64'));
    expect(new Set(bytes).size).toBe(TRAY_STATES.length);
  });

  it('has the overlay badges and the app images', () => {
    for (const b of BADGES) expect(pngSize(readFileSync(join(root, 'build', 'icons', 'badge', `${b === '9+' ? '9plus' : b}.png`))).width).toBe(32);
    expect(pngSize(readFileSync(join(root, 'build', 'icons', 'icon.png'))).width).toBe(512);
    expect(pngSize(readFileSync(join(root, 'build', 'icons', 'app.png'))).width).toBe(256);
  });
});
