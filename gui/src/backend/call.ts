import type { CallInput, CallOutput, OperationName } from '@ocomms/shared'
import { bridgeProfile, daemonOperation, desktopBridge } from './bridge'
import { call as overHttp } from './http'

/**
 * Calls a server operation from a screen that has no backend of its own (settings, sessions,
 * invites, onboarding), as the window's account: in the desktop app through the local daemon,
 * with its profile's session (the page has no cookie, and its address is not the server's); in a
 * browser over REST with the page's cookie session.
 */
export function call<N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> {
  const bridge = desktopBridge()
  return bridge ? daemonOperation(bridge, bridgeProfile(bridge))(name, input) : overHttp(name, input)
}
