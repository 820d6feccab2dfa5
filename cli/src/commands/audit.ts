import type { Command } from 'commander'
import type { AuditEntry } from '@ocomms/shared'
import { positiveInt, UsageError } from '../context.js'
import { table, when } from '../format.js'
import { action } from './action.js'

function describe(e: AuditEntry): string {
  const details = Object.entries(e.details)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ')
  return [e.targetType && e.targetId ? `${e.targetType} ${e.targetId}` : '', details].filter(Boolean).join('  ')
}

export function registerAudit(program: Command): void {
  program
    .command('audit')
    .option('--limit <n>', 'how many entries (default 50, at most 500)', positiveInt('--limit'))
    .option('--before <id>', 'only entries older than this entry id (to page back)')
    .option('--action <name>', 'only this action, e.g. member.role_changed')
    .summary('the workspace\'s audit log (owners)')
    .description(
      'Administrative actions in the current workspace, newest first: role changes, deactivations, single sign-on and ' +
        'retention settings, exports and imports, channel archive. Owners only. See docs/audit-log.md.',
    )
    .action(
      action(async (cli, opts: { limit?: number; before?: string; action?: string }) => {
        const entries = await cli.call('audit.list', {
          limit: Math.min(opts.limit ?? 50, 500),
          ...(opts.before ? { before: opts.before } : {}),
          ...(opts.action ? { action: opts.action as AuditEntry['action'] } : {}),
        })
        cli.out(entries, () =>
          entries.length === 0
            ? '(no entries)'
            : table(
                ['ID', 'WHEN', 'WHO', 'ACTION', 'WHAT'],
                entries.map((e) => [e.id, when(e.at), e.actor ? `@${e.actor.handle}` : '(server)', e.action, describe(e)]),
              ),
        )
      }),
    )
}

/** "30" → 30 days; "off" → keep everything. */
function daysOption(name: string) {
  return (value: string): number | null => {
    if (value === 'off' || value === 'forever') return null
    if (!/^\d{1,5}$/.test(value) || Number(value) < 1) throw new UsageError(`${name} takes a number of days (1 or more) or "off", got "${value}".`)
    return Number(value)
  }
}

export function registerRetention(program: Command): void {
  program
    .command('retention')
    .option('--messages <days>', 'keep messages this many days ("off": forever)', daysOption('--messages'))
    .option('--files <days>', 'keep files this many days ("off": forever)', daysOption('--files'))
    .summary('show or set how long the workspace keeps messages and files (owners)')
    .description(
      'Without options, shows the current workspace\'s retention. With --messages or --files, sets it: an hourly sweep on the ' +
        'server then deletes older messages and files, and records what it deleted in the audit log. Owners only. See docs/retention.md.',
    )
    .action(
      action(async (cli, opts: { messages?: number | null; files?: number | null }) => {
        const change = { ...(opts.messages !== undefined ? { messageDays: opts.messages } : {}), ...(opts.files !== undefined ? { fileDays: opts.files } : {}) }
        const settings = Object.keys(change).length > 0 ? await cli.call('retention.set', change) : await cli.call('retention.get', {})
        const days = (n: number | null) => (n === null ? 'forever' : `${n} days`)
        cli.out(settings, () => `messages: kept ${days(settings.messageDays)}\nfiles:    kept ${days(settings.fileDays)}`)
      }),
    )
}
