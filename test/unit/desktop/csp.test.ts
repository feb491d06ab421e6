/**
 * The app's Content-Security-Policy allows exactly one inline script, the one the window's page
 * carries (renderer/index.html), by its SHA-256. The hash must be that of the script as written, to
 * the byte: otherwise the browser refuses the script and the page starts slower, saying nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EARLY_SOCKET_SCRIPT_HASH, appContentSecurityPolicy } from '../../../main/desktop/csp';
import { hashSource, inlineScripts } from '../../helpers/inline-scripts';

describe('content security policy', () => {
  it("allows the page's one inline script by its hash, and no other inline script", () => {
    const page = readFileSync(join(__dirname, '../../../renderer/index.html'), 'utf8');
    const scripts = inlineScripts(page);
    expect(scripts).toHaveLength(1);
    expect(hashSource(scripts[0]!)).toBe(EARLY_SOCKET_SCRIPT_HASH);
    const scriptSrc = appContentSecurityPolicy()
      .split(';')
      .map((d) => d.trim())
      .find((d) => d.startsWith('script-src '));
    expect(scriptSrc).toBe(`script-src 'self' ${EARLY_SOCKET_SCRIPT_HASH}`);
    expect(scriptSrc).not.toContain('unsafe-inline');
  });
});
