import { readFile } from 'node:fs/promises'
import { join, relative } from 'node:path'
import t from 'tap'
import { sourceFiles } from './helpers/source-files.js'

// Every event is stored by the one writer, src/events/store.ts (Change calls it and publishes
// after commit; an import calls it and publishes nothing). A second statement inserting events,
// or raising a stream's last_seq to store one under, would decide seqs and columns on its own,
// and the two would drift: a gap or a duplicate in a stream is a client that never catches up.
const src = new URL('../src/', import.meta.url).pathname
const writers = new Map([
  [/insert\s+into\s+events\b/i, ['events/store.ts']],
  [/last_seq\s*=\s*\w*\.?last_seq\s*\+/i, ['events/store.ts', 'events/transaction.ts']],
])

t.test('events are inserted, and stream seqs taken, only by the event writer', async (t) => {
  const found: string[] = []
  for (const file of await sourceFiles(src)) {
    const name = relative(src, file)
    const text = await readFile(file, 'utf8')
    for (const [re, allowed] of writers) {
      if (allowed.includes(name)) continue
      text.split('\n').forEach((line, i) => {
        if (re.test(line)) found.push(`${name}:${i + 1}: ${line.trim()}`)
      })
    }
  }
  t.same(found, [], 'store events through Change (src/events/transaction.ts) or src/events/store.ts')
  const store = await readFile(join(src, 'events/store.ts'), 'utf8')
  t.match(store, /insert into events/, 'the writer itself is there')
})
