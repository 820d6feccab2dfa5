import type { Command } from 'commander'
import { knownEvent, type Event, type EventOf, type KnownEvent, type PresenceInfo, type TypingSignal } from '@ocomms/shared'
import { Cli } from '../context.js'
import { conversationLabel, messageLine } from '../format.js'

type TailEvent = Event | { type: string; [key: string]: unknown }

function human(event: TailEvent, labels: Map<string, string>, handles: Map<string, string>): string | null {
  const e = event as Event
  const where = e.conversationId ? (labels.get(e.conversationId) ?? e.conversationId) : ''
  const known = 'stream' in event && knownEvent(e) ? e : null
  switch (known?.type) {
    case 'message.created':
      return `${where}  ${messageLine(known.data.message).trimStart()}`
    case 'message.updated':
      return `${where}  edited: ${messageLine(known.data.message).trimStart()}`
    case 'message.deleted':
      return `${where}  a message was deleted`
    case 'conversation.updated':
      return `${where}  updated: topic "${known.data.conversation.topic}"`
  }
  switch (e.type) {
    case 'typing': {
      const t = event as unknown as TypingSignal
      return t.typing ? `${where}  @${t.handle} is typing${t.threadRootId ? ' (in a thread)' : ''}` : null
    }
    case 'presence': {
      const p = event as unknown as PresenceInfo
      return `@${handles.get(p.userId) ?? p.userId} is ${p.presence}${p.dnd ? ' (do not disturb)' : ''}`
    }
    default:
      return e.stream ? `${where || e.stream}  ${e.type}` : null
  }
}

/** Set when tail ends on an error, so the daemon connection it closes is not reported as the daemon stopping. */
let ending = false

export function registerTail(program: Command): void {
  program
    .command('tail')
    .argument('[targets...]', 'only these conversations (#channel, @handle, @a,@b or ids); default: everything')
    .summary('stream live events until Ctrl-C')
    .description(
      'Stream live events until interrupted (Ctrl-C). Human output is one line per message; with --json one event ' +
        'object per line ({"type","conversationId","seq","data",...}), including the daemon\'s own ' +
        '"daemon.connection" and "daemon.outbox.delivered" events, and the "typing" and "presence" signals ' +
        '({"type":"typing","conversationId","threadRootId","userId","handle","typing"}, {"type":"presence","userId","presence","status","dnd"}).',
    )
    .addHelpText('after', '\nExample:\n  ocomms tail --json \'#alerts\' | jq -r \'select(.type=="message.created") | .data.message.text\'')
    .action(async function (this: Command, targets: string[]) {
      const cli = Cli.of(this)
      try {
        await follow(cli, targets)
      } catch (err) {
        // Let the process end once the error is printed: an open daemon connection would keep it up.
        ending = true
        cli.close()
        throw err
      }
    })
}

async function follow(cli: Cli, targets: string[]): Promise<never> {
  const labels = new Map<string, string>()
  const ids: string[] = []
  for (const t of targets) {
    const c = await cli.target(t)
    ids.push(c.id)
    labels.set(c.id, conversationLabel(c))
  }
  const client = await cli.daemon()
  const me = await cli.rpc('profile.whoami', {})
  const { conversations } = await cli.rpc('conversations.list', { all: true })
  for (const c of conversations) labels.set(c.id, conversationLabel(c, me.user.handle))
  const handles = new Map<string, string>(conversations.flatMap((c) => (c.members ?? []).map((p) => [p.id, p.handle] as [string, string])))
  handles.set(me.user.id, me.user.handle)
  client.onEvent(({ event }) => {
    const e = event as TailEvent
    if ('stream' in e && knownEvent(e as Event) && (e as KnownEvent).type === 'conversation.added') {
      const c = (e as EventOf<'conversation.added'>).data.conversation
      labels.set(c.id, conversationLabel(c, me.user.handle))
    }
    if (cli.globals.json) {
      process.stdout.write(JSON.stringify(e) + '\n')
      return
    }
    if (e.type === 'daemon.connection') return cli.say(`(connection: ${String((e as Record<string, unknown>).connection)})`)
    if (e.type === 'daemon.outbox.delivered') return cli.say(`(queued message ${String((e as Record<string, unknown>).clientId)} delivered)`)
    if (e.type === 'daemon.outbox.failed') return cli.say(`(queued message ${String((e as Record<string, unknown>).clientId)} could not be delivered)`)
    const line = human(e, labels, handles)
    if (line) process.stdout.write(line + '\n')
  })
  client.onClose(() => {
    if (ending) return
    cli.say('ocomms: the daemon stopped')
    process.exit(3)
  })
  await cli.rpc('subscribe', ids.length > 0 ? { conversationIds: ids } : {})
  // On stderr in both modes: scripts can wait for it to know nothing sent from now is missed.
  cli.say(`tailing ${ids.length > 0 ? targets.join(' ') : 'everything'} (Ctrl-C to stop)`)
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      client.close()
      process.exit(0)
    })
  }
  return new Promise<never>(() => {})
}
