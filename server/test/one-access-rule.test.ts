import { readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import t from 'tap'
import { sourceFiles } from './helpers/source-files.js'

// Who may read a conversation is decided by one SQL fragment, `mayRead` in src/access.ts. A
// second copy of the rule (a query that tests `kind = 'public'` or looks up the reader's
// conversation membership on its own) would drift from it, and a read path would leak.
const src = new URL('../src/', import.meta.url).pathname
const copies = [/c\.kind\s*=\s*'public'\s+or/i, /kind\s*<>\s*'public'/i]

t.test('the rule of who may read a conversation is written once, in access.ts', async (t) => {
  const found: string[] = []
  for (const file of await sourceFiles(src)) {
    const name = relative(src, file)
    if (name === 'access.ts') continue
    const text = await readFile(file, 'utf8')
    text.split('\n').forEach((line, i) => {
      if (copies.some((re) => re.test(line))) found.push(`${name}:${i + 1}: ${line.trim()}`)
    })
  }
  t.same(found, [], 'use mayRead() from src/access.ts instead')
  const access = await readFile(join(src, 'access.ts'), 'utf8')
  t.match(access, /export function mayRead/, 'the rule itself is there')
})
