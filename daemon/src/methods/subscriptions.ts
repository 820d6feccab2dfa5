import { DEFAULT_PROFILE } from '../daemon.js'
import type { Handler } from './handler.js'

export const subscriptionHandlers: { subscribe: Handler<'subscribe'>; unsubscribe: Handler<'unsubscribe'> } = {
  subscribe: (params, { daemon, conn }) => ({
    subscriptionId: daemon.subscribe(conn, params.profile ?? DEFAULT_PROFILE, params.conversationIds, params.notifications),
  }),
  unsubscribe: (params, { daemon, conn }) => {
    daemon.unsubscribe(conn, params.subscriptionId)
    return { ok: true as const }
  },
}
