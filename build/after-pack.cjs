/**
 * electron-builder afterPack hook: switches on the EnableEmbeddedAsarIntegrityValidation fuse for
 * the targets where electron-builder 26 embeds the hash of app.asar's header in the package
 * (Windows: the ELECTRONASAR resource of the .exe; macOS: ElectronAsarIntegrity in Info.plist).
 * Electron stops a binary that has the fuse on but no hash at start, so nothing is flipped for
 * Linux, for a build without app.asar, with integrity data switched off (disableAsarIntegrity), or
 * when the fuses are switched off altogether (electronFuses: null). The other fuses come from
 * `electronFuses` in electron-builder.yml, flipped by electron-builder right after this hook and
 * before signing.
 */
'use strict';

/** The platforms electron-builder writes ASAR integrity data for. */
const INTEGRITY_PLATFORMS = ['win32', 'darwin'];

/** Whether the package built in this context carries the integrity data the fuse checks. */
function integrityWritten(context) {
  const config = context.packager.config;
  if (config.electronFuses == null) return false;
  if (config.asar === false || config.disableAsarIntegrity === true) return false;
  return INTEGRITY_PLATFORMS.includes(context.electronPlatformName);
}

async function afterPack(context) {
  if (!integrityWritten(context)) return;
  const fuses = await context.packager.generateFuseConfig({
    enableEmbeddedAsarIntegrityValidation: true,
    resetAdHocDarwinSignature: context.electronPlatformName === 'darwin',
  });
  await context.packager.addElectronFuses(context, fuses);
}

module.exports = { afterPack, integrityWritten, INTEGRITY_PLATFORMS };
