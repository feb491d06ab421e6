/**
 * Launching Debian's Chromium for the benchmark (the same flags the browser tests use; playwright
 * gives each launch a fresh, empty profile).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export function chromiumPath(): string {
  const candidates = [process.env.PQM_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean) as string[];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error('Chromium was not found: install Debian\'s chromium (apt-get install chromium) or set PQM_CHROMIUM to its path.');
  return found;
}

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/** How the renderer figures time a frame: said in each one's method. */
export const FRAME_DRAWN = "a frame counted once drawn: at the end of its style, layout and paint on the page's main thread (a message posted from its animation-frame callback, which runs only after that rendering)";

/**
 * Page-side script (for an init script) defining `afterFrame(f)`: called from an animation-frame
 * callback, it calls `f(performance.now())` once that frame is drawn (FRAME_DRAWN). The callback runs
 * at the start of the frame's rendering; a message it posts is a task of its own, which runs only
 * once the frame's rendering task (style, layout, paint) has ended.
 */
export const AFTER_FRAME_SCRIPT = `
  const afterFrame = (f) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      f(performance.now());
    };
    ch.port2.postMessage(null);
  };
`;
