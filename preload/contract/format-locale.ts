/**
 * The locale the window formats dates, times and numbers in on the desktop: the system's regional
 * format (Electron's app.getSystemLocale(), which may be read only after 'ready'; on Windows 11 the
 * "Regional format" of Settings), not the display language that a page's own Intl default follows
 * (app.getLocale()): an English Windows set to the United Kingdom's format shows 03/12/2026, not
 * 12/3/2026. Main hands it to the sandboxed preload as one command-line switch
 * (webPreferences.additionalArguments, which Electron appends to process.argv in the renderer, an
 * argv a sandboxed preload can read); the preload passes it on with the bridge (formatLocale). The
 * browser preview has none: the browser's own locale stands.
 */
export const FORMAT_LOCALE_SWITCH = '--pqm-format-locale=';

/** Long enough for any BCP 47 tag the system names (language, script, region, variants, -u- keys). */
const MAX_TAG = 80;

/** The canonical BCP 47 tag for `tag` (POSIX "en_GB" taken as "en-GB"); null when Intl does not take it. */
export function canonicalLocale(tag: unknown): string | null {
  if (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_TAG || !/^[A-Za-z0-9_-]+$/.test(tag)) return null;
  try {
    return Intl.getCanonicalLocales(tag.replace(/_/g, '-'))[0] ?? null;
  } catch {
    return null;
  }
}

/** The window's additional arguments for a system locale: none when it is not a valid tag. */
export function formatLocaleArguments(systemLocale: unknown): string[] {
  const tag = canonicalLocale(systemLocale);
  return tag ? [`${FORMAT_LOCALE_SWITCH}${tag}`] : [];
}

/** The locale main handed over in the renderer's argv (the last switch counts); undefined without a valid one. */
export function formatLocaleFromArgv(argv: readonly unknown[]): string | undefined {
  for (let i = argv.length - 1; i >= 0; i--) {
    const arg = argv[i];
    if (typeof arg === 'string' && arg.startsWith(FORMAT_LOCALE_SWITCH)) return canonicalLocale(arg.slice(FORMAT_LOCALE_SWITCH.length)) ?? undefined;
  }
  return undefined;
}
