import { DndScheduleError, formatDndSchedule, isValidTimeZone, OCommsError, parseDndSchedule, resolveEmoji } from '@ocomms/shared'
import { dndOf, dndStatus, ensureRow, loadOne, visibleStatus } from '../../attention/settings.js'
import { transaction, type Change } from '../../events/transaction.js'
import { rooms } from '../../realtime/rooms.js'
import type { HandlersFor } from '../handler.js'

/** After a settings change commits, presence watchers hear about it. */
function refreshAfter(change: Change, userId: string) {
  change.afterCommit(() => change.services.attention.presence.refresh(userId))
}

/** Locks the caller's settings row (creating it) so concurrent changes apply one after the other. */
async function lockSettings(change: Change, userId: string) {
  await ensureRow(change.sql, userId)
  await change.sql`select 1 from attention_settings where user_id = ${userId} for update`
}

async function dndEvent(change: Change, userId: string) {
  const status = dndStatus(await loadOne(change.sql, userId))
  await change.emit('user', userId, 'dnd.updated', { dnd: status })
  refreshAfter(change, userId)
  return status
}

export const presenceHandlers: HandlersFor<'presence'> & HandlersFor<'status'> & HandlersFor<'dnd'> = {
  'presence.set': async (ctx, input) => {
    const userId = ctx.caller.userId
    await transaction(ctx.services, async (change) => {
      await lockSettings(change, userId)
      await change.sql`update attention_settings set presence_mode = ${input.mode}, updated_at = now() where user_id = ${userId}`
      await change.emit('user', userId, 'presence.updated', { mode: input.mode })
      refreshAfter(change, userId)
    })
    const [presence] = await ctx.services.attention.presence.infoFor([userId])
    return { mode: input.mode, presence: presence! }
  },

  'presence.activity': async (ctx) => {
    await ctx.services.attention.presence.activity(ctx.caller.userId)
    return { ok: true as const }
  },

  'presence.subscribe': async (ctx, input) => {
    if (!ctx.socketId) throw new OCommsError('invalid_input', 'Subscribe to presence over a socket: the signals are sent to the socket.')
    const { sql } = ctx.services
    // Only people who share an active workspace with the caller; anyone else is left out silently.
    const visible = input.userIds.length === 0 ? [] : await sql<{ user_id: string }[]>`
      select distinct them.user_id
        from workspace_members me
        join workspace_members them on them.workspace_id = me.workspace_id and them.state = 'active'
       where me.user_id = ${ctx.caller.userId} and me.state = 'active' and them.user_id = any (${input.userIds}::uuid[])`
    const allowed = new Set(visible.map((r) => r.user_id))
    const ids = input.userIds.filter((id) => allowed.has(id))
    ctx.services.realtime.replaceSocketRooms(ctx.socketId, rooms.presence(''), ids.map(rooms.presence))
    return ctx.services.attention.presence.infoFor(ids)
  },

  'status.set': async (ctx, input) => {
    const userId = ctx.caller.userId
    const text = input.text.trim()
    let emoji: string | null = null
    if (input.emoji) {
      emoji = resolveEmoji(input.emoji)
      if (!emoji) throw new OCommsError('invalid_input', `"${input.emoji}" is not an emoji; use a :shortcode: or the emoji itself.`)
    }
    if (input.expiresAt && input.expiresInMinutes) throw new OCommsError('invalid_input', 'Give expiresAt or expiresInMinutes, not both.')
    const expiresAt = input.expiresInMinutes
      ? new Date(Date.now() + input.expiresInMinutes * 60_000)
      : input.expiresAt
        ? new Date(input.expiresAt)
        : null
    if (expiresAt && expiresAt.getTime() <= Date.now()) throw new OCommsError('invalid_input', 'The status would expire in the past.')
    const clear = !text && !emoji
    return transaction(ctx.services, async (change) => {
      await lockSettings(change, userId)
      await change.sql`
        update attention_settings
           set status_text = ${clear ? null : text}, status_emoji = ${emoji}, status_expires_at = ${clear ? null : expiresAt},
               updated_at = now()
         where user_id = ${userId}`
      const status = visibleStatus(await loadOne(change.sql, userId))
      await change.emit('user', userId, 'status.updated', { status })
      refreshAfter(change, userId)
      return status
    })
  },

  'status.clear': async (ctx) => {
    const userId = ctx.caller.userId
    await transaction(ctx.services, async (change) => {
      await lockSettings(change, userId)
      await change.sql`
        update attention_settings set status_text = null, status_emoji = null, status_expires_at = null, updated_at = now()
         where user_id = ${userId}`
      await change.emit('user', userId, 'status.updated', { status: null })
      refreshAfter(change, userId)
    })
    return { ok: true as const }
  },

  'dnd.get': async (ctx) => dndStatus(await loadOne(ctx.services.sql, ctx.caller.userId)),

  'dnd.snooze': async (ctx, input) => {
    const userId = ctx.caller.userId
    if ((input.minutes === undefined) === (input.until === undefined)) {
      throw new OCommsError('invalid_input', 'Give either minutes or until.')
    }
    const until = input.minutes !== undefined ? new Date(Date.now() + input.minutes * 60_000) : new Date(input.until!)
    if (until.getTime() <= Date.now()) throw new OCommsError('invalid_input', 'That time has already passed.')
    if (until.getTime() > Date.now() + 366 * 86_400_000) throw new OCommsError('invalid_input', 'Snooze for at most a year.')
    return transaction(ctx.services, async (change) => {
      await lockSettings(change, userId)
      await change.sql`update attention_settings set dnd_snooze_until = ${until}, updated_at = now() where user_id = ${userId}`
      return dndEvent(change, userId)
    })
  },

  'dnd.off': async (ctx) => {
    const userId = ctx.caller.userId
    return transaction(ctx.services, async (change) => {
      await lockSettings(change, userId)
      const settings = await loadOne(change.sql, userId)
      // Inside scheduled hours, "off" holds until the schedule would allow anyway; the next period starts as usual.
      const scheduled = dndOf({ ...settings, snoozeUntil: null })
      const offUntil = scheduled.active && scheduled.until ? new Date(scheduled.until) : settings.scheduleOffUntil
      await change.sql`
        update attention_settings set dnd_snooze_until = null, dnd_schedule_off_until = ${offUntil}, updated_at = now()
         where user_id = ${userId}`
      return dndEvent(change, userId)
    })
  },

  'dnd.schedule': async (ctx, input) => {
    const userId = ctx.caller.userId
    let spec: string | null | undefined = input.spec
    if (typeof spec === 'string') {
      if (!spec.trim() || /^(off|none)$/i.test(spec.trim())) spec = null
      else {
        try {
          spec = formatDndSchedule(parseDndSchedule(spec))
        } catch (err) {
          if (err instanceof DndScheduleError) throw new OCommsError('invalid_input', err.message)
          throw err
        }
      }
    }
    if (input.timeZone !== undefined && !isValidTimeZone(input.timeZone)) {
      throw new OCommsError('invalid_input', `"${input.timeZone}" is not an IANA time zone (like Europe/Berlin or America/New_York).`)
    }
    return transaction(ctx.services, async (change) => {
      await lockSettings(change, userId)
      await change.sql`
        update attention_settings
           set dnd_schedule = case when ${spec !== undefined} then ${spec ?? null} else dnd_schedule end,
               dnd_schedule_off_until = null,
               time_zone = coalesce(${input.timeZone ?? null}, time_zone),
               updated_at = now()
         where user_id = ${userId}`
      return dndEvent(change, userId)
    })
  },
}
