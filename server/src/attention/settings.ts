import { dndState, formatDndSchedule, parseDndSchedule, type DndSchedule, type DndStatus, type PresenceMode } from '@ocomms/shared'
import type { Sql, TxSql } from '../db/connect.js'

type AnySql = Sql | TxSql

/** A person's attention settings (table attention_settings), with defaults when they have no row. */
export interface AttentionSettings {
  userId: string
  presenceMode: PresenceMode
  status: { text: string; emoji: string | null; expiresAt: Date | null } | null
  snoozeUntil: Date | null
  /** The schedule is suspended before this instant ("DND off" during scheduled hours). */
  scheduleOffUntil: Date | null
  /** Canonical SPEC text, and its parsed form. */
  schedule: string | null
  parsedSchedule: DndSchedule | null
  timeZone: string
  keywords: string[]
}

interface SettingsRow {
  user_id: string
  presence_mode: PresenceMode
  status_text: string | null
  status_emoji: string | null
  status_expires_at: Date | null
  dnd_snooze_until: Date | null
  dnd_schedule_off_until: Date | null
  dnd_schedule: string | null
  time_zone: string
  keywords: string[]
}

export const defaultSettings = (userId: string): AttentionSettings => ({
  userId,
  presenceMode: 'auto',
  status: null,
  snoozeUntil: null,
  scheduleOffUntil: null,
  schedule: null,
  parsedSchedule: null,
  timeZone: 'UTC',
  keywords: [],
})

function fromRow(row: SettingsRow): AttentionSettings {
  let parsedSchedule: DndSchedule | null = null
  try {
    parsedSchedule = row.dnd_schedule ? parseDndSchedule(row.dnd_schedule) : null
  } catch {
    // Stored schedules were validated on the way in; a grammar change must not break reads.
  }
  return {
    userId: row.user_id,
    presenceMode: row.presence_mode,
    status:
      row.status_text !== null || row.status_emoji !== null
        ? { text: row.status_text ?? '', emoji: row.status_emoji, expiresAt: row.status_expires_at }
        : null,
    snoozeUntil: row.dnd_snooze_until,
    scheduleOffUntil: row.dnd_schedule_off_until,
    schedule: row.dnd_schedule,
    parsedSchedule,
    timeZone: row.time_zone,
    keywords: row.keywords,
  }
}

export async function loadSettings(sql: AnySql, userIds: string[]): Promise<Map<string, AttentionSettings>> {
  const out = new Map<string, AttentionSettings>()
  if (userIds.length === 0) return out
  const rows = await sql<SettingsRow[]>`
    select user_id, presence_mode, status_text, status_emoji, status_expires_at, dnd_snooze_until, dnd_schedule_off_until, dnd_schedule, time_zone, keywords
      from attention_settings where user_id = any (${userIds}::uuid[])`
  for (const row of rows) out.set(row.user_id, fromRow(row))
  for (const id of userIds) if (!out.has(id)) out.set(id, defaultSettings(id))
  return out
}

export async function loadOne(sql: AnySql, userId: string): Promise<AttentionSettings> {
  return (await loadSettings(sql, [userId])).get(userId)!
}

/** Makes sure the person has a settings row, so updates can be plain UPDATEs that lock it. */
export async function ensureRow(sql: AnySql, userId: string): Promise<void> {
  await sql`insert into attention_settings (user_id) values (${userId}) on conflict do nothing`
}

/** The custom status as others see it: an expired one is already gone, even before the sweeper runs. */
export function visibleStatus(s: AttentionSettings, now = Date.now()) {
  if (!s.status) return null
  if (s.status.expiresAt && s.status.expiresAt.getTime() <= now) return null
  return { text: s.status.text, emoji: s.status.emoji, expiresAt: s.status.expiresAt ? s.status.expiresAt.toISOString() : null }
}

export function dndOf(s: AttentionSettings, now = Date.now()) {
  return dndState(now, s.snoozeUntil, s.parsedSchedule, s.timeZone, s.scheduleOffUntil)
}

export function dndStatus(s: AttentionSettings, now = Date.now()): DndStatus {
  const state = dndOf(s, now)
  return {
    ...state,
    snoozeUntil: s.snoozeUntil && s.snoozeUntil.getTime() > now ? s.snoozeUntil.toISOString() : null,
    scheduleOffUntil: s.scheduleOffUntil && s.scheduleOffUntil.getTime() > now ? s.scheduleOffUntil.toISOString() : null,
    schedule: s.parsedSchedule ? formatDndSchedule(s.parsedSchedule) : null,
    timeZone: s.timeZone,
  }
}
