import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import preact from '@preact/preset-vite';
import type { Plugin } from 'vite';

/**
 * The queue window's entry opens the app connection first and imports the rest of the window
 * (renderer/src/start.tsx) afterwards; this lists that chunk and its imports in index.html as
 * modulepreload links, so that the browser fetches and compiles them while the entry runs rather
 * than only once it asks for them.
 */
function preloadWindowCode(): Plugin {
  return {
    name: 'pqm-preload-window-code',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return [];
        const start = Object.values(bundle).find((c) => c.type === 'chunk' && c.facadeModuleId?.endsWith('/renderer/src/start.tsx'));
        if (!start || start.type !== 'chunk') throw new Error('The window chunk (renderer/src/start.tsx) is missing from the renderer build.');
        const files = new Set<string>();
        const visit = (fileName: string): void => {
          const chunk = bundle[fileName];
          if (!chunk || chunk.type !== 'chunk' || files.has(fileName)) return;
          files.add(fileName);
          chunk.imports.forEach(visit);
        };
        visit(start.fileName);
        return [...files].filter((f) => !html.includes(`/${f}"`)).map((f) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${f}` }, injectTo: 'head' as const }));
      },
    },
  };
}

/** The modules `root` imports statically, itself and all that they import in turn. */
function staticClosure(root: string, getModuleInfo: (id: string) => { importedIds: readonly string[] } | null): Set<string> {
  const seen = new Set<string>();
  const todo = [root];
  while (todo.length) {
    const id = todo.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const dep of getModuleInfo(id)?.importedIds ?? []) todo.push(dep);
  }
  return seen;
}

/**
 * The window's chunks on the way to its first rows: two files, fetched at once.
 * - `index`: the entry (main.tsx) with everything it imports. It needs no other file to run, so the
 *   socket opens as soon as this one file has arrived, not after the modules it shares with the rest
 *   (wire, formats, the request helper) have each been fetched over the few connections a browser
 *   opens to one host.
 * - `window`: the rest of the window (start.tsx, Preact, the store, the grid) as one file.
 * The panels and views loaded later keep chunks of their own. The entry must not wait on the window
 * chunk at its top level (main.tsx): that chunk imports the entry's, so the two would wait on each
 * other.
 */
export function windowChunk(id: string, api: { getModuleInfo(id: string): { importedIds: readonly string[] } | null }): string | undefined {
  const info = (m: string) => api.getModuleInfo(m);
  if (staticClosure(resolve(__dirname, 'renderer/src/main.tsx'), info).has(id)) return 'index';
  if (staticClosure(resolve(__dirname, 'renderer/src/start.tsx'), info).has(id)) return 'window';
  return undefined;
}

/** `vendor-<package>` for a module of node_modules (the innermost package), nothing for the app's own code. */
export function vendorChunk(id: string): string | undefined {
  const at = id.lastIndexOf('/node_modules/');
  if (at < 0) return undefined;
  const parts = id.slice(at + '/node_modules/'.length).split('/');
  const name = parts[0].startsWith('@') ? `${parts[0].slice(1)}-${parts[1]}` : parts[0];
  return `vendor-${name.replace(/[^a-zA-Z0-9._-]/g, '_')}`;
}

// Three bundles: the Electron main process (plus the `pqm` CLI, which shares its plain-TypeScript
// core), the sandboxed preload (CommonJS, as Electron requires for sandboxed
// preloads), and the Preact renderer.
export default defineConfig({
  main: {
    build: {
      // The main process's dependencies are bundled into out/main (only what is used, no sources,
      // maps or type files), so the package ships no node_modules: a small app.asar.
      externalizeDeps: false,
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'main/index.ts'),
          cli: resolve(__dirname, 'main/cli/pqm.ts'),
        },
        // The bundled dependencies in chunks of their own, one per package: the app's code stays in
        // files of its own (what the Electron security scan reads), and each process loads only the
        // packages it imports — the pqm CLI never parses electron-updater, electron-store and what
        // they bring (ajv, js-yaml, fs-extra...), which the app alone uses.
        output: { manualChunks: vendorChunk },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve(__dirname, 'preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'renderer'),
    plugins: [preact(), preloadWindowCode()],
    build: {
      outDir: 'out/renderer',
      // Less to fetch and compile on the way to the window's first rows.
      minify: true,
      // The window's chunks are listed in index.html by preloadWindowCode, not by a runtime helper.
      modulePreload: false,
      rollupOptions: { input: { index: resolve(__dirname, 'renderer/index.html') }, output: { manualChunks: windowChunk } },
    },
  },
});
