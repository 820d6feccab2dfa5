import type { EventData } from '@ocomms/shared'
import { recordAudit } from '../audit/record.js'
import { transaction, type PendingEvent } from '../events/transaction.js'
import { release } from '../files/store.js'
import * as load from '../queries.js'
import { rootSummary } from '../messages/send.js'
import type { Services } from '../services.js'

/** Messages (or files) deleted per transaction: each batch commits, and publishes, on its own. */
export const RETENTION_BATCH = 500

export interface SweepResult {
  messages: number
  files: number
}

/**
 * Deletes, in every workspace with a retention, the messages and files older than it. Messages
 * are deleted as `message.delete` does (text erased, place kept, so threads and seqs stay whole),
 * each with its `message.deleted` event under the conversation's next seq, and unpinned with
 * `message.unpinned`, so every client learns of it; batches of RETENTION_BATCH, one transaction
 * each, so no sweep holds locks for long. Each workspace swept gets one audit entry.
 */
export async function sweepRetention(services: Services, batch = RETENTION_BATCH): Promise<SweepResult> {
  const total: SweepResult = { messages: 0, files: 0 }
  const workspaces = await services.sql<{ id: string; m: number | null; f: number | null }[]>`
    select id, message_retention_days as m, file_retention_days as f from workspaces
     where message_retention_days is not null or file_retention_days is not null`
  for (const ws of workspaces) {
    const swept: SweepResult = { messages: 0, files: 0 }
    if (ws.m !== null) {
      for (;;) {
        const n = await sweepMessages(services, ws.id, ws.m, batch)
        swept.messages += n
        if (n < batch) break
      }
    }
    if (ws.f !== null) {
      for (;;) {
        const n = await sweepFiles(services, ws.id, ws.f, batch)
        swept.files += n
        if (n < batch) break
      }
    }
    if (swept.messages + swept.files > 0) {
      await recordAudit(services.sql, {
        workspaceId: ws.id,
        actorId: null,
        action: 'retention.swept',
        target: { type: 'workspace', id: ws.id },
        details: { messages: swept.messages, files: swept.files, messageDays: ws.m, fileDays: ws.f },
      })
      services.log.info({ workspaceId: ws.id, ...swept }, 'retention sweep')
    }
    total.messages += swept.messages
    total.files += swept.files
  }
  return total
}

async function sweepMessages(services: Services, workspaceId: string, days: number, batch: number): Promise<number> {
  return transaction(services, async (change) => {
    const doomed = await change.sql<{ id: string; conversation_id: string; thread_root_id: string | null; pinned: boolean }[]>`
      select m.id, m.conversation_id, m.thread_root_id, exists (select 1 from pins p where p.message_id = m.id) as pinned
        from messages m join conversations c on c.id = m.conversation_id
       where c.workspace_id = ${workspaceId} and m.deleted_at is null and m.created_at < now() - make_interval(days => ${days})
       order by m.created_at limit ${batch}
       for update of m skip locked`
    if (doomed.length === 0) return 0
    const ids = doomed.map((d) => d.id)
    await change.sql`update messages set deleted_at = now(), text = '' where id = any (${ids}::uuid[])`
    await change.sql`delete from reactions where message_id = any (${ids}::uuid[])`
    await change.sql`delete from mentions where message_id = any (${ids}::uuid[])`
    await change.sql`delete from pins where message_id = any (${ids}::uuid[])`
    // Threads whose replies went: their counts, as message.delete keeps them.
    const roots = [...new Set(doomed.map((d) => d.thread_root_id).filter((r): r is string => r !== null))]
    if (roots.length > 0) {
      await change.sql`
        update messages r set reply_count = (select count(*) from messages x where x.thread_root_id = r.id and x.deleted_at is null)
         where r.id = any (${roots}::uuid[])`
    }
    const summaries = new Map<string, ReturnType<typeof rootSummary>>()
    for (const root of roots) summaries.set(root, rootSummary(await load.message(change.sql, root)))
    // One seq per event, taken for all conversations of the batch at once.
    const counts = new Map<string, number>()
    for (const d of doomed) counts.set(d.conversation_id, (counts.get(d.conversation_id) ?? 0) + 1 + (d.pinned ? 1 : 0))
    const last = await change.nextSeqs('conversation', counts)
    const next = new Map([...last].map(([id, top]) => [id, top - counts.get(id)! + 1]))
    const events: PendingEvent[] = []
    for (const d of doomed) {
      const extras = { conversationId: d.conversation_id, workspaceId }
      const take = () => {
        const seq = next.get(d.conversation_id)!
        next.set(d.conversation_id, seq + 1)
        return seq
      }
      const root = d.thread_root_id ? summaries.get(d.thread_root_id) : undefined
      const data: EventData<'message.deleted'> = { messageId: d.id, threadRootId: d.thread_root_id, reason: 'retention', ...(root ? { root } : {}) }
      events.push({ stream: 'conversation', streamId: d.conversation_id, seq: take(), type: 'message.deleted', data, ...extras })
      if (d.pinned) {
        events.push({ stream: 'conversation', streamId: d.conversation_id, seq: take(), type: 'message.unpinned', data: { messageId: d.id, by: null, reason: 'deleted' }, ...extras })
      }
    }
    await change.recordMany(events)
    return doomed.length
  })
}

/**
 * Deletes a batch of old files. A live message that carried one changes how it looks (its files),
 * so it gets a `message.updated` event with its new state, like any other change to a message:
 * clients, and the server's cache of newest history pages, learn of it.
 */
async function sweepFiles(services: Services, workspaceId: string, days: number, batch: number): Promise<number> {
  const gone = await transaction(services, async (change) => {
    const rows = await change.sql<{ sha256: string; message_id: string | null; conversation_id: string }[]>`
      delete from files where id in (
        select id from files where workspace_id = ${workspaceId} and created_at < now() - make_interval(days => ${days})
         order by created_at limit ${batch} for update skip locked)
      returning sha256, message_id, conversation_id`
    const live = await change.sql<{ id: string; conversation_id: string }[]>`
      select id, conversation_id from messages
       where id = any (${[...new Set(rows.map((r) => r.message_id).filter((id): id is string => id !== null))]}::uuid[]) and deleted_at is null`
    if (live.length > 0) {
      const counts = new Map<string, number>()
      for (const m of live) counts.set(m.conversation_id, (counts.get(m.conversation_id) ?? 0) + 1)
      const last = await change.nextSeqs('conversation', counts)
      const next = new Map([...last].map(([id, top]) => [id, top - counts.get(id)! + 1]))
      const events: PendingEvent[] = []
      for (const m of live) {
        const seq = next.get(m.conversation_id)!
        next.set(m.conversation_id, seq + 1)
        const message = await load.message(change.sql, m.id)
        events.push({ stream: 'conversation', streamId: m.conversation_id, seq, type: 'message.updated', data: { message }, conversationId: m.conversation_id, workspaceId })
      }
      await change.recordMany(events)
    }
    return rows
  })
  // Blobs go after the commit, when no row refers to them (release checks under its lock).
  for (const sha256 of new Set(gone.map((g) => g.sha256))) await release(services, sha256)
  return gone.length
}

/** Sweeps a minute after start, then hourly; returns a function that stops it. */
export function startRetentionSweeper(services: Services): () => void {
  let running: Promise<unknown> | null = null
  const run = () => {
    running ??= sweepRetention(services)
      .catch((err: unknown) => services.log.warn({ err }, 'retention sweep failed'))
      .finally(() => (running = null))
  }
  const first = setTimeout(run, 60_000)
  const every = setInterval(run, 3600_000)
  first.unref()
  every.unref()
  return () => {
    clearTimeout(first)
    clearInterval(every)
  }
}
