import { isId, parseTarget, type Parsed, type Target } from './targets.js'

/**
 * `ocomms://` links: what the desktop app opens when one is clicked anywhere on the system, and
 * what the CLI prints beside message references. Written once here for every frontend.
 *
 *   ocomms://channel/<id or name>            a channel
 *   ocomms://dm/<id or handle[,handle...]>   a DM or group DM
 *   ocomms://message/<conversationId>/<messageId>[?thread=<rootId>]
 *
 * Every kind takes an optional `server=<origin>`: the app opens it with the signed-in profile of
 * that server (a link shared between people names no local profile).
 */
export const LINK_SCHEME = 'ocomms'

export type OcommsLink = (
  | { kind: 'channel'; target: Target }
  | { kind: 'dm'; target: Target }
  | { kind: 'message'; conversationId: string; messageId: string; threadRootId: string | null }
) & { server: string | null }

const MAX_LINK = 2048

function serverOrigin(raw: string): string | null {
  try {
    const url = new URL(raw)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null
  } catch {
    return null
  }
}

const refuse = (raw: string, why: string): Parsed<OcommsLink> => ({ ok: false, error: `"${raw.slice(0, 200)}" is not an ocomms:// link: ${why}` })

export function parseLink(raw: string): Parsed<OcommsLink> {
  const input = raw.trim()
  if (input.length > MAX_LINK) return refuse(input, 'too long.')
  const m = /^ocomms:\/\/([a-z]+)\/([^?#]*)(?:\?([^#]*))?(?:#.*)?$/i.exec(input)
  if (!m) return refuse(input, 'expected ocomms://channel/NAME, ocomms://dm/HANDLE or ocomms://message/CONVERSATION/MESSAGE.')
  const kind = m[1]!.toLowerCase()
  let parts: string[]
  try {
    parts = m[2]!.split('/').filter((p) => p !== '').map(decodeURIComponent)
  } catch {
    return refuse(input, 'bad escape.')
  }
  const query = new URLSearchParams(m[3] ?? '')
  const serverParam = query.get('server')
  const server = serverParam === null ? null : serverOrigin(serverParam)
  if (serverParam !== null && server === null) return refuse(input, 'server must be an http(s) address.')

  if (kind === 'message') {
    const thread = query.get('thread')
    if (parts.length !== 2 || !parts.every(isId) || (thread !== null && !isId(thread))) return refuse(input, 'a message link is ocomms://message/CONVERSATION_ID/MESSAGE_ID.')
    return { ok: true, value: { kind, conversationId: parts[0]!.toLowerCase(), messageId: parts[1]!.toLowerCase(), threadRootId: thread?.toLowerCase() ?? null, server } }
  }
  if (kind !== 'channel' && kind !== 'dm') return refuse(input, `unknown kind "${kind}" (channel, dm or message).`)
  if (parts.length !== 1) return refuse(input, `a ${kind} link names one ${kind === 'dm' ? 'DM' : 'channel'}.`)
  const part = parts[0]!
  const target = parseTarget(kind === 'dm' && !isId(part) ? part.split(',').map((h) => '@' + h.replace(/^@/, '')).join(',') : isId(part) ? part : '#' + part.replace(/^#/, ''))
  if (!target.ok) return refuse(input, target.error)
  if (kind === 'channel' && target.value.kind === 'people') return refuse(input, 'a channel link names a channel.')
  return { ok: true, value: { kind, target: target.value, server } }
}

export function formatLink(link: OcommsLink): string {
  const q = new URLSearchParams()
  let path: string
  if (link.kind === 'message') {
    path = `message/${link.conversationId}/${link.messageId}`
    if (link.threadRootId) q.set('thread', link.threadRootId)
  } else {
    const t = link.target
    const name = t.kind === 'id' ? t.id : t.kind === 'channel' ? t.name : t.handles.join(',')
    path = `${link.kind}/${encodeURIComponent(name).replace(/%2C/g, ',')}`
  }
  if (link.server) q.set('server', link.server)
  const query = q.toString()
  return `${LINK_SCHEME}://${path}${query ? `?${query}` : ''}`
}

/** The link of a message, as the CLI prints it next to the message. */
export function messageLink(m: { id: string; conversationId: string; threadRootId: string | null }, server?: string | null): string {
  return formatLink({ kind: 'message', conversationId: m.conversationId, messageId: m.id, threadRootId: m.threadRootId, server: server ? serverOrigin(server) : null })
}

/** The conversation a link opens, as a target the daemon resolves (`resolve.target`). */
export function linkTarget(link: OcommsLink): string {
  if (link.kind === 'message') return link.conversationId
  const t = link.target
  return t.kind === 'id' ? t.id : t.kind === 'channel' ? `#${t.name}` : t.handles.map((h) => `@${h}`).join(',')
}
