import { DAEMON_API_VERSION } from '@ocomms/shared'
import { daemonVersion } from '../daemon.js'
import type { HandlersFor } from './handler.js'

export const daemonHandlers: HandlersFor<'daemon.'> = {
  'daemon.status': (_params, { daemon }) => ({
    apiVersion: DAEMON_API_VERSION,
    version: daemonVersion,
    pid: process.pid,
    startedAt: daemon.startedAt,
    home: daemon.paths.home,
    profiles: daemon.allSessions().map((s) => ({
      profile: s.name,
      server: s.profile.server,
      handle: s.profile.user.handle,
      connection: s.state,
      outbox: s.cache.outboxSize(),
      failed: s.cache.outboxFailedCount(),
      reason: s.engine.reason,
      retryAt: s.engine.retryAt === null ? null : new Date(s.engine.retryAt).toISOString(),
    })),
  }),

  'daemon.stop': (_params, { daemon }) => {
    // Answer first, then stop: the caller sees the ok before the socket goes away.
    setTimeout(() => {
      void daemon.stop().then(() => process.exit(0))
    }, 50)
    return { ok: true as const }
  },
}
