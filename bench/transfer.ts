/**
 * Export and import throughput and peak memory (not a test): fills a workspace with N messages
 * (threads, reactions, edits) straight into a fresh database, then runs the real commands,
 * `ocomms server export` and `ocomms server import` into a second fresh database, each in its own
 * process under /usr/bin/time, and reports messages per second each way and each process's peak
 * resident memory. It runs a fifth of N first: peak memory that does not grow with N is the
 * streaming at work.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:transfer -- --messages 50000
 *   npm run bench:transfer                        # 1,000,000 messages, embedded PostgreSQL
 */
import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { migrate, startEmbeddedDatabase } from '@ocomms/server'
import postgres from 'postgres'

const { values: args } = parseArgs({ options: { messages: { type: 'string', default: '1000000' } } })
const N = Number(args.messages)
const ocomms = fileURLToPath(new URL('../cli/bin/ocomms.js', import.meta.url))
const log = (line: string) => process.stderr.write(`${line}\n`)

function withDatabase(adminUrl: string, name: string): string {
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  return url.toString()
}

/** Fills a fresh database: 20 people, 40 channels, `n` messages (a tenth thread replies, a fifth with a reaction, some edited). */
async function fill(url: string, n: number): Promise<void> {
  await migrate(url)
  const sql = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await sql`insert into users (email, email_normalized, handle, name)
              select 'p' || i || '@bench.test', 'p' || i || '@bench.test', 'p' || i, 'Person ' || i from generate_series(1, 20) i`
    const [ws] = await sql<{ id: string }[]>`insert into workspaces (slug, name) values ('bench', 'Bench') returning id`
    await sql`insert into workspace_members (workspace_id, user_id, role) select ${ws!.id}, id, case when handle = 'p1' then 'owner' else 'member' end from users`
    await sql`insert into conversations (workspace_id, kind, name) select ${ws!.id}, 'public', 'chan-' || i from generate_series(1, 40) i`
    await sql`insert into conversation_members (conversation_id, user_id) select c.id, u.id from conversations c, users u`
    await sql`
      with c as (select id, row_number() over (order by id) - 1 as k from conversations),
           u as (select id, row_number() over (order by id) - 1 as k from users)
      insert into messages (conversation_id, seq, author_id, text, created_at, edited_at)
      select c.id, g / 40 + 1, u.id,
             'message ' || g || ' about ' || md5(g::text) || case when g % 7 = 0 then ' with *bold* and a link https://example.com/' || g else '' end,
             now() - make_interval(secs => ${n} - g), case when g % 50 = 0 then now() end
        from generate_series(0, ${n} - 1) g join c on c.k = g % 40 join u on u.k = (g * 7) % 20`
    // A tenth become replies to the message ten seqs before them in their channel.
    await sql`update messages r set thread_root_id = p.id from messages p
               where r.seq % 10 = 5 and r.seq > 10 and p.conversation_id = r.conversation_id and p.seq = r.seq - 5 and p.seq % 10 = 0`
    await sql`insert into reactions (message_id, user_id, emoji) select id, author_id, '👍' from messages where seq % 5 = 0`
    await sql`update conversations c set last_seq = m.s from (select conversation_id, max(seq) s from messages group by 1) m where m.conversation_id = c.id`
    await sql`vacuum analyze`
  } finally {
    await sql.end()
  }
}

/** Runs the CLI under /usr/bin/time: wall seconds and peak resident memory (MiB). */
function timed(argv: string[]): Promise<{ seconds: number; peakMiB: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    execFile('/usr/bin/time', ['-v', process.execPath, ocomms, ...argv], { maxBuffer: 64 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err) return reject(new Error(`${argv.join(' ')} failed: ${stderr}`))
      const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1])
      resolve({ seconds: (performance.now() - started) / 1000, peakMiB: kb / 1024 })
    })
  })
}

async function main() {
  let adminUrl = process.env.DATABASE_URL
  let stopEmbedded = async () => {}
  if (!adminUrl) {
    const dir = await mkdtemp(join(tmpdir(), 'ocomms-bench-pg-'))
    const db = await startEmbeddedDatabase(dir)
    adminUrl = db.url
    stopEmbedded = async () => {
      await db.stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  const work = await mkdtemp(join(tmpdir(), 'ocomms-bench-transfer-'))
  const made: string[] = []
  const rows: string[] = []
  try {
    for (const n of [Math.max(1, Math.round(N / 5)), N]) {
      const [src, dst] = [`ocomms_bench_${randomBytes(4).toString('hex')}`, `ocomms_bench_${randomBytes(4).toString('hex')}`]
      for (const db of [src, dst]) {
        await admin.unsafe(`create database ${db}`)
        made.push(db)
      }
      let t0 = performance.now()
      await fill(withDatabase(adminUrl, src), n)
      log(`${n} messages loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
      const out = join(work, `export-${n}`)
      const dataDir = join(work, `data-${n}`)
      const e = await timed(['--json', 'server', 'export', '--workspace', 'bench', out, '--database-url', withDatabase(adminUrl, src), '--data-dir', dataDir])
      const i = await timed(['--json', 'server', 'import', out, '--database-url', withDatabase(adminUrl, dst), '--data-dir', join(work, `data-${n}-b`)])
      t0 = performance.now()
      const line = `| ${n.toLocaleString('en')} | ${e.seconds.toFixed(1)} s | ${Math.round(n / e.seconds).toLocaleString('en')} | ${e.peakMiB.toFixed(0)} MiB | ${i.seconds.toFixed(1)} s | ${Math.round(n / i.seconds).toLocaleString('en')} | ${i.peakMiB.toFixed(0)} MiB |`
      rows.push(line)
      log(line)
    }
    process.stdout.write(
      ['| messages | export | export msg/s | export peak RSS | import | import msg/s | import peak RSS |', '|---|---|---|---|---|---|---|', ...rows].join('\n') + '\n',
    )
  } finally {
    for (const db of made) await admin.unsafe(`drop database if exists ${db} with (force)`)
    await admin.end()
    await rm(work, { recursive: true, force: true })
    await stopEmbedded()
  }
}

await main()
