import { once } from 'node:events'
import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs'
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import postgres from 'postgres'
import { recordAudit } from '../audit/record.js'
import { driverAddress } from '../db/address.js'
import { EXPORT_FORMAT, EXPORT_VERSION, KINDS, kindFile, type ExportManifest, type Kind, type Progress } from './format.js'

type Sql = postgres.Sql<Record<string, unknown>>
type Tx = postgres.TransactionSql<Record<string, unknown>>

/** Rows fetched per round trip: the most an export holds in memory at once. */
const BATCH = 2000

/** A timestamp as text with its microseconds, so an import stores exactly the same instant. */
const iso = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`

/** The query that yields each kind's records, already in their exported shape ($1 = workspace id). */
const queries: Record<Kind, string> = {
  workspace: `
    select id, slug, name, created_by as "createdBy", ${iso('created_at')} as "createdAt",
           broadcast_mentions as "broadcastMentions", broadcast_mentions_min_members as "broadcastMentionsMinMembers"
      from workspaces where id = $1`,
  members: `
    select u.id, u.email, u.handle, u.name, wm.role, wm.state, ${iso('wm.joined_at')} as "joinedAt"
      from workspace_members wm join users u on u.id = wm.user_id
     where wm.workspace_id = $1 order by wm.joined_at, u.id`,
  conversations: `
    select c.id, c.kind, c.name, c.topic, c.description, c.created_by as "createdBy", ${iso('c.created_at')} as "createdAt",
           ${iso('c.archived_at')} as "archivedAt",
           coalesce((select array_agg(cm.user_id order by cm.user_id) from conversation_members cm where cm.conversation_id = c.id), '{}') as members,
           case when c.dm_key is null then null else string_to_array(c.dm_key, ',') end as "dmPeople"
      from conversations c where c.workspace_id = $1 order by c.created_at, c.id`,
  messages: `
    select m.id, m.conversation_id as "conversationId", m.seq::int as seq, m.author_id as "authorId", m.thread_root_id as "threadRootId",
           m.also_in_channel as "alsoInChannel", m.text, ${iso('m.created_at')} as "createdAt", ${iso('m.edited_at')} as "editedAt",
           ${iso('m.deleted_at')} as "deletedAt"
      from messages m join conversations c on c.id = m.conversation_id
     where c.workspace_id = $1 order by c.created_at, c.id, m.seq`,
  reactions: `
    select r.message_id as "messageId", r.user_id as "userId", r.emoji, ${iso('r.created_at')} as "createdAt"
      from reactions r join messages m on m.id = r.message_id join conversations c on c.id = m.conversation_id
     where c.workspace_id = $1 order by r.message_id, r.created_at, r.emoji, r.user_id`,
  pins: `
    select p.message_id as "messageId", p.conversation_id as "conversationId", p.pinned_by as "pinnedBy", ${iso('p.pinned_at')} as "pinnedAt"
      from pins p join conversations c on c.id = p.conversation_id
     where c.workspace_id = $1 order by p.pinned_at, p.message_id`,
  files: `
    select f.id, f.conversation_id as "conversationId", f.message_id as "messageId", f.uploader_id as "uploaderId", f.name,
           f.size::float8 as size, f.mime_type as "mimeType", f.sha256, f.text_content as "textContent", ${iso('f.created_at')} as "createdAt"
      from files f where f.workspace_id = $1 order by f.created_at, f.id`,
  saved: `
    select s.user_id as "userId", s.message_id as "messageId", ${iso('s.created_at')} as "createdAt"
      from saved_items s join messages m on m.id = s.message_id join conversations c on c.id = m.conversation_id
     where c.workspace_id = $1 order by s.created_at, s.user_id, s.message_id`,
  drafts: `
    select d.user_id as "userId", d.conversation_id as "conversationId", d.thread_root_id as "threadRootId", d.text,
           ${iso('d.updated_at')} as "updatedAt"
      from drafts d join conversations c on c.id = d.conversation_id
     where c.workspace_id = $1 order by d.updated_at, d.user_id`,
  'person-settings': `
    select a.user_id as "userId", a.presence_mode as "presenceMode", a.status_text as "statusText", a.status_emoji as "statusEmoji",
           ${iso('a.status_expires_at')} as "statusExpiresAt", ${iso('a.dnd_snooze_until')} as "dndSnoozeUntil",
           a.dnd_schedule as "dndSchedule", ${iso('a.dnd_schedule_off_until')} as "dndScheduleOffUntil",
           a.time_zone as "timeZone", a.keywords
      from attention_settings a join workspace_members wm on wm.user_id = a.user_id and wm.workspace_id = $1
     order by a.user_id`,
  'notify-prefs': `
    select n.user_id as "userId", n.conversation_id as "conversationId", n.level, n.muted, n.ignore_channel_mentions as "ignoreChannelMentions"
      from notify_prefs n join conversations c on c.id = n.conversation_id
     where c.workspace_id = $1 order by n.conversation_id, n.user_id`,
  'thread-follows': `
    select t.root_id as "rootId", t.user_id as "userId", t.following
      from thread_follows t join messages m on m.id = t.root_id join conversations c on c.id = m.conversation_id
     where c.workspace_id = $1 order by t.root_id, t.user_id`,
}

export function openDatabase(url: string, name: string): Sql {
  const address = driverAddress(url)
  return postgres(address.url, { path: address.path, max: 1, onnotice: () => {}, connection: { application_name: name } }) as Sql
}

/** Writes a line, waiting when the disk falls behind (so memory stays flat). */
async function writeLine(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, 'drain')
}

async function closeStream(out: WriteStream): Promise<void> {
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())))
}

export interface ExportOptions {
  /** The database to read, by URL (a connection of its own) or as the server's pool. */
  databaseUrl?: string
  sql?: postgres.Sql<Record<string, never>>
  /** The server's data dir: file bodies are read from its files/ folder. */
  dataDir: string
  /** The workspace's slug. */
  workspace: string
  /** A directory that does not exist yet, or is empty. */
  out: string
  /** Who asked (an owner through the API); null from the command line. Recorded in the audit log. */
  actorId?: string | null
  progress?: Progress
}

/**
 * Exports one workspace. Everything is read in one repeatable-read, read-only transaction, so
 * the kinds agree with each other (no reaction to a message the export lacks); the server keeps
 * running meanwhile. Each kind is streamed from a cursor straight to its file.
 */
export async function exportWorkspace(options: ExportOptions): Promise<ExportManifest> {
  const { out, progress } = options
  if (existsSync(out) && (await readdir(out)).length > 0) throw new Error(`${out} is not empty; choose a new directory for the export`)
  // An export holds private channels, DMs and email addresses: its owner's alone.
  await mkdir(join(out, 'files'), { recursive: true, mode: 0o700 })
  await chmod(out, 0o700)
  const own = options.sql ? null : openDatabase(options.databaseUrl!, 'ocomms-export')
  const sql = (options.sql ?? own) as Sql
  try {
    const manifest = await sql.begin('isolation level repeatable read read only', async (tx: Tx) => {
      const [ws] = await tx<{ id: string; slug: string; name: string }[]>`select id, slug, name from workspaces where slug = ${options.workspace}`
      if (!ws) throw new Error(`there is no workspace "${options.workspace}" on this server`)
      const counts = {} as Record<Kind, number>
      for (const kind of KINDS) {
        const file = createWriteStream(join(out, kindFile(kind)), { mode: 0o600 })
        let n = 0
        try {
          for await (const rows of tx.unsafe(queries[kind], [ws.id]).cursor(BATCH)) {
            await writeLine(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n')
            n += rows.length
            progress?.({ kind, done: n })
          }
        } finally {
          await closeStream(file)
        }
        counts[kind] = n
      }
      // The bodies, each once, straight from the content-addressed store.
      let blobs = 0
      for await (const rows of tx<{ sha256: string }[]>`select distinct sha256 from files where workspace_id = ${ws.id} order by 1`.cursor(BATCH)) {
        for (const { sha256 } of rows) {
          const source = join(options.dataDir, 'files', sha256.slice(0, 2), sha256)
          if (!existsSync(source)) throw new Error(`the body of file ${sha256} is missing from ${join(options.dataDir, 'files')}`)
          await pipeline(createReadStream(source), createWriteStream(join(out, 'files', sha256), { mode: 0o600 }))
          blobs++
        }
        progress?.({ kind: 'blobs', done: blobs })
      }
      return {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        createdAt: new Date().toISOString(),
        workspace: { id: ws.id, slug: ws.slug, name: ws.name },
        counts,
        blobs,
      } satisfies ExportManifest
    })
    await writeFile(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 })
    await recordAudit(sql as never, {
      workspaceId: manifest.workspace.id,
      actorId: options.actorId ?? null,
      action: 'workspace.exported',
      target: { type: 'workspace', id: manifest.workspace.id },
      details: { counts: manifest.counts, blobs: manifest.blobs },
    })
    return manifest
  } finally {
    await own?.end({ timeout: 5 })
  }
}
