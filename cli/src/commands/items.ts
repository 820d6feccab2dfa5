import type { Command } from 'commander'
import type { Message } from '@ocomms/shared'
import { positiveInt, UsageError } from '../context.js'
import { linkedMessageLine, messageLine } from '../format.js'
import { action } from './action.js'

const refHelp = 'a message id (from --json output) or #channel/SEQ'

/** One line per message, or a sentence when there are none. */
const lines = (messages: Message[], empty: string) => (messages.length === 0 ? empty : messages.map((m) => linkedMessageLine(m)).join('\n'))

/** Reactions, pins and saved items: small acts on one message. */
export function registerItems(program: Command): void {
  program
    .command('react')
    .argument('<msg>', refHelp)
    .argument('<emoji>', ':shortcode: (e.g. :+1:) or the emoji itself')
    .option('--remove', 'take the reaction back')
    .summary('react to a message (or --remove the reaction)')
    .description('Add your reaction to a message; :+1: and 👍 are the same reaction. Prints the message with its reactions.')
    .action(
      action(async (cli, ref: string, emoji: string, opts: { remove?: boolean }) => {
        if (emoji.trim() === '') throw new UsageError('EMOJI is empty: give a :shortcode: or an emoji.')
        const m = await cli.message(ref)
        const updated = await cli.call(opts.remove ? 'reaction.remove' : 'reaction.add', { messageId: m.id, emoji })
        cli.out(updated, () => {
          const summary = updated.reactions.map((r) => `${r.emoji} ${r.count}`).join('  ')
          return `${messageLine(updated)}\n      ${summary || '(no reactions)'}`
        })
      }),
    )

  program
    .command('pin')
    .argument('<msg>', refHelp)
    .summary('pin a message to its conversation')
    .description('Pin a message to its conversation, for every member to find with `ocomms pins`.')
    .action(
      action(async (cli, ref: string) => {
        const m = await cli.message(ref)
        const pinned = await cli.call('pin.add', { messageId: m.id })
        cli.say('Pinned.')
        cli.out(pinned)
      }),
    )

  program
    .command('unpin')
    .argument('<msg>', refHelp)
    .summary('unpin a message')
    .description('Unpin a message from its conversation.')
    .action(
      action(async (cli, ref: string) => {
        const m = await cli.message(ref)
        const unpinned = await cli.call('pin.remove', { messageId: m.id })
        cli.say('Unpinned.')
        cli.out(unpinned)
      }),
    )

  program
    .command('pins')
    .argument('<target>', '#channel, @handle (DM), @a,@b (group DM) or a conversation id')
    .summary('list the pinned messages of a conversation')
    .description('The pinned messages of a conversation, most recently pinned first (--json adds pinnedBy and pinnedAt).')
    .action(
      action(async (cli, target: string) => {
        const c = await cli.target(target)
        const pins = await cli.call('pin.list', { conversationId: c.id })
        cli.out(pins, () =>
          pins.length === 0 ? '(nothing pinned)' : pins.map((p) => `${linkedMessageLine(p)}\n      pinned by @${p.pinnedBy.handle}`).join('\n'),
        )
      }),
    )

  program
    .command('save')
    .argument('<msg>', refHelp)
    .summary('save a message for later (a personal bookmark)')
    .description('Save a message for later. Only you see your saved items (`ocomms saved`).')
    .action(
      action(async (cli, ref: string) => {
        const m = await cli.message(ref)
        const saved = await cli.call('saved.add', { messageId: m.id })
        cli.say('Saved.')
        cli.out(saved)
      }),
    )

  program
    .command('unsave')
    .argument('<msg>', refHelp)
    .summary('remove a message from your saved items')
    .description('Remove a message from your saved items.')
    .action(
      action(async (cli, ref: string) => {
        const m = await cli.message(ref)
        await cli.call('saved.remove', { messageId: m.id })
        cli.say('Removed from saved items.')
        cli.out({ ok: true, id: m.id })
      }),
    )

  program
    .command('saved')
    .option('--limit <n>', 'how many (default 50)', positiveInt('--limit'))
    .summary('list your saved messages')
    .description('Your saved messages in this workspace, most recently saved first.')
    .action(
      action(async (cli, opts: { limit?: number }) => {
        const saved = await cli.call('saved.list', { limit: Math.min(opts.limit ?? 50, 100) })
        cli.out(saved, () => lines(saved, '(no saved messages)'))
      }),
    )
}
