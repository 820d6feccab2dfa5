import { transaction } from '../events/transaction.js'
import type { Services } from '../services.js'
import { PresenceService } from './presence.js'
import type { PresenceRegistry } from './presence-registry.js'
import { TypingService } from './typing.js'

/**
 * The live parts of the attention features in one server process: presence, typing, and a
 * sweeper that clears expired custom statuses and re-evaluates presence (DND schedules start
 * and end on the clock, not on a request). Several processes may sweep at once: the UPDATE
 * ... RETURNING hands each expired status to exactly one of them.
 */
export class AttentionRuntime {
  readonly presence: PresenceService
  readonly typing: TypingService
  private sweeper: NodeJS.Timeout | null = null
  private sweeping = false

  constructor(
    private readonly services: Services,
    registry: PresenceRegistry,
  ) {
    this.presence = new PresenceService(services, registry)
    this.typing = new TypingService(services)
  }

  async start(): Promise<void> {
    await this.presence.start()
    const ms = Math.max(50, this.services.config.attentionSweepSeconds * 1000)
    this.sweeper = setInterval(() => void this.sweep(), ms)
    this.sweeper.unref()
  }

  async sweep(): Promise<void> {
    if (this.sweeping) return
    this.sweeping = true
    try {
      const cleared = await transaction(this.services, async (change) => {
        const rows = await change.sql<{ user_id: string }[]>`
          update attention_settings
             set status_text = null, status_emoji = null, status_expires_at = null, updated_at = now()
           where status_expires_at <= now()
          returning user_id`
        for (const { user_id } of rows) await change.emit('user', user_id, 'status.updated', { status: null, expired: true })
        return rows.map((r) => r.user_id)
      })
      for (const userId of cleared) await this.presence.refresh(userId)
      await this.presence.sweep()
    } catch (err) {
      this.services.log.warn({ err }, 'attention sweep failed')
    } finally {
      this.sweeping = false
    }
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper)
    this.sweeper = null
    this.typing.close()
    await this.presence.stop()
  }
}
