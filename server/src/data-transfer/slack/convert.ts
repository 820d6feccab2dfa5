import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { createReadStream, createWriteStream, existsSync, type WriteStream } from 'node:fs'
import { copyFile, mkdir, readdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OCommsError, resolveEmoji } from '@ocomms/shared'
import { EXPORT_FORMAT, EXPORT_VERSION, KINDS, kindFile, type ExportManifest, type Kind, type KindRecords, type Progress } from '../format.js'
import { slackTime, slackToText } from './mrkdwn.js'
import { openZip, type ZipArchive, type ZipLimits } from './zip.js'

/**
 * A Slack export ZIP (users.json, channels.json, groups.json, dms.json, mpims.json, and a folder
 * per conversation with one JSON file per day) turned into an OComms export directory
 * (docs/export-format.md), which the ordinary import then loads. One conversation's day at a time
 * is in memory, plus the ids of its thread roots.
 */

const bad = (message: string) => new OCommsError('invalid_input', message)

interface SlackUser {
  id: string
  name?: string
  real_name?: string
  deleted?: boolean
  is_bot?: boolean
  is_admin?: boolean
  is_owner?: boolean
  is_primary_owner?: boolean
  profile?: { email?: string; real_name?: string; display_name?: string; bot_id?: string }
}

interface SlackConversation {
  id: string
  name?: string
  created?: number
  creator?: string
  is_archived?: boolean
  members?: string[]
  topic?: { value?: string }
  purpose?: { value?: string }
  pins?: Array<{ id: string; user?: string; created?: number }>
}

interface SlackFile {
  id?: string
  name?: string
  title?: string
  mimetype?: string
  size?: number
  url_private?: string
  permalink?: string
  mode?: string
}

interface SlackMessage {
  type?: string
  subtype?: string
  ts?: string
  user?: string
  bot_id?: string
  username?: string
  text?: string
  thread_ts?: string
  edited?: { ts?: string }
  reactions?: Array<{ name?: string; users?: string[] }>
  pinned_to?: string[]
  files?: SlackFile[]
}

/** Message subtypes that are conversation, not bookkeeping (joins, topic changes... are skipped). */
const KEPT_SUBTYPES = new Set([undefined, 'bot_message', 'thread_broadcast', 'file_share', 'me_message'])

export interface SlackConversion {
  manifest: ExportManifest
  /** What was left out, and why: a sentence → how many. */
  skipped: Record<string, number>
}

export interface ConvertOptions {
  zip: string
  /** An empty directory to write the OComms export to. */
  out: string
  /** The workspace's slug (and name, when the export does not say). */
  slug: string
  /** A folder of file bodies (`<dir>/<file id>/<name>` or `<dir>/<file id>`); without it files become links. */
  filesDir?: string
  limits?: ZipLimits
  progress?: Progress
}

const handleOf = (raw: string) =>
  raw
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[._-]+$/, '')
    .slice(0, 28) || 'person'

const channelNameOf = (raw: string) =>
  raw
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .slice(0, 76) || 'channel'

async function json<T>(zip: ZipArchive, name: string, required: boolean): Promise<T | null> {
  if (!zip.has(name)) {
    if (required) throw bad(`this is not a Slack export: it has no ${name}`)
    return null
  }
  try {
    return JSON.parse(await zip.text(name)) as T
  } catch (err) {
    if (err instanceof OCommsError) throw err
    throw bad(`${name} in the Slack export is not valid JSON`)
  }
}

class Writer {
  private readonly streams = new Map<Kind, WriteStream>()
  readonly counts = Object.fromEntries(KINDS.map((k) => [k, 0])) as Record<Kind, number>
  constructor(private readonly out: string) {}
  async write<K extends Kind>(kind: K, record: KindRecords[K]): Promise<void> {
    let s = this.streams.get(kind)
    if (!s) {
      s = createWriteStream(join(this.out, kindFile(kind)), { mode: 0o600 })
      this.streams.set(kind, s)
    }
    this.counts[kind]++
    if (!s.write(JSON.stringify(record) + '\n')) await once(s, 'drain')
  }
  async close(): Promise<void> {
    for (const kind of KINDS) if (!this.streams.has(kind)) await writeFile(join(this.out, kindFile(kind)), '', { mode: 0o600 })
    await Promise.all([...this.streams.values()].map((s) => new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())))))
  }
}

export async function convertSlackExport(options: ConvertOptions): Promise<SlackConversion> {
  const zip = await openZip(options.zip, options.limits)
  const skipped: Record<string, number> = {}
  const skip = (why: string, n = 1) => {
    skipped[why] = (skipped[why] ?? 0) + n
  }
  const out = new Writer(options.out)
  try {
    const users = await json<SlackUser[]>(zip, 'users.json', true)
    if (!Array.isArray(users)) throw bad('users.json in the Slack export is not a list of people')
    const lists = {
      public: await json<SlackConversation[]>(zip, 'channels.json', true),
      private: await json<SlackConversation[]>(zip, 'groups.json', false),
      dm: await json<SlackConversation[]>(zip, 'dms.json', false),
      group_dm: await json<SlackConversation[]>(zip, 'mpims.json', false),
    }
    for (const [kind, list] of Object.entries(lists)) {
      if (list !== null && !Array.isArray(list)) throw bad(`${kind === 'public' ? 'channels' : kind === 'private' ? 'groups' : kind === 'dm' ? 'dms' : 'mpims'}.json is not a list`)
    }

    // People: handles made unique within the export; bots and deleted people cannot sign in.
    const handles = new Map<string, string>()
    const usedHandles = new Set<string>()
    const byBot = new Map<string, string>()
    const now = new Date().toISOString()
    const addMember = async (id: string, wanted: string, name: string, email: string, role: 'owner' | 'admin' | 'member', active: boolean) => {
      let handle = handleOf(wanted)
      for (let n = 2; usedHandles.has(handle); n++) handle = `${handleOf(wanted).slice(0, 26)}-${n}`
      usedHandles.add(handle)
      handles.set(id, handle)
      await out.write('members', { id, email, handle, name: name.slice(0, 80), role, state: active ? 'active' : 'deactivated', joinedAt: now })
    }
    for (const u of users) {
      if (typeof u?.id !== 'string') throw bad('users.json holds a person without an id')
      const name = u.profile?.real_name || u.real_name || u.profile?.display_name || u.name || u.id
      const email = u.profile?.email?.includes('@') ? u.profile.email : `${u.id.toLowerCase()}@slack-import.invalid`
      const role = u.is_owner || u.is_primary_owner ? 'owner' : u.is_admin ? 'admin' : 'member'
      await addMember(u.id, u.name ?? name, u.is_bot ? `${name} (bot)` : name, email, u.is_bot ? 'member' : role, !u.deleted && !u.is_bot)
      if (u.is_bot && u.profile?.bot_id) byBot.set(u.profile.bot_id, u.id)
    }
    const owner = users.find((u) => u.is_primary_owner)?.id ?? null
    await out.write('workspace', {
      id: `slack:${options.slug}`,
      slug: options.slug,
      name: options.slug,
      createdBy: owner,
      createdAt: now,
      broadcastMentions: 'everyone',
      broadcastMentionsMinMembers: 6,
    })

    // Conversations.
    const channelNames = new Map<string, string>()
    const usedNames = new Set<string>()
    for (const c of [...(lists.public ?? []), ...(lists.private ?? [])]) {
      let name = channelNameOf(c.name ?? c.id)
      for (let n = 2; usedNames.has(name); n++) name = `${channelNameOf(c.name ?? c.id).slice(0, 74)}-${n}`
      usedNames.add(name)
      channelNames.set(c.id, name)
    }
    const lookup = { handle: (id: string) => handles.get(id) ?? null, channel: (id: string) => channelNames.get(id) ?? null }
    const known = (ids: string[] | undefined) => (ids ?? []).filter((id) => handles.has(id))

    const todo: Array<{ c: SlackConversation; kind: ConversationKind; folder: string }> = []
    type ConversationKind = 'public' | 'private' | 'dm' | 'group_dm'
    for (const kind of ['public', 'private', 'dm', 'group_dm'] as const) {
      for (const c of lists[kind] ?? []) {
        if (typeof c?.id !== 'string') throw bad(`a conversation in the Slack export has no id`)
        const members = known(c.members)
        const isDm = kind === 'dm' || kind === 'group_dm'
        if (isDm && new Set(members).size < 2) {
          skip('DMs with fewer than two known people')
          continue
        }
        await out.write('conversations', {
          id: c.id,
          kind,
          name: isDm ? null : channelNames.get(c.id)!,
          topic: slackToText(c.topic?.value ?? '', lookup).slice(0, 250),
          description: slackToText(c.purpose?.value ?? '', lookup).slice(0, 1000),
          createdBy: c.creator && handles.has(c.creator) ? c.creator : null,
          createdAt: slackTime(c.created) ?? now,
          archivedAt: c.is_archived ? now : null,
          members,
          dmPeople: isDm ? [...new Set(members)] : null,
        })
        todo.push({ c, kind, folder: kind === 'dm' ? c.id : (c.name ?? c.id) })
      }
    }

    // Messages, a conversation at a time, a day at a time.
    const names = zip.names()
    let done = 0
    for (const { c, folder } of todo) {
      const days = names.filter((n) => n.startsWith(`${folder}/`) && /\/\d{4}-\d{2}-\d{2}\.json$/.test(n)).sort()
      const pinned = new Map((c.pins ?? []).map((p) => [p.id, p]))
      const roots = new Set<string>()
      let seq = 0
      for (const day of days) {
        let messages: SlackMessage[]
        try {
          messages = JSON.parse(await zip.text(day)) as SlackMessage[]
        } catch (err) {
          if (err instanceof OCommsError) throw err
          throw bad(`${day} in the Slack export is not valid JSON`)
        }
        if (!Array.isArray(messages)) throw bad(`${day} in the Slack export is not a list of messages`)
        messages.sort((a, b) => Number(a.ts) - Number(b.ts))
        for (const m of messages) {
          const at = slackTime(m.ts)
          if (!at || m.type !== 'message') {
            skip('entries that are not messages or have no time')
            continue
          }
          if (!KEPT_SUBTYPES.has(m.subtype)) {
            skip(`system messages (${m.subtype})`)
            continue
          }
          let author = m.user && handles.has(m.user) ? m.user : null
          if (!author && m.bot_id) {
            author = byBot.get(m.bot_id) ?? null
            if (!author) {
              author = `bot:${m.bot_id}`
              await addMember(author, m.username ?? 'bot', `${m.username ?? 'A bot'} (bot)`, `${m.bot_id.toLowerCase()}.bot@slack-import.invalid`, 'member', false)
              byBot.set(m.bot_id, author)
            }
          }
          if (!author) {
            skip('messages by someone not in users.json')
            continue
          }
          const id = `${c.id}:${m.ts}`
          let threadRootId: string | null = null
          if (m.thread_ts && m.thread_ts !== m.ts) {
            if (roots.has(m.thread_ts)) threadRootId = `${c.id}:${m.thread_ts}`
            else skip('thread replies whose first message is not in the export (imported as ordinary messages)')
          } else if (m.thread_ts === m.ts) roots.add(m.ts!)
          let text = slackToText(m.text ?? '', lookup)
          if (m.subtype === 'me_message' && text) text = `_${text}_`
          const attached: Array<KindRecords['files']> = []
          for (const f of m.files ?? []) {
            if (!f.id || f.mode === 'tombstone' || f.mode === 'hidden_by_limit') {
              skip('files that were deleted or hidden in Slack')
              continue
            }
            const body = options.filesDir ? await loadBody(options.filesDir, f, options.out) : null
            if (body) {
              attached.push({
                id: `${c.id}:${f.id}`,
                conversationId: c.id,
                messageId: id,
                uploaderId: author,
                name: (f.name ?? f.title ?? f.id).slice(0, 255),
                size: body.size,
                mimeType: f.mimetype ?? 'application/octet-stream',
                sha256: body.sha256,
                textContent: null,
                createdAt: at,
              })
            } else {
              const url = f.url_private ?? f.permalink
              const label = (f.name ?? f.title ?? f.id).replace(/([[\]\\])/g, '\\$1')
              text += `${text ? '\n' : ''}${url ? `📎 [${label}](${url.replace(/\)/g, '%29')})` : `📎 ${label}`}`
            }
          }
          await out.write('messages', {
            id,
            conversationId: c.id,
            seq: ++seq,
            authorId: author,
            threadRootId,
            alsoInChannel: threadRootId !== null && m.subtype === 'thread_broadcast',
            text: text.slice(0, 40000),
            createdAt: at,
            editedAt: slackTime(m.edited?.ts),
            deletedAt: null,
          })
          for (const f of attached) await out.write('files', f)
          for (const r of m.reactions ?? []) {
            const emoji = r.name ? resolveEmoji(`:${r.name.split('::')[0]}:`) : null
            if (!emoji) {
              skip('reactions with custom emoji', (r.users ?? []).length || 1)
              continue
            }
            for (const userId of new Set(r.users ?? [])) {
              if (handles.has(userId)) await out.write('reactions', { messageId: id, userId, emoji, createdAt: at })
              else skip('reactions by someone not in users.json')
            }
          }
          const pin = pinned.get(m.ts!)
          if (pin || m.pinned_to?.includes(c.id)) {
            const by = pin?.user && handles.has(pin.user) ? pin.user : author
            await out.write('pins', { messageId: id, conversationId: c.id, pinnedBy: by, pinnedAt: slackTime(pin?.created) ?? at })
          }
          done++
        }
        options.progress?.({ kind: 'messages', done })
      }
    }
    await out.close()
    let blobs = 0
    if (existsSync(join(options.out, 'files'))) blobs = (await readdir(join(options.out, 'files'))).length
    const manifest: ExportManifest = {
      format: EXPORT_FORMAT,
      version: EXPORT_VERSION,
      createdAt: now,
      workspace: { id: `slack:${options.slug}`, slug: options.slug, name: options.slug },
      counts: out.counts,
      blobs,
    }
    await writeFile(join(options.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 })
    return { manifest, skipped }
  } finally {
    zip.close()
  }
}

/** A file's body from the folder given, hashed into the export's files/ (null when it is not there). */
async function loadBody(dir: string, f: SlackFile, out: string): Promise<{ sha256: string; size: number } | null> {
  const candidates = [join(dir, f.id!, f.name ?? ''), join(dir, f.id!)]
  for (const path of candidates) {
    const info = await stat(path).catch(() => null)
    if (!info?.isFile()) continue
    const hash = createHash('sha256')
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
    const sha256 = hash.digest('hex')
    await mkdir(join(out, 'files'), { recursive: true, mode: 0o700 })
    await copyFile(path, join(out, 'files', sha256))
    return { sha256, size: info.size }
  }
  return null
}
