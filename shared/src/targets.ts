import { channelNamePattern, handlePattern, limits } from './limits.js'

/**
 * The words people type to name a conversation or a message (docs/cli.md), parsed once here
 * so the daemon, the CLI and the TUI agree on them.
 *
 *   target:  `#name` (channel), `@handle` (DM), `@a,@b` (group DM), or a conversation id.
 *            A bare channel name (`general`) is accepted too: `#` starts a comment in shells.
 *   ref:     a message id, or `#channel/SEQ` (also `channel/SEQ`).
 */
export type Target =
  | { kind: 'channel'; name: string }
  | { kind: 'people'; handles: string[] }
  | { kind: 'id'; id: string }

/** A message: by id, or by its conversation and seq (`#dev/12`, `@ann/7`, `@ann,@bob/3`, `ID/5`). */
export type MessageRef = { kind: 'id'; id: string } | { kind: 'seq'; target: Target; seq: number }

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const channelRe = new RegExp(channelNamePattern)
const handleRe = new RegExp(handlePattern)

export function isId(value: string): boolean {
  return uuidPattern.test(value)
}

function channelName(raw: string): Parsed<string> {
  const name = raw.toLowerCase()
  if (!channelRe.test(name)) {
    return { ok: false, error: `"${raw}" is not a channel name: use lowercase letters, digits, "-" and "_" (at most ${limits.channelName}).` }
  }
  return { ok: true, value: name }
}

/** Parses a handle with or without its leading `@`. */
export function parseHandle(raw: string): Parsed<string> {
  const handle = raw.trim().replace(/^@/, '').toLowerCase()
  if (!handleRe.test(handle)) {
    return { ok: false, error: `"${raw}" is not a handle: a handle may use only lowercase letters, digits, ".", "_" and "-", starting with a letter or digit, at most ${limits.handle} characters.` }
  }
  return { ok: true, value: handle }
}

export function parseTarget(input: string): Parsed<Target> {
  const raw = input.trim()
  if (raw === '') return { ok: false, error: 'A target is required: #channel, @handle, @a,@b or a conversation id.' }
  if (raw.startsWith('@')) {
    const parts = raw.split(',').map((p) => p.trim())
    const handles: string[] = []
    for (const part of parts) {
      if (!part.startsWith('@')) return { ok: false, error: `"${raw}": write every person as @handle, separated by commas (@a,@b).` }
      const h = parseHandle(part)
      if (!h.ok) return h
      if (!handles.includes(h.value)) handles.push(h.value)
    }
    if (handles.length > limits.groupDmMembers - 1) {
      return { ok: false, error: `A group DM holds at most ${limits.groupDmMembers} people, you included.` }
    }
    return { ok: true, value: { kind: 'people', handles } }
  }
  if (isId(raw)) return { ok: true, value: { kind: 'id', id: raw.toLowerCase() } }
  const name = channelName(raw.startsWith('#') ? raw.slice(1) : raw)
  if (!name.ok) return { ok: false, error: `"${raw}" is not a target: expected #channel, @handle, @a,@b or a conversation id.` }
  return { ok: true, value: { kind: 'channel', name: name.value } }
}

export function parseMessageRef(input: string): Parsed<MessageRef> {
  const raw = input.trim()
  if (isId(raw)) return { ok: true, value: { kind: 'id', id: raw.toLowerCase() } }
  const m = /^(\S.*)\/(\d{1,15})$/.exec(raw)
  if (m) {
    const target = parseTarget(m[1]!)
    const seq = Number(m[2])
    if (target.ok && Number.isSafeInteger(seq) && seq >= 1) return { ok: true, value: { kind: 'seq', target: target.value, seq } }
  }
  return {
    ok: false,
    error: `"${raw}" is not a message reference: expected a message id, or the reference \`ocomms read\` prints in front of a message (#channel/SEQ, @handle/SEQ).`,
  }
}

/** How a target is written back (for messages and help). */
export function formatTarget(target: Target): string {
  if (target.kind === 'channel') return `#${target.name}`
  if (target.kind === 'people') return target.handles.map((h) => `@${h}`).join(',')
  return target.id
}

export function formatMessageRef(ref: MessageRef): string {
  return ref.kind === 'id' ? ref.id : `${formatTarget(ref.target)}/${ref.seq}`
}

/** An invite code, from the code itself or the whole invite link (`.../invite#code=...`). */
export function inviteCode(raw: string): string {
  const m = /[#?&]code=([^&#\s]+)/.exec(raw)
  return m ? decodeURIComponent(m[1]!) : raw.trim()
}
