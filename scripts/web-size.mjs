#!/usr/bin/env node
// `npm run bench:web`: what a browser downloads to start the web app (the app shell): the
// scripts and styles index.html loads, raw and gzipped, against the budget of docs/web.md.
import { readFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'

const BUDGET_JS_KIB = 250
const dist = new URL('../gui/dist/', import.meta.url)
const html = await readFile(new URL('index.html', dist), 'utf8').catch(() => {
  console.error('gui/dist/index.html is missing: build the web app first (npm run build -w gui).')
  process.exit(1)
})
const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(js|css))"/g)].map((m) => ({ path: m[1], kind: m[2] }))
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
if (process.argv.includes('--json')) console.log(JSON.stringify({ jsGzipBytes: js, cssGzipBytes: total('css'), files: rows }))
process.exit(js > BUDGET_JS_KIB * 1024 ? 1 : 0)
