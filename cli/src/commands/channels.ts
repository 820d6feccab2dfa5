import type { Command } from 'commander'
import type { Conversation } from '@ocomms/shared'
import { handleArg, textArg, UsageError, type Cli } from '../context.js'
import { conversationDetails, table } from '../format.js'
import { action } from './action.js'

/** A channel NAME argument: with or without its #. */
async function channel(cli: Cli, name: string): Promise<Conversation> {
  const raw = name.startsWith('#') ? name : `#${name}`
  const c = await cli.target(raw)
  if (c.kind !== 'public' && c.kind !== 'private') throw new UsageError(`${name} is not a channel.`)
  return c
}

export function registerChannels(program: Command): void {
  const ch = program
    .command('channel')
    .summary('create, list, join, leave and manage channels')
    .description('Channels: create, list, join, leave, invite, kick, topic, describe, info, archive. NAME may be written with or without #.')

  ch.command('create')
    .argument('<name>', 'lowercase letters, digits, "-" and "_"')
    .option('--private', 'only invited members can see it')
    .option('--topic <text>', 'what the channel is about right now')
    .option('--description <text>', 'what the channel is for')
    .description('Create a channel; you become its first member.')
    .action(
      action(async (cli, name: string, opts: { private?: boolean; topic?: string; description?: string }) => {
        const c = await cli.call('channel.create', {
          name: name.replace(/^#/, '').toLowerCase(),
          ...(opts.private ? { private: true } : {}),
          ...(opts.topic !== undefined ? { topic: opts.topic } : {}),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
        })
        cli.say(`Created ${c.kind === 'private' ? 'private ' : ''}channel #${c.name}.`)
        cli.out(c, () => conversationDetails(c))
      }),
    )

  ch.command('list')
    .option('--all', 'also list public channels you have not joined')
    .description('The channels you are in (with --all, every public channel too).')
    .action(
      action(async (cli, opts: { all?: boolean }) => {
        const { conversations, stale } = await cli.rpc('conversations.list', { all: Boolean(opts.all) })
        if (stale) cli.say('(the server is unreachable: this list is from the cache)')
        const channels = conversations.filter((c) => c.kind === 'public' || c.kind === 'private')
        cli.out(channels, () =>
          channels.length === 0
            ? 'No channels.'
            : table(
                ['CHANNEL', 'KIND', 'MEMBERS', 'JOINED', 'TOPIC'],
                channels.map((c) => [`#${c.name}`, c.kind + (c.archived ? ' (archived)' : ''), c.memberCount, c.isMember ? 'yes' : '', c.topic]),
              ),
        )
      }),
    )

  ch.command('join')
    .argument('<name>', 'a public channel')
    .description('Join a public channel (private ones need an invite from a member).')
    .action(
      action(async (cli, name: string) => {
        const c = await cli.call('conversation.join', { conversationId: (await channel(cli, name)).id })
        cli.say(`Joined #${c.name}.`)
        cli.out(c)
      }),
    )

  ch.command('leave')
    .argument('<name>', 'a channel you are in')
    .description('Leave a channel.')
    .action(
      action(async (cli, name: string) => {
        const c = await channel(cli, name)
        await cli.call('conversation.leave', { conversationId: c.id })
        cli.say(`Left #${c.name}.`)
        cli.out({ ok: true })
      }),
    )

  ch.command('invite')
    .argument('<name>', 'a channel you are in')
    .argument('<handles...>', 'one or more @handles')
    .description('Add people to a channel.')
    .action(
      action(async (cli, name: string, handles: string[]) => {
        const c = await channel(cli, name)
        const userIds = []
        for (const h of handles) userIds.push(await cli.memberId(handleArg(h)))
        const after = await cli.call('conversation.invite', { conversationId: c.id, userIds })
        cli.say(`Added ${handles.map((h) => `@${handleArg(h)}`).join(', ')} to #${c.name}.`)
        cli.out(after)
      }),
    )

  ch.command('kick')
    .argument('<name>', 'a channel')
    .argument('<handle>', '@handle of the person to remove')
    .description('Remove someone from a channel (workspace admins and the channel\'s creator).')
    .action(
      action(async (cli, name: string, handle: string) => {
        const c = await channel(cli, name)
        await cli.call('conversation.kick', { conversationId: c.id, userId: await cli.memberId(handleArg(handle)) })
        cli.say(`Removed @${handleArg(handle)} from #${c.name}.`)
        cli.out({ ok: true })
      }),
    )

  for (const [command, field, what] of [['topic', 'topic', 'the topic (what it is about right now)'], ['describe', 'description', 'the description (what it is for)']] as const) {
    ch.command(command)
      .argument('<name>', 'a channel you are in')
      .argument('<text>', `${what}; "-" reads it from stdin, "" clears it`)
      .description(`Set a channel's ${field}.`)
      .action(
        action(async (cli, name: string, text: string) => {
          const c = await channel(cli, name)
          const value = text === '' ? '' : textArg(text)
          const after = await cli.call('conversation.update', { conversationId: c.id, [field]: value })
          cli.say(`Set the ${field} of #${c.name}.`)
          cli.out(after)
        }),
      )
  }

  ch.command('info')
    .argument('<name>', 'a channel')
    .description('A channel\'s details: kind, topic, description, members.')
    .action(
      action(async (cli, name: string) => {
        const c = await channel(cli, name)
        cli.out(c, () => conversationDetails(c))
      }),
    )

  ch.command('archive')
    .argument('<name>', 'a channel')
    .description('Archive a channel: it stays readable and becomes read-only (workspace admins and its creator).')
    .action(
      action(async (cli, name: string) => {
        const c = await channel(cli, name)
        const after = await cli.call('conversation.archive', { conversationId: c.id })
        cli.say(`Archived #${c.name}.`)
        cli.out(after)
      }),
    )
}
