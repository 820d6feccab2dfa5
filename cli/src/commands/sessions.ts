import type { Command } from 'commander'
import { UsageError } from '../context.js'
import { table, when } from '../format.js'
import { action } from './action.js'

export function registerSessions(program: Command): void {
  const sessions = program
    .command('sessions')
    .summary('your signed-in sessions; end one, or all others')
    .description(
      'The sessions of your account on this server, most recently used first: where each signed in (client and address), ' +
        'when it was last used and when it ends unless used again (sessions renew on use, up to their lifetime). * marks this profile\'s.',
    )
    .action(
      action(async (cli) => {
        const list = await cli.call('auth.sessions.list', {})
        cli.out(list, () =>
          table(
            ['', 'ID', 'LAST USED', 'ENDS', 'SIGNED IN', 'FROM', 'CLIENT'],
            list.map((s) => [s.current ? '*' : '', s.id, when(s.lastUsedAt), s.expiresAt ? when(s.expiresAt) : 'never', when(s.createdAt), s.ip ?? '', (s.userAgent ?? '').slice(0, 40)]),
          ),
        )
      }),
    )
  sessions
    .command('revoke')
    .argument('[id]', 'the session to end (see `ocomms sessions`)')
    .option('--others', 'sign out everywhere else: end every session but this profile\'s, and void unused sign-in links')
    .description(
      'End a session: it is signed out at once and its connections close. With --others, end every session of your account ' +
        'but this one (after a lost laptop, or a password seen by someone else), which also voids sign-in links not used yet.',
    )
    .action(
      action(async (cli, id: string | undefined, opts: { others?: boolean }) => {
        if (Boolean(id) === Boolean(opts.others)) throw new UsageError('sessions revoke needs a session id or --others (not both).')
        if (opts.others) {
          const res = await cli.call('auth.sessions.revokeAll', { keepCurrent: true })
          cli.say(`Ended ${res.ended} other session${res.ended === 1 ? '' : 's'}; this one stays signed in.`)
          return cli.out(res)
        }
        const mine = await cli.call('auth.sessions.list', {})
        if (mine.find((s) => s.id === id)?.current) throw new UsageError('That is this profile\'s own session: use `ocomms logout` to end it.')
        await cli.call('auth.sessions.revoke', { sessionId: id! })
        cli.say(`Ended session ${id}.`)
        cli.out({ ok: true })
      }),
    )
}
