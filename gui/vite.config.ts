import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

// The web app (docs/web.md): built into dist/, which the server serves at `/`. Hashed files go
// to dist/assets/ (cached as immutable); nothing is inlined into index.html, so the page's
// Content-Security-Policy can forbid inline script.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    chunkSizeWarningLimit: 1024,
  },
})
