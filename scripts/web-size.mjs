#!/usr/bin/env node
// `npm run bench:web`: what a browser downloads to start the web app (the app shell): the
// scripts and styles index.html loads, and the chunk of the browser's client that the page
// starts loading at once (gui/src/backend/start.ts), raw and gzipped, against the budget of
// docs/web.md. The chunks loaded when a screen is first shown are reported beside it and do not
// count against the budget.
import { readFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'

const BUDGET_JS_KIB = 250
const dist = new URL('../gui/dist/', import.meta.url)
const html = await readFile(new URL('index.html', dist), 'utf8').catch(() => {
  console.error('gui/dist/index.html is missing: build the web app first (npm run build -w gui).')
  process.exit(1)
})
const named = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(js|css))"/g)].map((m) => m[1])
// The build's manifest (vite.config.ts): a module's chunk, and the chunks that chunk imports.
const manifest = JSON.parse(await readFile(new URL('.vite/manifest.json', dist), 'utf8'))
const withImports = (key, into) => {
  const chunk = manifest[key]
  if (!chunk || into.has(chunk.file)) return into
  into.add(chunk.file)
  for (const css of chunk.css ?? []) into.add(css)
  for (const k of chunk.imports ?? []) withImports(k, into)
  return into
}
const atStart = [...withImports('src/backend/browser-backend.ts', new Set())]
const files = [...new Set([...named, ...atStart])].map((path) => ({ path, kind: path.endsWith('.css') ? 'css' : 'js' }))
const rows = []
for (const f of files) {
  const bytes = await readFile(new URL(f.path, dist))
  rows.push({ ...f, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length })
}
const kib = (n) => (n / 1024).toFixed(1)
const total = (kind) => rows.filter((r) => r.kind === kind).reduce((s, r) => s + r.gzip, 0)
for (const r of rows) console.log(`${r.path.padEnd(40)} ${kib(r.raw).padStart(8)} KiB raw ${kib(r.gzip).padStart(8)} KiB gzipped`)
const js = total('js')
console.log(`app shell JavaScript: ${kib(js)} KiB gzipped (budget ${BUDGET_JS_KIB} KiB); CSS ${kib(total('css'))} KiB gzipped`)
const later = [...new Set(Object.values(manifest).flatMap((c) => [c.file, ...(c.css ?? [])]))].filter((path) => !files.some((f) => f.path === path))
let laterGzip = 0
for (const path of later) laterGzip += gzipSync(await readFile(new URL(path, dist)), { level: 9 }).length
console.log(`loaded when first shown: ${later.length} files, ${kib(laterGzip)} KiB gzipped`)
if (process.argv.includes('--json')) console.log(JSON.stringify({ jsGzipBytes: js, cssGzipBytes: total('css'), laterGzipBytes: laterGzip, files: rows }))
process.exit(js > BUDGET_JS_KIB * 1024 ? 1 : 0)
