/**
 * The window's Content-Security-Policy forbids eval (main/desktop/csp.ts). zod, which the panels
 * bring, is told so before any of its schemas is made (panels.ts imports this first): otherwise it
 * finds out by trying, which the browser reports as a policy violation each time the window starts.
 * It validates the same, without compiled parsers.
 */
import { config } from 'zod';

config({ jitless: true });
