import { effectiveLevel, KEYWORDS_MAX, normalizeKeyword, OCommsError, type NotifyLevel, type NotifyPref } from '@ocomms/shared'
import { mayRead, readableConversation, workspaceRole } from '../../access.js'
import { ensureRow } from '../../attention/settings.js'
import { transaction } from '../../events/transaction.js'
import type { HandlersFor } from '../handler.js'

interface PrefRow {
  conversation_id: string
  kind: 'public' | 'private' | 'dm' | 'group_dm'
  level: NotifyLevel | null
  muted: boolean
  ignore_channel_mentions: boolean
}

const prefOut = (row: PrefRow): NotifyPref => ({
  conversationId: row.conversation_id,
  level: row.level,
  effectiveLevel: effectiveLevel(row.kind, row.level),
  muted: row.muted,
  ignoreChannelMentions: row.ignore_channel_mentions,
})

export const notifyHandlers: HandlersFor<'notify'> & HandlersFor<'keywords'> = {
  'notify.get': async (ctx, input) => {
    const { sql } = ctx.services
    const c = await readableConversation(sql, input.conversationId, ctx.caller.userId)
    const [row] = await sql<PrefRow[]>`
      select conversation_id, level, muted, ignore_channel_mentions from notify_prefs
       where user_id = ${ctx.caller.userId} and conversation_id = ${c.id}`
    return prefOut({ conversation_id: c.id, kind: c.kind, level: null, muted: false, ignore_channel_mentions: false, ...row })
  },

  'notify.set': async (ctx, input) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      const c = await readableConversation(change.sql, input.conversationId, userId)
      const levelGiven = input.level !== undefined
      const [row] = await change.sql<PrefRow[]>`
        insert into notify_prefs (user_id, conversation_id, level, muted, ignore_channel_mentions)
        values (${userId}, ${c.id}, ${input.level ?? null}, ${input.muted ?? false}, ${input.ignoreChannelMentions ?? false})
        on conflict (user_id, conversation_id) do update
           set level = case when ${levelGiven} then excluded.level else notify_prefs.level end,
               muted = coalesce(${input.muted ?? null}::boolean, notify_prefs.muted),
               ignore_channel_mentions = coalesce(${input.ignoreChannelMentions ?? null}::boolean, notify_prefs.ignore_channel_mentions),
               updated_at = now()
        returning conversation_id, level, muted, ignore_channel_mentions`
      const pref = prefOut({ ...row!, kind: c.kind })
      await change.emit('user', userId, 'notify.updated', { pref }, { conversationId: c.id, workspaceId: c.workspaceId })
      return pref
    })
  },

  'notify.list': async (ctx, input) => {
    const { sql } = ctx.services
    await workspaceRole(sql, input.workspaceId, ctx.caller.userId)
    const rows = await sql<PrefRow[]>`
      select np.conversation_id, c.kind, np.level, np.muted, np.ignore_channel_mentions
        from notify_prefs np join conversations c on c.id = np.conversation_id and c.workspace_id = ${input.workspaceId}
       where np.user_id = ${ctx.caller.userId}
         and ${mayRead(sql, ctx.caller.userId)}
         and (np.level is not null or np.muted or np.ignore_channel_mentions)
       order by np.updated_at desc`
    return rows.map(prefOut)
  },

  'keywords.get': async (ctx) => {
    const [row] = await ctx.services.sql<{ keywords: string[] }[]>`
      select keywords from attention_settings where user_id = ${ctx.caller.userId}`
    return { keywords: row?.keywords ?? [] }
  },

  'keywords.add': async (ctx, input) => {
    const word = normalizeKeyword(input.word)
    if (!word) throw new OCommsError('invalid_input', 'A keyword needs at least one letter or digit.')
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      await ensureRow(change.sql, userId)
      const [row] = await change.sql<{ keywords: string[] }[]>`
        select keywords from attention_settings where user_id = ${userId} for update`
      if (row!.keywords.includes(word)) return { keywords: row!.keywords }
      if (row!.keywords.length >= KEYWORDS_MAX) throw new OCommsError('invalid_input', `You can have at most ${KEYWORDS_MAX} keywords; remove one first.`)
      const keywords = [...row!.keywords, word].sort()
      await change.sql`update attention_settings set keywords = ${keywords}, updated_at = now() where user_id = ${userId}`
      await change.emit('user', userId, 'keywords.updated', { keywords })
      return { keywords }
    })
  },

  'keywords.remove': async (ctx, input) => {
    const word = normalizeKeyword(input.word)
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      await ensureRow(change.sql, userId)
      const [row] = await change.sql<{ keywords: string[] }[]>`
        select keywords from attention_settings where user_id = ${userId} for update`
      if (!row!.keywords.includes(word)) throw new OCommsError('not_found', `"${word}" is not one of your keywords.`)
      const keywords = row!.keywords.filter((k) => k !== word)
      await change.sql`update attention_settings set keywords = ${keywords}, updated_at = now() where user_id = ${userId}`
      await change.emit('user', userId, 'keywords.updated', { keywords })
      return { keywords }
    })
  },
}
