import type { Command } from 'commander'
import { Option } from 'commander'
import { positiveInt, UsageError } from '../context.js'
import { bytes, colorLevel, conversationLabel, when } from '../format.js'
import { action } from './action.js'

const types = ['messages', 'files', 'people', 'channels'] as const

const grammar = `
Query grammar:
  words            all must match (stemmed: "deploying" finds "deploy")
  "exact phrase"   these words in this order
  -word            exclude
  from:@h  from:me          in:#channel  in:@h
  has:link|file|reaction|pin   is:thread
  before:DATE  after:DATE  on:DATE  during:YYYY-MM   (DATE is YYYY-MM-DD)

Examples:
  ocomms search 'deploy from:@ana in:#ops'
  ocomms search '"release notes" after:2026-01-01' --type messages
  ocomms search report --type files
`

export function registerSearch(program: Command): void {
  program
    .command('search')
    .argument('<query>', 'what to look for (see the grammar below)')
    .addOption(new Option('--type <type>', 'only this kind of result').choices(types))
    .option('--limit <n>', 'results per kind (default 20, at most 100)', positiveInt('--limit'))
    .summary('search messages, files, people and channels')
    .description(
      'Search what you may read in the current workspace. When the server cannot be reached, messages are searched ' +
        'in the local cache instead (stderr says so; --json has "local": true).',
    )
    .addHelpText('after', grammar)
    .action(
      action(async (cli, query: string, opts: { type?: (typeof types)[number]; limit?: number }) => {
        if (query.trim() === '') throw new UsageError('QUERY is empty.')
        const res = await cli.rpc('search', {
          query,
          ...(opts.type ? { type: opts.type } : {}),
          ...(opts.limit ? { limit: Math.min(opts.limit, 100) } : {}),
          timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        })
        if (res.local) cli.say('(the server is unreachable: searched the local cache, messages only)')
        const { renderSnippet } = await import('@ocomms/shared')
        const styled = colorLevel() === 0
        const hl = (s: string) => (styled ? renderSnippet(s, '[', ']') : renderSnippet(s, '\x1b[1;33m', '\x1b[0m'))
        cli.out(res, () => {
          const out: string[] = []
          const section = (title: string, rows: string[]) => {
            if (rows.length > 0) out.push(`${title}:`, ...rows.map((r) => `  ${r}`))
          }
          section(
            'Messages',
            res.messages.map((m) => `${conversationLabel(m.conversation)}/${m.seq}  ${when(m.createdAt)}  @${m.author.handle}: ${hl(m.snippet).replace(/\s*\n\s*/g, ' ')}`),
          )
          section('Files', res.files.map((f) => `${hl(f.snippet || f.name)}  ${bytes(f.size)}  ${conversationLabel(f.conversation)}  @${f.uploader.handle}  ${f.id}`))
          section('People', res.people.map((p) => `@${p.handle}  ${p.name}${p.state === 'active' ? '' : ` (${p.state})`}`))
          section('Channels', res.channels.map((c) => `#${c.name ?? '?'}${c.topic ? `  ${c.topic}` : ''}${c.isMember ? '' : '  (not joined)'}`))
          return out.length === 0 ? '(nothing found)' : out.join('\n')
        })
      }),
    )
}
