import type { Command } from 'commander'
import type { Conversation, DndStatus, Draft, Unreads } from '@ocomms/shared'
import { textArg, positiveInt, UsageError, type Cli } from '../context.js'
import { messageLink } from '@ocomms/shared/core'
import { conversationLabel, messageLine, table, when } from '../format.js'
import { action } from './action.js'

const targetHelp = '#channel, @handle (DM), @a,@b (group DM) or a conversation id'
const refHelp = 'a message id (from --json output) or #channel/SEQ'

const units: Record<string, number> = { m: 1, min: 1, h: 60, d: 1440, w: 10080 }

/** A DURATION: `90` (minutes), `30m`, `2h`, `1h30m`, `1d`, `1w`; answered in whole minutes. */
export function parseDuration(raw: string): number {
  const text = raw.trim().toLowerCase()
  if (/^\d+$/.test(text)) return Number(text)
  const parts = [...text.matchAll(/(\d+)\s*(min|m|h|d|w)/g)]
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.replace(/\s+/g, '')) {
    throw new UsageError(`"${raw}" is not a duration: use e.g. 30m, 2h, 1h30m, 1d.`)
  }
  const minutes = parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0)
  if (minutes < 1) throw new UsageError(`"${raw}" is not a duration of at least a minute.`)
  return minutes
}

/** A TIME: an ISO date-time, or HH:MM (the next time the local clock shows it). */
export function parseTime(raw: string, now = new Date()): string {
  const hm = /^(\d{1,2}):(\d{2})$/.exec(raw.trim())
  if (hm) {
    const h = Number(hm[1])
    const m = Number(hm[2])
    if (h > 23 || m > 59) throw new UsageError(`"${raw}" is not a time of day.`)
    const at = new Date(now)
    at.setHours(h, m, 0, 0)
    if (at <= now) at.setDate(at.getDate() + 1)
    return at.toISOString()
  }
  const ms = Date.parse(raw)
  if (Number.isNaN(ms)) throw new UsageError(`"${raw}" is not a time: use HH:MM or an ISO date-time like 2030-01-31T18:00:00Z.`)
  return new Date(ms).toISOString()
}

/** Labels (#name, @handle) of every conversation the daemon knows. */
async function labels(cli: Cli): Promise<(id: string) => string> {
  const me = await cli.rpc('profile.whoami', {})
  const { conversations } = await cli.rpc('conversations.list', { all: true })
  const map = new Map(conversations.map((c) => [c.id, conversationLabel(c, me.user.handle)]))
  return (id) => map.get(id) ?? id
}

function dndLine(s: DndStatus): string {
  const lines = [s.active ? `Do not disturb is ON (${s.reason === 'snooze' ? 'snoozed' : 'outside your scheduled hours'})${s.until ? ` until ${when(s.until)}` : ''}.` : 'Do not disturb is off.']
  lines.push(`schedule:  ${s.schedule ?? '(none)'}`)
  lines.push(`time zone: ${s.timeZone}`)
  return lines.join('\n')
}

/** The `dnd status` JSON: the contract's fields first, the rest of the server's answer too. */
function dndJson(s: DndStatus) {
  return { active: s.active, reason: s.reason, until: s.until, schedule: s.schedule, timeZone: s.timeZone, snoozeUntil: s.snoozeUntil, scheduleOffUntil: s.scheduleOffUntil }
}

function unreadsText(u: Unreads, label: (c: Conversation) => string): string {
  if (u.total === 0 && u.conversations.length === 0 && u.threads.length === 0) return 'Nothing unread.'
  const rows: Array<Array<string | number>> = [
    ...u.conversations.map((c) => [label(c.conversation) + (c.muted ? ' (muted)' : ''), c.unread, c.mentions]),
    ...u.threads.map((th) => [`thread ${th.root.id.slice(0, 8)} "${th.root.text.split('\n')[0]!.slice(0, 40)}"`, th.unread, th.mentions]),
  ]
  return `${table(['where', 'unread', 'mentions'], rows)}\n${u.total} unread, ${u.totalMentions} mentioning you`
}

export function registerAttention(program: Command): void {
  program
    .command('unreads')
    .option('--all', 'also list conversations with nothing unread')
    .summary('everything unread: channels, DMs and followed threads')
    .description('One view of everything unread in the current workspace: channels, DMs and followed threads, with unread and mention counts (messages by others only).')
    .action(
      action(async (cli, opts: { all?: boolean }) => {
        const u = await cli.call('unreads', opts.all ? { all: true } : {})
        const me = cli.globals.json ? '' : (await cli.rpc('profile.whoami', {})).user.handle
        cli.out(u, () => unreadsText(u, (c) => conversationLabel(c, me)))
      }),
    )

  program
    .command('mark-read')
    .argument('<target>', targetHelp)
    .option('--thread <msg>', `mark this thread read instead (${refHelp})`)
    .summary('mark a conversation (or thread) read')
    .description('Mark a conversation read up to its latest message (with --thread, a thread).')
    .action(
      action(async (cli, target: string, opts: { thread?: string }) => {
        const c = await cli.target(target)
        const root = opts.thread ? await cli.message(opts.thread) : null
        const res = await cli.call('read.mark', { conversationId: c.id, ...(root ? { threadRootId: root.threadRootId ?? root.id } : {}) })
        cli.say(`Marked ${root ? 'the thread' : target} read.`)
        cli.out(res)
      }),
    )

  program
    .command('mark-unread')
    .argument('<msg>', refHelp)
    .summary('make a message and everything after it unread')
    .description('Make MSG and every message after it unread (within its thread, for a reply).')
    .action(
      action(async (cli, ref: string) => {
        const m = await cli.message(ref)
        const res = await cli.call('read.markUnread', { messageId: m.id })
        cli.say(`Marked unread from message ${m.seq} on.`)
        cli.out(res)
      }),
    )

  program
    .command('mentions')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'))
    .summary('messages that mentioned you, newest first')
    .description('Messages that mentioned you (by handle, @channel, @here or one of your keywords), newest first.')
    .action(
      action(async (cli, opts: { limit?: number }) => {
        const items = await cli.call('mentions.list', opts.limit ? { limit: opts.limit } : {})
        if (cli.globals.json) return cli.out(items)
        const label = await labels(cli)
        cli.out(items, () =>
          items.length === 0 ? 'No mentions.' : items.map((m) => `${label(m.conversationId)}  ${messageLine(m).trimStart()}  [${m.mention.kind}${m.mention.keyword ? `: ${m.mention.keyword}` : ''}]\n      ${messageLink(m)}`).join('\n'),
        )
      }),
    )

  program
    .command('draft')
    .argument('<target>', targetHelp)
    .argument('[text]', 'the draft; "-" reads it from stdin; without it, prints the draft')
    .option('--thread <msg>', `the draft of a reply in this thread (${refHelp})`)
    .option('--clear', 'drop the draft')
    .summary('keep, show or clear a draft (every device sees it)')
    .description('Keep a draft for a conversation or thread on the server, so every device sees it. While the server is unreachable it is kept locally and written through on reconnect.')
    .action(
      action(async (cli, target: string, text: string | undefined, opts: { thread?: string; clear?: boolean }) => {
        const c = await cli.target(target)
        const root = opts.thread ? await cli.message(opts.thread) : null
        const threadRootId = root ? (root.threadRootId ?? root.id) : undefined
        if (text === undefined && !opts.clear) {
          const drafts = await cli.call('draft.list', {})
          const d = drafts.find((x) => x.conversationId === c.id && x.threadRootId === (threadRootId ?? null)) ?? null
          return cli.out(d, () => (d ? d.text : '(no draft)'))
        }
        if (text !== undefined && opts.clear) throw new UsageError('Give TEXT or --clear, not both.')
        const res = await cli.rpc('drafts.set', { conversationId: c.id, text: opts.clear ? '' : textArg(text!), ...(threadRootId ? { threadRootId } : {}) })
        if (res.queued) cli.say('queued: the server is unreachable; the draft will be saved when the connection is back.')
        else cli.say(opts.clear ? 'Draft cleared.' : 'Draft saved.')
        cli.out({ queued: res.queued, draft: res.draft })
      }),
    )

  program
    .command('drafts')
    .summary('your drafts, newest first')
    .description('Your drafts in the current workspace, newest first.')
    .action(
      action(async (cli) => {
        const drafts: Draft[] = await cli.call('draft.list', {})
        if (cli.globals.json) return cli.out(drafts)
        const label = await labels(cli)
        cli.out(drafts, () =>
          drafts.length === 0 ? 'No drafts.' : table(['where', 'updated', 'text'], drafts.map((d) => [label(d.conversationId) + (d.threadRootId ? ' (thread)' : ''), when(d.updatedAt), d.text.split('\n')[0]!])),
        )
      }),
    )

  program
    .command('status')
    .option('--text <text>', 'what to say, e.g. "in a meeting"')
    .option('--emoji <emoji>', ':shortcode: or the character')
    .option('--expires <duration>', 'clear it after this long (30m, 2h, 1d)')
    .option('--clear', 'clear your status')
    .summary('show or set your custom status')
    .description('Set your custom status (text, emoji, expiry), clear it, or with no options show it.')
    .action(
      action(async (cli, opts: { text?: string; emoji?: string; expires?: string; clear?: boolean }) => {
        if (opts.clear) {
          await cli.call('status.clear', {})
          cli.say('Status cleared.')
          return cli.out(null)
        }
        if (opts.text === undefined && opts.emoji === undefined) {
          const me = await cli.rpc('profile.whoami', {})
          const m = await cli.call('member.get', { member: me.user.handle })
          return cli.out(m.status, () => (m.status ? `${m.status.emoji ?? ''} ${m.status.text}${m.status.expiresAt ? `  (until ${when(m.status.expiresAt)})` : ''}`.trim() : '(no status)'))
        }
        const status = await cli.call('status.set', {
          text: opts.text ?? '',
          ...(opts.emoji !== undefined ? { emoji: opts.emoji } : {}),
          ...(opts.expires !== undefined ? { expiresInMinutes: parseDuration(opts.expires) } : {}),
        })
        cli.out(status, () => (status ? `Status: ${status.emoji ?? ''} ${status.text}${status.expiresAt ? `  (until ${when(status.expiresAt)})` : ''}` : 'Status cleared.'))
      }),
    )

  program
    .command('presence')
    .argument('<mode>', 'auto (online or away from activity), away or busy')
    .summary('set your presence: auto, away or busy')
    .description('auto: online or away from your activity; away or busy: shown as set until you choose auto again.')
    .action(
      action(async (cli, mode: string) => {
        if (mode !== 'auto' && mode !== 'away' && mode !== 'busy') throw new UsageError(`"${mode}" is not a presence: use auto, away or busy.`)
        const res = await cli.call('presence.set', { mode })
        cli.out(res, () => `Presence: ${res.mode} (others see you as ${res.presence.presence}).`)
      }),
    )

  const dnd = program
    .command('dnd')
    .summary('do not disturb: on, off, schedule, status')
    .description('Do not disturb: while it is on, the daemon records notifications but holds them back (see ocomms notifications).')
  dnd
    .command('on')
    .option('--for <duration>', 'for this long (30m, 2h, 1d; default 1h)')
    .option('--until <time>', 'until this time (HH:MM or an ISO date-time)')
    .description('Turn do not disturb on for a while (default one hour).')
    .action(
      action(async (cli, opts: { for?: string; until?: string }) => {
        if (opts.for && opts.until) throw new UsageError('Give --for or --until, not both.')
        const s = await cli.call('dnd.snooze', opts.until ? { until: parseTime(opts.until) } : { minutes: parseDuration(opts.for ?? '1h') })
        cli.out(dndJson(s), () => dndLine(s))
      }),
    )
  dnd
    .command('off')
    .description('Turn do not disturb off now (during scheduled hours: until the next scheduled period).')
    .action(
      action(async (cli) => {
        const s = await cli.call('dnd.off', {})
        cli.out(dndJson(s), () => dndLine(s))
      }),
    )
  dnd
    .command('schedule')
    .argument('<spec>', 'the hours notifications are ALLOWED, e.g. "mon-fri 09:00-18:00"; "none" removes the schedule')
    .option('--tz <zone>', 'your IANA time zone, e.g. Europe/Paris (default: unchanged)')
    .description('Set the weekly hours when notifications are allowed; outside them, do not disturb is on. See docs/attention.md for the grammar.')
    .addHelpText('after', '\nExamples:\n  ocomms dnd schedule "mon-fri 09:00-18:00" --tz Europe/Paris\n  ocomms dnd schedule "mon-fri 09:00-12:00,13:00-18:00; sat 10:00-12:00"\n  ocomms dnd schedule none')
    .action(
      action(async (cli, spec: string, opts: { tz?: string }) => {
        const none = ['none', 'off', ''].includes(spec.trim().toLowerCase())
        const s = await cli.call('dnd.schedule', { spec: none ? null : spec, ...(opts.tz ? { timeZone: opts.tz } : {}) })
        cli.out(dndJson(s), () => dndLine(s))
      }),
    )
  dnd
    .command('status')
    .description('Whether do not disturb is on now, why and until when, with your schedule and time zone.')
    .action(
      action(async (cli) => {
        const s = await cli.call('dnd.get', {})
        cli.out(dndJson(s), () => dndLine(s))
      }),
    )

  program
    .command('notify')
    .argument('<target>', targetHelp)
    .argument('<level>', 'all, mentions or none')
    .option('--mute', 'mute the conversation too (shown quietly, no notifications)')
    .summary('your notification preference for a conversation')
    .description('Set which messages of a conversation notify you: all, mentions (and DMs) or none; --mute mutes it (without --mute it is unmuted).')
    .action(
      action(async (cli, target: string, level: string, opts: { mute?: boolean }) => {
        if (level !== 'all' && level !== 'mentions' && level !== 'none') throw new UsageError(`"${level}" is not a level: use all, mentions or none.`)
        const c = await cli.target(target)
        const pref = await cli.call('notify.set', { conversationId: c.id, level, muted: Boolean(opts.mute) })
        cli.out(pref, () => `${target}: ${pref.effectiveLevel}${pref.muted ? ', muted' : ''}`)
      }),
    )

  program
    .command('keywords')
    .argument('[action]', 'add or remove (without it: list your keywords)')
    .argument('[word]', 'the keyword')
    .summary('your personal keywords (they notify you like a mention)')
    .description('List, add or remove personal keywords: a message containing one as a whole word (any case) notifies you.')
    .action(
      action(async (cli, verb: string | undefined, word: string | undefined) => {
        let res: { keywords: string[] }
        if (verb === undefined) res = await cli.call('keywords.get', {})
        else if (verb !== 'add' && verb !== 'remove') throw new UsageError(`"${verb}" is not add or remove.`)
        else if (!word) throw new UsageError(`keywords ${verb} needs a WORD.`)
        else res = await cli.call(verb === 'add' ? 'keywords.add' : 'keywords.remove', { word })
        cli.out(res, () => (res.keywords.length === 0 ? 'No keywords.' : res.keywords.join('\n')))
      }),
    )

  program
    .command('notifications')
    .option('--limit <n>', 'at most this many (default 50)', positiveInt('--limit'))
    .summary("the daemon's notification history")
    .description('Notifications this daemon received, newest first, each with whether it was shown or held back (by do not disturb or a preference).')
    .action(
      action(async (cli, opts: { limit?: number }) => {
        const list = await cli.rpc('notifications.list', opts.limit ? { limit: opts.limit } : {})
        cli.out(list, () =>
          list.length === 0
            ? 'No notifications.'
            : table(['time', 'shown', 'from', 'text'], list.map((n) => [when(n.at), n.shown ? 'yes' : `held (${n.heldBy})`, n.title, n.body.split('\n')[0]!.slice(0, 60)])),
        )
      }),
    )

  for (const [name, op, verb] of [['follow', 'thread.follow', 'Following'], ['unfollow', 'thread.unfollow', 'No longer following']] as const) {
    program
      .command(name)
      .argument('<msg>', refHelp)
      .summary(`${name} a thread`)
      .description(name === 'follow' ? 'Follow a thread: its replies count in your unreads and notify you.' : 'Stop following a thread (until you reply in it again).')
      .action(
        action(async (cli, ref: string) => {
          const m = await cli.message(ref)
          const rootId = m.threadRootId ?? m.id
          await cli.call(op, { messageId: rootId })
          cli.say(`${verb} the thread.`)
          cli.out({ ok: true, messageId: rootId })
        }),
      )
  }
}
