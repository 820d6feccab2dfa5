import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { chmod, copyFile, mkdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import type postgres from 'postgres'
import { OCommsError, type EventData, type EventType, type StreamKind } from '@ocomms/shared'
import { recordAudit } from '../audit/record.js'
import { isArchive, withUnpackedArchive } from './archive.js'
import type { TxSql } from '../db/connect.js'
import { migrate } from '../db/migrate.js'
import { appendToEach, type EventExtras } from '../events/store.js'
import * as load from '../queries.js'
import { handleCandidates, normalizeEmail } from '../sso/accounts.js'
import { openDatabase } from './export.js'
import { EXPORT_FORMAT, EXPORT_VERSION, KINDS, kindFile, type ExportManifest, type Kind, type KindRecords, type Progress } from './format.js'

type Tx = postgres.TransactionSql<Record<string, unknown>>

const BATCH = 2000

/** Bad input: a sentence that says which file and line, and nothing changed. */
const bad = (message: string) => new OCommsError('invalid_input', message)

/**
 * The id a record of the export gets on this server: derived from the new workspace's id and
 * the exported id, so importing the same export again finds the same rows (and adds nothing),
 * while two imports of one export under two slugs stay apart.
 */
export function remapId(scope: string, id: string): string {
  const h = createHash('sha256').update(`${scope}:${id}`).digest('hex')
  // Shaped as a version-8 (custom) UUID, RFC 9562.
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`
}

/** `@old` → `@new` and `#old` → `#new` in message text (a trailing sentence dot is not part of a name). */
export function renameReferences(text: string, handles: Map<string, string>, channels: Map<string, string>): string {
  return text.replace(/(^|[^\w@#./])([@#])([a-z0-9][a-z0-9._-]*)/gi, (whole, before: string, sigil: string, raw: string) => {
    const name = raw.replace(/\.+$/, '')
    const to = (sigil === '@' ? handles : channels).get(name.toLowerCase())
    return to ? `${before}${sigil}${to}${raw.slice(name.length)}` : whole
  })
}

/**
 * Stores an event under its stream's next seq, through the server's one event writer. An import
 * runs beside the server, so nothing is published live: clients find the events when they sync.
 */
async function store<T extends EventType>(
  tx: Tx,
  stream: StreamKind,
  streamId: string,
  type: T,
  data: EventData<T>,
  extras: EventExtras,
): Promise<void> {
  await appendToEach<T, never>(tx as unknown as TxSql, stream, type, data, new Map([[streamId, {}]]), extras)
}

export async function readExportManifest(dir: string): Promise<ExportManifest> {
  let manifest: ExportManifest
  try {
    manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as ExportManifest
  } catch (err) {
    throw bad(`${dir} is not a readable OComms export (manifest.json: ${(err as Error).message})`)
  }
  if (manifest.format !== EXPORT_FORMAT) throw bad(`${dir} is not an OComms export (its manifest names format "${String(manifest.format)}")`)
  if (!(manifest.version <= EXPORT_VERSION)) throw bad(`this export (format version ${manifest.version}) is newer than this server understands; upgrade first`)
  for (const kind of KINDS) if (!existsSync(join(dir, kindFile(kind)))) throw bad(`${dir} lacks ${kindFile(kind)}`)
  return manifest
}

/** The records of one kind, a batch at a time, each line parsed (a bad line names its file and number). */
async function* batches<K extends Kind>(dir: string, kind: K): AsyncGenerator<Array<KindRecords[K]>> {
  const lines = createInterface({ input: createReadStream(join(dir, kindFile(kind))), crlfDelay: Infinity })
  let batch: Array<KindRecords[K]> = []
  let n = 0
  for await (const line of lines) {
    n++
    if (line.trim() === '') continue
    let record: unknown
    try {
      record = JSON.parse(line)
    } catch {
      throw bad(`${kindFile(kind)} line ${n} is not valid JSON`)
    }
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw bad(`${kindFile(kind)} line ${n} is not a JSON object`)
    batch.push(record as KindRecords[K])
    if (batch.length === BATCH) {
      yield batch
      batch = []
    }
  }
  if (batch.length > 0) yield batch
}

export interface ImportOptions {
  databaseUrl: string
  /** The data dir of the server that will serve it: file bodies go to its files/ folder. */
  dataDir: string
  /** A directory written by exportWorkspace. */
  from: string
  /** The slug to import as (default: the exported one). */
  workspace?: string
  /**
   * Import into the workspace of that slug when it exists already (a Slack import into a running
   * workspace); otherwise a taken slug is refused. Channels whose name is taken there are imported
   * as `<name>-imported`.
   */
  intoExisting?: boolean
  /** Who asked (an owner through the API); null from the command line. */
  actorId?: string | null
  /** Where the records came from, for the audit log (default "ocomms-export"). */
  source?: string
  progress?: Progress
}

export interface ImportSummary {
  workspace: { id: string; slug: string; name: string }
  /** Records added per kind; all zero when the same export was imported before. */
  added: Record<Kind, number>
  /** People who already had an account here (matched by email). */
  matchedPeople: number
  blobs: number
}

/**
 * Imports an export into this server's database, in one transaction (all or nothing): a fresh
 * server or one with other workspaces. People are matched by email; everyone else gets an
 * account without a password (they sign in with a magic link or single sign-on). Records are
 * inserted with remapped ids and `on conflict do nothing`, so a second run adds nothing.
 */
export async function importWorkspace(options: ImportOptions): Promise<ImportSummary> {
  if (isArchive(options.from)) return withUnpackedArchive(options.from, (dir) => importWorkspace({ ...options, from: dir }))
  const { from, progress } = options
  const manifest = await readExportManifest(from)
  await migrate(options.databaseUrl)
  const sql = openDatabase(options.databaseUrl, 'ocomms-import')
  try {
    const summary = await sql.begin(async (tx: Tx) => {
      const added = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>
      const count = (kind: Kind, rows: unknown[]) => {
        added[kind] += rows.length
      }
      const json = (rows: unknown[]) => JSON.stringify(rows)

      // The workspace: its id derives from the exported one and the slug it is imported as.
      let source: KindRecords['workspace'] | undefined
      for await (const [w] of batches(from, 'workspace')) source = w
      if (!source || typeof source.id !== 'string' || typeof source.slug !== 'string') throw bad('workspace.jsonl holds no workspace')
      const slug = options.workspace ?? source.slug
      if (!/^[a-z0-9][a-z0-9-]{0,31}$/.test(slug)) throw bad(`"${slug}" is not a workspace slug (lowercase letters, digits and dashes)`)
      const [taken] = await tx<{ id: string }[]>`select id from workspaces where slug = ${slug}`
      const wsId = taken && options.intoExisting ? taken.id : remapId(slug, source.id)
      const id = (old: string | null | undefined): string | null => (old ? remapId(wsId, old) : null)
      if (taken && taken.id !== wsId) {
        throw new OCommsError('conflict', `A workspace "${slug}" already exists on this server (not from this export); import under another slug.`)
      }

      // People first (they are referenced by everything else): matched by email, or created.
      const people = new Map<string, string>()
      let matchedPeople = 0
      const person = (old: string | null | undefined): string | null => {
        if (!old) return null
        const found = people.get(old)
        if (!found) throw bad(`a record refers to person ${old}, who is not in members.jsonl`)
        return found
      }
      for await (const rows of batches(from, 'members')) {
        for (const m of rows) {
          if (typeof m.email !== 'string' || !m.email.includes('@')) throw bad(`member ${String(m.id)} has no email address`)
          const [existing] = await tx<{ id: string }[]>`select id from users where email_normalized = ${normalizeEmail(m.email)}`
          if (existing) {
            people.set(m.id, existing.id)
            matchedPeople++
            continue
          }
          const newId = id(m.id)!
          for (const handle of handleCandidates(m.handle, m.email)) {
            const [row] = await tx`
              insert into users (id, email, email_normalized, handle, name)
              values (${newId}, ${m.email.trim()}, ${normalizeEmail(m.email)}, ${handle}, ${String(m.name ?? handle).slice(0, 80)})
              on conflict do nothing returning 1`
            if (row) break
          }
          people.set(m.id, newId)
        }
      }
      // Mentions in the imported text name people by handle: where someone's handle here is not
      // the exported one (matched by email, or their handle was taken), the text follows.
      const handles = new Map<string, string>()
      for await (const rows of batches(from, 'members')) {
        const ids = rows.map((m) => people.get(m.id)!)
        const now = new Map((await tx<{ id: string; handle: string }[]>`select id, handle from users where id = any (${ids}::uuid[])`).map((r) => [r.id, r.handle]))
        for (const m of rows) {
          const here = now.get(people.get(m.id)!)
          if (here && typeof m.handle === 'string' && here !== m.handle.toLowerCase()) handles.set(m.handle.toLowerCase(), here)
        }
      }
      if (people.size === 0) throw bad('members.jsonl names nobody')
      const [w] = await tx`
        insert into workspaces (id, slug, name, created_by, created_at, broadcast_mentions, broadcast_mentions_min_members)
        values (${wsId}, ${slug}, ${source.name}, ${source.createdBy ? person(source.createdBy) : null}, ${source.createdAt}::text::timestamptz,
                ${source.broadcastMentions ?? 'everyone'}, ${source.broadcastMentionsMinMembers ?? 6})
        on conflict (id) do nothing returning 1`
      if (w) added.workspace = 1
      for await (const rows of batches(from, 'members')) {
        const mapped = rows.map((m) => ({ user_id: person(m.id), role: m.role, state: m.state, joined_at: m.joinedAt }))
        const joined = (await tx.unsafe(`
          insert into workspace_members (workspace_id, user_id, role, state, joined_at)
          select $1, x.user_id, x.role, x.state, x.joined_at from jsonb_to_recordset($2::text::jsonb) as x(user_id uuid, role text, state text, joined_at timestamptz)
          on conflict do nothing returning user_id`, [wsId, json(mapped)])) as unknown as Array<{ user_id: string }>
        count('members', joined)
        for (const { user_id } of joined) {
          await store(tx, 'workspace', wsId, 'member.joined', { member: await load.member(tx as never, wsId, user_id) }, { workspaceId: wsId })
        }
      }
      progress?.({ kind: 'members', done: people.size })

      // Told to clients once the history is in (their conversation objects then carry its head).
      const newPublic: string[] = []
      const newMemberships: Array<{ conversation_id: string; user_id: string }> = []
      const channels = new Map<string, string>()
      // A DM between the same people already in the workspace is the same DM: its imported
      // history goes into it, after its own (seqs moved past its head).
      const merged = new Map<string, { id: string; offset: number }>()
      const dmKey = (c: KindRecords['conversations']) => (c.dmPeople ? [...new Set(c.dmPeople.map((p) => person(p)))].sort().join(',') : null)
      const conv = (old: string | null | undefined): string | null => (old ? (merged.get(old)?.id ?? id(old)) : null)
      for await (const rows of batches(from, 'conversations')) {
        for (const c of rows) {
          const key = dmKey(c)
          if (key) {
            const [same] = await tx<{ id: string; last_seq: number }[]>`
              select id, last_seq::int as last_seq from conversations where workspace_id = ${wsId} and dm_key = ${key} and id <> ${id(c.id)}`
            if (same) merged.set(c.id, { id: same.id, offset: same.last_seq })
          }
          if (!c.name) continue
          const others = new Set(
            (await tx<{ name: string }[]>`
              select name from conversations where workspace_id = ${wsId} and id <> ${id(c.id)} and (name = ${c.name} or name like ${c.name + '-imported%'})`).map((r) => r.name),
          )
          if (!others.has(c.name)) continue
          let n = 1
          let name = `${c.name}-imported`
          while (others.has(name)) name = `${c.name}-imported-${++n}`
          channels.set(c.name, name)
        }
        const mapped = rows.filter((c) => !merged.has(c.id)).map((c) => ({
          id: id(c.id),
          kind: c.kind,
          name: c.name ? (channels.get(c.name) ?? c.name) : null,
          topic: c.topic ?? '',
          description: c.description ?? '',
          dm_key: dmKey(c),
          created_by: person(c.createdBy),
          created_at: c.createdAt,
          archived_at: c.archivedAt,
        }))
        const created = (await tx.unsafe(`
          insert into conversations (id, workspace_id, kind, name, topic, description, dm_key, created_by, created_at, archived_at)
          select x.id, $1, x.kind, x.name, x.topic, x.description, x.dm_key, x.created_by, x.created_at, x.archived_at
            from jsonb_to_recordset($2::text::jsonb) as x(id uuid, kind text, name text, topic text, description text, dm_key text,
                                                    created_by uuid, created_at timestamptz, archived_at timestamptz)
          on conflict do nothing returning id, kind`, [wsId, json(mapped)])) as unknown as Array<{ id: string; kind: string }>
        count('conversations', created)
        for (const c of created.filter((x) => x.kind === 'public')) newPublic.push(c.id)
        const members = rows.flatMap((c) => (c.members ?? []).map((u) => ({ conversation_id: conv(c.id), user_id: person(u) })))
        const joinedConversations = (await tx.unsafe(`
          insert into conversation_members (conversation_id, user_id)
          select x.conversation_id, x.user_id from jsonb_to_recordset($1::text::jsonb) as x(conversation_id uuid, user_id uuid)
          on conflict do nothing returning conversation_id, user_id`, [json(members)])) as unknown as Array<{ conversation_id: string; user_id: string }>
        newMemberships.push(...joinedConversations)
      }

      let done = 0
      for await (const rows of batches(from, 'messages')) {
        const mapped = rows.map((m) => ({
          id: id(m.id),
          conversation_id: conv(m.conversationId),
          seq: m.seq + (merged.get(m.conversationId)?.offset ?? 0),
          author_id: person(m.authorId),
          thread_root_id: id(m.threadRootId),
          also_in_channel: m.alsoInChannel ?? false,
          text: handles.size + channels.size > 0 ? renameReferences(m.text ?? '', handles, channels) : (m.text ?? ''),
          created_at: m.createdAt,
          edited_at: m.editedAt,
          deleted_at: m.deletedAt,
        }))
        count('messages', await tx.unsafe(`
          insert into messages (id, conversation_id, seq, author_id, thread_root_id, also_in_channel, text, created_at, edited_at, deleted_at)
          select x.id, x.conversation_id, x.seq, x.author_id, x.thread_root_id, x.also_in_channel, x.text, x.created_at, x.edited_at, x.deleted_at
            from jsonb_to_recordset($1::text::jsonb) as x(id uuid, conversation_id uuid, seq bigint, author_id uuid, thread_root_id uuid,
                                                    also_in_channel boolean, text text, created_at timestamptz, edited_at timestamptz, deleted_at timestamptz)
          on conflict do nothing returning 1`, [json(mapped)]))
        done += rows.length
        progress?.({ kind: 'messages', done, total: manifest.counts?.messages })
      }
      // What the messages imply: thread summaries, each conversation's head (its history came in
      // without events, so clients start from a snapshot), and everything imported counts as read.
      await tx`
        update messages r set reply_count = t.n, last_reply_at = t.last, reply_participants = t.who
          from (select thread_root_id as id, count(*) filter (where deleted_at is null)::int as n, max(created_at) as last,
                       array_agg(distinct author_id) as who
                  from messages where conversation_id in (select id from conversations where workspace_id = ${wsId}) and thread_root_id is not null
                 group by thread_root_id) t
         where r.id = t.id`
      await tx`
        update conversations c set last_seq = greatest(c.last_seq, m.top), first_retained_seq = greatest(c.first_retained_seq, m.top + 1)
          from (select conversation_id, max(seq) as top from messages
                 where conversation_id in (select id from conversations where workspace_id = ${wsId}) group by conversation_id) m
         where c.id = m.conversation_id and c.last_seq < m.top`
      await tx`
        insert into read_markers (user_id, conversation_id, last_read_seq)
        select cm.user_id, c.id, c.last_seq from conversation_members cm join conversations c on c.id = cm.conversation_id
         where c.workspace_id = ${wsId}
        on conflict do nothing`

      for await (const rows of batches(from, 'reactions')) {
        const mapped = rows.map((r) => ({ message_id: id(r.messageId), user_id: person(r.userId), emoji: r.emoji, created_at: r.createdAt }))
        count('reactions', await tx.unsafe(`
          insert into reactions (message_id, user_id, emoji, created_at)
          select * from jsonb_to_recordset($1::text::jsonb) as x(message_id uuid, user_id uuid, emoji text, created_at timestamptz)
          on conflict do nothing returning 1`, [json(mapped)]))
      }
      for await (const rows of batches(from, 'pins')) {
        const mapped = rows.map((p) => ({ message_id: id(p.messageId), conversation_id: conv(p.conversationId), pinned_by: person(p.pinnedBy), pinned_at: p.pinnedAt }))
        count('pins', await tx.unsafe(`
          insert into pins (message_id, conversation_id, pinned_by, pinned_at)
          select * from jsonb_to_recordset($1::text::jsonb) as x(message_id uuid, conversation_id uuid, pinned_by uuid, pinned_at timestamptz)
          on conflict do nothing returning 1`, [json(mapped)]))
      }

      // Files: each body is checked against its name (its SHA-256) before any row refers to it.
      let blobs = 0
      for await (const rows of batches(from, 'files')) {
        for (const f of rows) {
          if (typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256)) throw bad(`file ${String(f.id)} has no valid sha256`)
          const target = join(options.dataDir, 'files', f.sha256.slice(0, 2), f.sha256)
          if (existsSync(target)) continue
          const body = join(from, 'files', f.sha256)
          const size = await stat(body).then((s) => s.size, () => null)
          if (size === null) throw bad(`the body of file "${f.name}" (files/${f.sha256}) is missing from the export`)
          const hash = createHash('sha256')
          for await (const chunk of createReadStream(body)) hash.update(chunk as Buffer)
          if (hash.digest('hex') !== f.sha256) throw bad(`files/${f.sha256} does not match its name (damaged export)`)
          await mkdir(join(options.dataDir, 'files', f.sha256.slice(0, 2)), { recursive: true, mode: 0o700 })
          await copyFile(body, target)
          // The file store is the server's user's alone, whatever mode the body came with.
          await chmod(target, 0o600)
          blobs++
        }
        const mapped = rows.map((f) => ({
          id: id(f.id),
          conversation_id: conv(f.conversationId),
          message_id: id(f.messageId),
          uploader_id: person(f.uploaderId),
          name: f.name,
          size: f.size,
          mime_type: f.mimeType,
          sha256: f.sha256,
          text_content: f.textContent,
          created_at: f.createdAt,
        }))
        count('files', await tx.unsafe(`
          insert into files (id, workspace_id, conversation_id, message_id, uploader_id, name, size, mime_type, sha256, text_content, created_at)
          select x.id, $1, x.conversation_id, x.message_id, x.uploader_id, x.name, x.size, x.mime_type, x.sha256, x.text_content, x.created_at
            from jsonb_to_recordset($2::text::jsonb) as x(id uuid, conversation_id uuid, message_id uuid, uploader_id uuid, name text, size bigint,
                                                    mime_type text, sha256 text, text_content text, created_at timestamptz)
          on conflict do nothing returning 1`, [wsId, json(mapped)]))
      }
      progress?.({ kind: 'blobs', done: blobs })

      for await (const rows of batches(from, 'saved')) {
        const mapped = rows.map((s) => ({ user_id: person(s.userId), message_id: id(s.messageId), created_at: s.createdAt }))
        count('saved', await tx.unsafe(`
          insert into saved_items (user_id, message_id, created_at)
          select * from jsonb_to_recordset($1::text::jsonb) as x(user_id uuid, message_id uuid, created_at timestamptz)
          on conflict do nothing returning 1`, [json(mapped)]))
      }
      for await (const rows of batches(from, 'drafts')) {
        const mapped = rows.map((d) => ({ user_id: person(d.userId), conversation_id: conv(d.conversationId), thread_root_id: id(d.threadRootId), text: d.text, updated_at: d.updatedAt }))
        count('drafts', await tx.unsafe(`
          insert into drafts (user_id, conversation_id, thread_root_id, text, updated_at)
          select * from jsonb_to_recordset($1::text::jsonb) as x(user_id uuid, conversation_id uuid, thread_root_id uuid, text text, updated_at timestamptz)
          on conflict do nothing returning 1`, [json(mapped)]))
      }
      // A person who already had an account keeps their own settings: an import never overwrites them.
      for await (const rows of batches(from, 'person-settings')) {
        const mapped = rows.map((a) => ({
          user_id: person(a.userId),
          presence_mode: a.presenceMode,
          status_text: a.statusText,
          status_emoji: a.statusEmoji,
          status_expires_at: a.statusExpiresAt,
          dnd_snooze_until: a.dndSnoozeUntil,
          dnd_schedule: a.dndSchedule,
          dnd_schedule_off_until: a.dndScheduleOffUntil,
          time_zone: a.timeZone,
          keywords: a.keywords ?? [],
        }))
        count('person-settings', await tx.unsafe(`
          insert into attention_settings (user_id, presence_mode, status_text, status_emoji, status_expires_at, dnd_snooze_until, dnd_schedule,
                                          dnd_schedule_off_until, time_zone, keywords)
          select x.user_id, x.presence_mode, x.status_text, x.status_emoji, x.status_expires_at, x.dnd_snooze_until, x.dnd_schedule,
                 x.dnd_schedule_off_until, x.time_zone, array(select jsonb_array_elements_text(x.keywords))
            from jsonb_to_recordset($1::text::jsonb) as x(user_id uuid, presence_mode text, status_text text, status_emoji text, status_expires_at timestamptz,
                                                    dnd_snooze_until timestamptz, dnd_schedule text, dnd_schedule_off_until timestamptz,
                                                    time_zone text, keywords jsonb)
          on conflict do nothing returning 1`, [json(mapped)]))
      }
      for await (const rows of batches(from, 'notify-prefs')) {
        const mapped = rows.map((n) => ({ user_id: person(n.userId), conversation_id: conv(n.conversationId), level: n.level, muted: n.muted, ignore_channel_mentions: n.ignoreChannelMentions }))
        count('notify-prefs', await tx.unsafe(`
          insert into notify_prefs (user_id, conversation_id, level, muted, ignore_channel_mentions)
          select * from jsonb_to_recordset($1::text::jsonb) as x(user_id uuid, conversation_id uuid, level text, muted boolean, ignore_channel_mentions boolean)
          on conflict do nothing returning 1`, [json(mapped)]))
      }
      for await (const rows of batches(from, 'thread-follows')) {
        const mapped = rows.map((f) => ({ root_id: id(f.rootId), user_id: person(f.userId), following: f.following }))
        count('thread-follows', await tx.unsafe(`
          insert into thread_follows (root_id, user_id, following)
          select * from jsonb_to_recordset($1::text::jsonb) as x(root_id uuid, user_id uuid, following boolean)
          on conflict do nothing returning 1`, [json(mapped)]))
      }

      // The workspace's and each person's event streams learn of what arrived, as if it had been
      // created here: a client that syncs finds the new channels and memberships (the imported
      // history itself has no events: its conversations start their streams after it).
      const anyone = [...people.values()][0]!
      for (const id of newPublic) {
        const { isMember: _viewerSpecific, ...shared } = await load.conversation(tx as never, anyone, id)
        await store(tx, 'workspace', wsId, 'conversation.created', { conversation: shared }, { workspaceId: wsId, conversationId: id })
      }
      for (const m of newMemberships) {
        const conversation = await load.conversation(tx as never, m.user_id, m.conversation_id)
        await store(tx, 'user', m.user_id, 'conversation.added', { conversation }, { workspaceId: wsId, conversationId: m.conversation_id })
      }

      if (Object.values(added).some((n) => n > 0)) {
        await recordAudit(tx as never, {
          workspaceId: wsId,
          actorId: options.actorId ?? null,
          action: 'workspace.imported',
          target: { type: 'workspace', id: wsId },
          details: { from: options.source ?? 'ocomms-export', added, matchedPeople },
        })
      }
      return { workspace: { id: wsId, slug, name: source.name }, added, matchedPeople, blobs }
    })
    return summary
  } catch (err) {
    // A database refusal (a broken reference, a bad value) is bad input too: say what, change nothing.
    if (err instanceof OCommsError) throw err
    const e = err as { code?: string; message: string; detail?: string }
    if (typeof e.code === 'string' && /^(22|23)/.test(e.code)) throw bad(`the export is inconsistent: ${e.message}${e.detail ? ` (${e.detail})` : ''}`)
    throw err
  } finally {
    await sql.end({ timeout: 5 })
  }
}
