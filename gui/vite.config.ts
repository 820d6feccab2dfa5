import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import { slimGemoji } from './slim-gemoji'

// The web app (docs/web.md): built into dist/, which the server serves at `/`. Hashed files go
// to dist/assets/ (cached as immutable); nothing is inlined into index.html, so the page's
// Content-Security-Policy can forbid inline script.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  esbuild: { jsx: 'automatic' },
  plugins: [slimGemoji()],
  // The repository's root holds another React (a test tool's); the app and its libraries use gui's one.
  resolve: { dedupe: ['react', 'react-dom'] },
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
