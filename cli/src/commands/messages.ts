import type { Command } from 'commander'
import type { Message } from '@ocomms/shared'
import { parseMessageRef, parseTarget } from '@ocomms/shared/core'
import { positiveInt, textArg, type Cli } from '../context.js'
import { conversationLabel, linkedMessageLine, messageLine, refPrefix, richMessage } from '../format.js'
import { action } from './action.js'
import { uploadUnattached } from './files.js'

const targetHelp = '#channel, @handle (DM), @a,@b (group DM) or a conversation id'
const refHelp = 'the reference `ocomms read` prints (#channel/SEQ, @handle/SEQ) or a message id (from --json output)'

/** The root of the thread a ref points into (a reply's ref means its thread). */
async function threadRoot(cli: Cli, ref: string): Promise<Message> {
  const m = await cli.message(ref)
  return m.threadRootId ? cli.message(m.threadRootId) : m
}

export function registerMessages(program: Command): void {
  program
    .command('dm')
    .argument('<people>', '@handle, or @a,@b,... for a group DM (at most 8 others)')
    .summary('open a DM or group DM and print its id')
    .description('Open (or find) the DM or group DM with these people and print its id.')
    .action(
      action(async (cli, people: string) => {
        const c = await cli.target(people.startsWith('@') ? people : `@${people}`)
        cli.out(c, () => c.id)
      }),
    )

  program
    .command('send')
    .argument('<target>', targetHelp)
    .argument('<text>', 'the message (markdown); "-" reads it from stdin')
    .option('--thread <msg>', `reply in the thread of this message (${refHelp})`)
    .option('--also-channel', 'with --thread: show the reply in the channel too')
    .option('--file <path>', 'attach this file (repeat for several); the message is sent once they are uploaded', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .summary('send a message (queued while offline)')
    .description(
      'Send a message. It goes through the daemon\'s outbox: when the server cannot be reached it is queued ' +
        '(stderr says so) and delivered exactly once when the connection is back.',
    )
    .addHelpText('after', '\nExamples:\n  ocomms send \'#general\' "Hello, team"\n  ocomms send @ada "lunch?"\n  git log -1 | ocomms send \'#dev\' -\n  ocomms send \'#general\' "agreed" --thread \'#general/42\'')
    .action(
      action(async (cli, target: string, text: string, opts: { thread?: string; alsoChannel?: boolean; file: string[] }) => {
        const body = textArg(text)
        const c = await cli.target(target)
        const root = opts.thread ? await threadRoot(cli, opts.thread) : null
        // Files go up first, unattached; the message then names them (so it needs the server).
        const fileIds: string[] = []
        for (const path of opts.file) fileIds.push(await uploadUnattached(cli, c.id, path))
        const res = await cli.rpc('messages.send', {
          ...(fileIds.length ? { fileIds } : {}),
          conversationId: c.id,
          text: body,
          ...(root ? { threadRootId: root.id } : {}),
          ...(root && opts.alsoChannel ? { alsoToChannel: true } : {}),
        })
        if (res.queued || !res.message) {
          cli.say(`queued: the server is unreachable; the message will be delivered when the connection is back (clientId ${res.clientId}).`)
          return cli.out({ queued: true, clientId: res.clientId, conversationId: c.id })
        }
        const me = cli.globals.json ? undefined : (await cli.rpc('profile.whoami', {})).user.handle
        cli.out(res.message, () => linkedMessageLine(res.message!, refPrefix(c, me)))
      }),
    )

  program
    .command('read')
    .argument('<target>', `${targetHelp}; or a message reference (${refHelp}) to read that message and its thread`)
    .option('--limit <n>', 'how many messages (default 50, at most 200)', positiveInt('--limit'))
    .option('--before <msg>', `only messages older than this one (${refHelp}), to page back`)
    .option('--thread <msg>', `read the thread of this message instead (${refHelp})`)
    .summary('show a conversation\'s or thread\'s history')
    .description(
      'Show history, oldest first: each message\'s reference (#channel/SEQ, @handle/SEQ), time, author, text. ' +
        'Every command that takes a message accepts that reference, or the id from --json. Not every number is a ' +
        'message (edits, reactions and pins take numbers too): copy the reference read prints.',
    )
    .action(
      action(async (cli, target: string, opts: { limit?: number; before?: string; thread?: string }) => {
        // A message reference where a conversation is due: that message, with its thread.
        const atMessage = !parseTarget(target).ok && parseMessageRef(target).ok ? await cli.message(target) : null
        const c = atMessage ? await cli.target(atMessage.conversationId) : await cli.target(target)
        const before = opts.before ? await cli.message(opts.before) : null
        const threadRef = opts.thread ?? (atMessage ? atMessage.id : undefined)
        const root = threadRef ? await threadRoot(cli, threadRef) : null
        const res = await cli.rpc('messages.read', {
          conversationId: c.id,
          ...(opts.limit ? { limit: Math.min(opts.limit, 200) } : {}),
          ...(before ? { beforeSeq: before.seq } : {}),
          ...(root ? { threadRootId: root.id } : {}),
        })
        if (res.stale) cli.say('(the server is unreachable: showing cached messages)')
        if (cli.globals.json) return cli.out(res.messages)
        if (res.messages.length === 0) return cli.out(null, () => `(no messages in ${conversationLabel(c)})`)
        // Loaded only here: rendering markdown needs the whole shared package.
        const shared = await import('@ocomms/shared')
        const me = (await cli.rpc('profile.whoami', {})).user.handle
        const prefix = refPrefix(c, me)
        cli.out(res.messages, () => res.messages.map((m) => richMessage(shared, m, me, prefix)).join('\n'))
      }),
    )

  program
    .command('edit')
    .argument('<msg>', refHelp)
    .argument('<text>', 'the new text; "-" reads it from stdin')
    .summary('change one of your messages')
    .description('Change the text of one of your messages.')
    .action(
      action(async (cli, ref: string, text: string) => {
        const body = textArg(text)
        const m = await cli.message(ref)
        const edited = await cli.call('message.edit', { messageId: m.id, text: body })
        cli.out(edited, () => messageLine(edited))
      }),
    )

  program
    .command('delete')
    .argument('<msg>', refHelp)
    .summary('delete a message')
    .description('Delete a message (yours; admins may delete any). It stays as a "(deleted)" placeholder so threads hold.')
    .action(
      action(async (cli, ref: string) => {
        const m = await cli.message(ref)
        await cli.call('message.delete', { messageId: m.id })
        cli.say('Deleted.')
        cli.out({ ok: true, id: m.id })
      }),
    )
}
