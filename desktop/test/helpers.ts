import { fileURLToPath } from 'node:url'
import { connectDaemon, type EventNotificationParams } from '@ocomms/daemon'
import { DaemonBridge, type BridgeSession } from '../src/index.js'
import { until, type Person } from '../../cli/test/helpers/cli.js'

export { killDaemon, until } from '../../daemon/test/helpers.js'
export { password, team, type Person } from '../../cli/test/helpers/cli.js'
export { startTestServer } from '../../server/test/helpers/server.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

/** The built daemon, as the app starts it (`npm test` builds first). */
const daemonBuilt = fileURLToPath(new URL('../../daemon/dist/main.js', import.meta.url))

/** The desktop shell's bridge to this person's real daemon (started on demand, as the app does). */
export function bridgeFor(t: Teardown, p: Person, options: { callWaitMs?: number } = {}): DaemonBridge {
  const bridge = new DaemonBridge({ connect: () => connectDaemon({ home: p.home, main: daemonBuilt }), maxRetryMs: 300, ...options })
  t.teardown(() => bridge.close())
  return bridge
}

/** Everything a session receives, to wait on. */
export function recorder(session: BridgeSession) {
  const events: EventNotificationParams[] = []
  const daemon: string[] = []
  session.onEvent((e) => events.push(e))
  session.onDaemon((s) => daemon.push(s))
  return {
    events,
    daemon,
    waitFor: (match: (e: EventNotificationParams) => boolean, timeoutMs = 20_000) => until(() => events.find(match), timeoutMs),
  }
}

/** The error a refused call rejects with. */
export async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p
  } catch (err) {
    return err as { code: string; message: string }
  }
  throw new Error('the call was not refused')
}
