import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

export default defineConfig({
  plugins: [preact()],
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    // Browser (Chromium) tests live in test/e2e and run in the same `vitest run`.
    environment: 'node',
    testTimeout: 20_000,
    // expect.poll waits on a real condition; its deadline is just under the test's own timeout (the
    // default 1 s is a guess about how fast a loaded machine draws a page or saves a file).
    expect: { poll: { timeout: 15_000 } },
    hookTimeout: 30_000,
    pool: 'forks',
    server: { deps: { inline: ['electron-store'] } },
    reporters: ['default'],
  },
});
