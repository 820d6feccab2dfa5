#!/usr/bin/env node
// `npm run docs`: regenerates the parts of docs/daemon-api.md and docs/cli.md that come from
// the declarations (daemon methods in shared/, commands in cli/). `--check` only compares.
import { readFile, writeFile } from 'node:fs/promises'
import { renderMethods, withGenerated, METHODS_START, METHODS_END } from '../daemon/dist/api-doc.js'
import { renderCliReference, CLI_START, CLI_END } from '../cli/dist/index.js'

const check = process.argv.includes('--check')
const targets = [
  ['docs/daemon-api.md', METHODS_START, METHODS_END, renderMethods()],
  ['docs/cli.md', CLI_START, CLI_END, renderCliReference()],
]
let stale = false
for (const [file, start, end, body] of targets) {
  const path = new URL(`../${file}`, import.meta.url)
  const doc = await readFile(path, 'utf8')
  const next = withGenerated(doc, start, end, body)
  if (next === doc) continue
  if (check) {
    process.stderr.write(`${file} is out of date: run npm run docs\n`)
    stale = true
  } else {
    await writeFile(path, next)
    process.stderr.write(`updated ${file}\n`)
  }
}
process.exit(stale ? 1 : 0)
