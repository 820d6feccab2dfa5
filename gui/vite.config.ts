import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import { patchedDependencies } from './patched-dependencies'
import { slimGemoji } from './slim-gemoji'

/**
 * `shell.json`: every file of the build under assets/, for the service worker to cache with
 * index.html (public/sw.js): the chunks loaded when a screen is first shown are not named in
 * index.html, and the offline app must have them too.
 */
function shellList(): Plugin {
  return {
    name: 'ocomms-shell-list',
    generateBundle(_options, bundle) {
      const files = Object.keys(bundle).filter((name) => name.startsWith('assets/')).map((name) => `/${name}`)
      this.emitFile({ type: 'asset', fileName: 'shell.json', source: JSON.stringify(files.sort()) })
    },
  }
}

// The web app (docs/web.md): built into dist/, which the server serves at `/`. Hashed files go
// to dist/assets/ (cached as immutable); nothing is inlined into index.html, so the page's
// Content-Security-Policy can forbid inline script.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  esbuild: { jsx: 'automatic' },
  plugins: [patchedDependencies(), slimGemoji(), shellList()],
  // The app is written to React's API and runs on Preact's implementation of it (preact/compat),
  // its libraries (react-virtuoso) too: about 170 KiB less of the first screen's script, and the
  // desktop window's first messages about 50 ms sooner (docs/performance.md). Types come from preact/compat as well
  // (tsconfig.json's paths), so the app cannot use what Preact does not have. The repository's
  // root holds a React of its own (the terminal UI's); nothing here resolves to it.
  resolve: {
    alias: [
      { find: /^react(-dom)?$/, replacement: 'preact/compat' },
      { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
      { find: /^react\/jsx(-dev)?-runtime$/, replacement: 'preact/jsx-runtime' },
    ],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    // dist/.vite/manifest.json: which chunk holds which module (scripts/web-size.mjs); never served.
    manifest: true,
    chunkSizeWarningLimit: 1024,
    rollupOptions: {
      output: {
        // The DND rule and the time-zone library under it (a tenth of the first screen's script)
        // are used only once a notification arrives (chat/notifications.ts loads them then). The
        // rule is also reachable from the shared package's index, which the first screen
        // imports, so without a chunk of their own they would be put in the first screen's.
        manualChunks: (id) => (/\/node_modules\/luxon\/|\/shared\/(dist|src)\/attention\/(dnd-state|notification-hold)\./.test(id) ? 'dnd-rule' : undefined),
      },
    },
  },
})
