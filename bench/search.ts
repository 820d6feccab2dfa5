/**
 * Search benchmark (not a test): loads N messages (default 1,000,000) into a fresh database,
 * then measures the `search` operation over the socket, as the daemon calls it, while other
 * members keep posting through `message.send`.
 *
 *   npm run bench:search                          # 1,000,000 messages, embedded PostgreSQL
 *   DATABASE_URL=postgres://... npm run bench:search -- --messages 200000 --queries 100
 *   ... -- --keep                                 # keep the database afterwards (its name is printed)
 *   ... -- --database ocomms_bench_xxxx           # measure again on a kept database, without loading
 *
 * Words follow a Zipf-like law over a 20,000-word vocabulary (word k drawn with probability
 * about 1/k), so the most common words are in about half of all messages and the rarest in a
 * few dozen: "common" queries use ranks 1-10, "selective" ones ranks 8,000-20,000.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { parseArgs } from 'node:util'
import { callHttp, callSocket, type CallInput, type CallOutput, type OperationName } from '@ocomms/shared'
import { build, loadConfig, startEmbeddedDatabase } from '@ocomms/server'
import { pino } from 'pino'
import postgres from 'postgres'
import { io } from 'socket.io-client'

const { values: args } = parseArgs({
  options: {
    messages: { type: 'string', default: '1000000' },
    queries: { type: 'string', default: '200' },
    'write-rate': { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
    /** Reuse a database kept by an earlier run (--keep) instead of loading a new one. */
    database: { type: 'string' },
  },
})
const N = Number(args.messages)
const QUERIES = Number(args.queries)
const WRITE_RATE = Number(args['write-rate'])
const VOCABULARY = 20_000
const USERS = 30
const PUBLIC_CHANNELS = 80
const PRIVATE_CHANNELS = 20

const log = (line: string) => process.stderr.write(`${line}\n`)
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`

/** Deterministic pronounceable words: no stop words, no collisions after stemming worth caring about. */
function vocabulary(size: number): string[] {
  const onsets = ['b', 'd', 'f', 'g', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'br', 'tr', 'st', 'pl', 'gr', 'sk']
  const vowels = ['a', 'e', 'i', 'o', 'u']
  const syllables = onsets.flatMap((o) => vowels.map((v) => o + v))
  const words = new Set<string>()
  // mulberry32: a small seeded generator, so every run uses the same vocabulary.
  let seed = 42
  const rnd = () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  while (words.size < size) {
    const n = 2 + Math.floor(rnd() * 2)
    let w = ''
    for (let i = 0; i < n; i++) w += syllables[Math.floor(rnd() * syllables.length)]
    words.add(`${w}n`)
  }
  return [...words]
}

/** Zipf-like rank in [1, V]: log-uniform, so P(k) ~ 1/k. */
const zipfRank = () => Math.floor(Math.exp(Math.random() * Math.log(VOCABULARY))) || 1

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}

async function main() {
  const words = vocabulary(VOCABULARY)
  let adminUrl = process.env.DATABASE_URL
  let stopEmbedded = async () => {}
  if (!adminUrl) {
    const dir = await mkdtemp(join(tmpdir(), 'ocomms-bench-pg-'))
    log(`embedded PostgreSQL in ${dir}`)
    const db = await startEmbeddedDatabase(dir)
    adminUrl = db.url
    stopEmbedded = async () => {
      await db.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
  const reuse = args.database
  const dbName = reuse ?? `ocomms_bench_${randomBytes(4).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  if (!reuse) await admin.unsafe(`create database ${dbName}`)
  const url = new URL(adminUrl)
  url.pathname = `/${dbName}`
  const databaseUrl = url.toString()
  log(`database ${dbName}`)

  const config = loadConfig({}, { host: '127.0.0.1', port: 0, dataDir: tmpdir(), databaseUrl, logLevel: 'warn' })
  config.throttle.signupPerAddress = 10_000
  // One searcher asks one query after another to measure each: not a person's pace, so no rate limit.
  config.admission.rates.search = { count: 0, seconds: 0 }
  config.admission.rates.send = { count: 0, seconds: 0 }
  const { app } = await build({ config, databaseUrl, logger: pino({ level: 'warn' }) })
  await app.listen({ host: '127.0.0.1', port: 0 })
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`
  const sql = postgres(databaseUrl, { max: 4, onnotice: () => {} })
  const call = <K extends OperationName>(name: K, input: CallInput<K>, token: string) => callHttp(base, name, input, { token })

  try {
    const users: Array<{ id: string; token: string }> = []
    const conversations: string[] = []
    let ws: { id: string }
    if (!reuse) {
      // People, workspace and channels through the real operations.
      let t0 = performance.now()
      for (let i = 0; i < USERS; i++) {
        const r = await callHttp(base, 'auth.signup', { email: `u${i}@bench.test`, password: 'bench password 123', name: `User ${i}`, handle: `user${i}` }, {})
        users.push({ id: r.user.id, token: r.token })
      }
      const owner = users[0]!
      ws = await call('workspace.create', { name: 'Bench' }, owner.token)
      for (const u of users.slice(1)) {
        const invite = await call('invite.create', { workspaceId: ws.id, role: 'member' }, owner.token)
        await call('invite.accept', { code: invite.code }, u.token)
      }
      for (let i = 0; i < PUBLIC_CHANNELS + PRIVATE_CHANNELS; i++) {
        const c = await call('channel.create', { workspaceId: ws.id, name: `chan-${i}`, private: i >= PUBLIC_CHANNELS }, users[i % USERS]!.token)
        conversations.push(c.id)
      }
      // Everyone in every channel, so anyone can post anywhere.
      await sql`insert into conversation_members (conversation_id, user_id)
                select c, u from unnest(${conversations}::uuid[]) c, unnest(${users.map((u) => u.id)}::uuid[]) u on conflict do nothing`
      // The searcher (user0) leaves some private channels: their messages must stay out of results.
      await sql`delete from conversation_members where user_id = ${owner.id} and conversation_id = any (${conversations.slice(PUBLIC_CHANNELS + PRIVATE_CHANNELS / 2)}::uuid[])`
      log(`people and channels: ${seconds(t0)}`)

      // Bulk load: indexes dropped and rebuilt afterwards, which is much faster than maintaining them per row.
      t0 = performance.now()
      const indexes = await sql<{ name: string; def: string }[]>`
        select i.relname as name, pg_get_indexdef(i.oid) as def
          from pg_index x join pg_class i on i.oid = x.indexrelid
         where x.indrelid = 'messages'::regclass and not x.indisprimary and not x.indisunique`
      for (const i of indexes) await sql.unsafe(`drop index ${i.name}`)
      // COPY from a stream: rows are generated here, PostgreSQL computes the search columns.
      const authorIds = users.map((u) => u.id)
      const copy = await sql`copy messages (conversation_id, seq, author_id, text, created_at) from stdin`.writable()
      const started = Date.now()
      const rows = Readable.from((function* () {
        let chunk = ''
        for (let g = 0; g < N; g++) {
          const text = Array.from({ length: 4 + ((g * 13) % 17) }, () => words[zipfRank() - 1]).join(' ')
          const at = new Date(started - (N - g) * 30_000).toISOString()
          chunk += `${conversations[g % conversations.length]}\t${Math.floor(g / conversations.length) + 1}\t${authorIds[(g * 7) % authorIds.length]}\t${text}\t${at}\n`
          if ((g + 1) % 1000 === 0 || g === N - 1) {
            yield chunk
            chunk = ''
          }
          if ((g + 1) % 100_000 === 0) log(`  ${g + 1} messages (${seconds(t0)})`)
        }
      })())
      await pipeline(rows, copy)
      await sql`update conversations c set last_seq = m.seq, first_retained_seq = 1
                  from (select conversation_id, max(seq) as seq from messages group by 1) m where m.conversation_id = c.id`
      await sql`set maintenance_work_mem = '256MB'`
      for (const i of indexes) await sql.unsafe(i.def)
      await sql`vacuum analyze`
      const [{ size }] = await sql<{ size: string }[]>`select pg_size_pretty(pg_total_relation_size('messages')) as size`
      log(`loaded ${N} messages in ${seconds(t0)} (messages table with indexes: ${size})`)
    } else {
      for (let i = 0; i < USERS; i++) {
        const r = await callHttp(base, 'auth.login', { email: `u${i}@bench.test`, password: 'bench password 123' }, {})
        users.push({ id: r.user.id, token: r.token })
      }
      ;[ws] = await sql<{ id: string }[]>`select id from workspaces`
      conversations.push(...(await sql<{ id: string }[]>`select id from conversations where name like 'chan-%' order by substr(name, 6)::int`).map((r) => r.id))
      const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from messages`
      log(`reusing ${dbName}: ${n} messages`)
      await sql`analyze`
    }
    const owner = users[0]!
    const freq = await sql<{ w: string; n: number }[]>`
      select w, (select count(*)::int from messages where search_vector @@ plainto_tsquery('english', w)) as n
        from unnest(${[words[0]!, words[9]!, words[9999]!]}::text[]) w`
    for (const f of freq) log(`  "${f.w}" is in ${f.n} messages`)

    // Writers: members keep posting through the real operation while searches run.
    const socketFor = (token: string) => io(base, { transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true })
    const writers = users.slice(1, 6)
    const searcher = socketFor(owner.token)
    await Promise.all([searcher].map((s) => new Promise<void>((resolve, reject) => (s.once('connect', resolve), s.once('connect_error', reject)))))
    let writing = true
    let written = 0
    let writeErrors = 0
    const writer = (async () => {
      while (writing) {
        const started = performance.now()
        const w = writers[written % writers.length]!
        const text = Array.from({ length: 4 + (written % 17) }, () => words[zipfRank() - 1]).join(' ')
        try {
          await call('message.send', { conversationId: conversations[written % PUBLIC_CHANNELS]!, text, clientId: randomUUID() }, w.token)
          written++
        } catch (err) {
          writeErrors++
          if (writeErrors === 1) log(`a send failed: ${String(err)}`)
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 / WRITE_RATE - (performance.now() - started))))
      }
    })()

    // Over the socket, as the daemon calls it; should the socket drop, the rest go over REST.
    let viaSocket = true
    searcher.on('disconnect', (reason) => {
      viaSocket = false
      log(`search socket disconnected (${reason}); continuing over REST`)
    })
    const search = async (input: Omit<CallInput<'search'>, 'workspaceId'>): Promise<CallOutput<'search'>> =>
      viaSocket
        ? ((await callSocket(searcher.timeout(30_000), 'search', { workspaceId: ws.id, ...input })) as CallOutput<'search'>)
        : call('search', { workspaceId: ws.id, ...input }, owner.token)
    const pick = (lo: number, hi: number) => words[lo - 1 + Math.floor(Math.random() * (hi - lo + 1))]!
    const classes: Array<{ name: string; query: () => Omit<CallInput<'search'>, 'workspaceId'>; target?: number }> = [
      { name: 'selective word', query: () => ({ query: pick(8000, 20000) }), target: 50 },
      { name: 'common word', query: () => ({ query: pick(1, 10) }), target: 200 },
      { name: 'two common words', query: () => ({ query: `${pick(1, 10)} ${pick(11, 50)}` }) },
      { name: 'common word, by relevance', query: () => ({ query: pick(1, 10), sort: 'relevance' }) },
      { name: 'selective word in:#chan-1', query: () => ({ query: `${pick(2000, 20000)} in:#chan-1` }) },
      { name: 'from:@user3 common word', query: () => ({ query: `from:@user3 ${pick(1, 10)}` }) },
    ]
    await search({ query: 'warmup' })
    const results: Array<{ name: string; p50: number; p95: number; max: number; target?: number; hits: number }> = []
    for (const c of classes) {
      const times: number[] = []
      let hits = 0
      for (let i = 0; i < QUERIES; i++) {
        const t = performance.now()
        const r = await search(c.query())
        times.push(performance.now() - t)
        hits += r.messages.length
      }
      times.sort((a, b) => a - b)
      results.push({ name: c.name, p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1]!, target: c.target, hits: hits / QUERIES })
      log(`  ${c.name}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms`)
    }
    writing = false
    await writer
    searcher.off('disconnect')
    searcher.close()

    // The shape of the server's message query (server/src/search/messages.ts), for its plan.
    const [{ ids }] = await sql<{ ids: string }[]>`
      select array_agg(id)::text as ids from (
        select c.id from conversations c where c.workspace_id = ${ws.id} and c.kind = 'public'
        union all
        select c.id from conversations c join conversation_members cm on cm.conversation_id = c.id and cm.user_id = ${owner.id}
         where c.workspace_id = ${ws.id} and c.kind <> 'public') r`
    const explain = async (word: string) =>
      (await sql.unsafe(`
        explain (analyze, buffers, costs off)
        select m.id, m.created_at from messages m
         where m.conversation_id = any ('${ids}'::uuid[]) and m.deleted_at is null
           and m.search_vector @@ plainto_tsquery('english', '${word}')
         order by m.created_at desc, m.id desc limit 21`)).map((r) => (r as Record<string, string>)['QUERY PLAN']).join('\n')
    const [{ total }] = await sql<{ total: number }[]>`select count(*)::int as total from messages`
    console.log(`\n## Search benchmark: ${total.toLocaleString('en')} messages, ${written} sent during the run (target ${WRITE_RATE}/s, ${writeErrors} failed), ${QUERIES} queries per row\n`)
    console.log('| query | p50 ms | p95 ms | max ms | target p95 | hits/page |')
    console.log('|---|---|---|---|---|---|')
    for (const r of results) {
      const verdict = r.target === undefined ? '' : `≤ ${r.target} ms ${r.p95 <= r.target ? 'met' : 'MISSED'}`
      console.log(`| ${r.name} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${verdict} | ${r.hits.toFixed(1)} |`)
    }
    console.log(`\nPlan, selective word:\n\n${await explain(words[14999]!)}\n\nPlan, common word:\n\n${await explain(words[0]!)}`)
  } finally {
    await sql.end()
    await app.close()
    if (!args.keep && !reuse) await admin.unsafe(`drop database if exists ${dbName} with (force)`)
    else log(`kept database ${dbName}`)
    await admin.end()
    await stopEmbedded()
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err)
    process.exit(1)
  },
)
