import type { Command } from 'commander'
import type { AuditEntry } from '@ocomms/shared'
import { positiveInt } from '../context.js'
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
