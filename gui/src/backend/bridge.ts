import { OCommsError, type CallInput, type CallOutput, type OperationName, type RendererBridge } from '@ocomms/shared'

/*
 * The desktop shell's bridge as the page sees it, apart from the daemon-backed client
 * (daemon-backend.ts), so the screens that only ask whether there is one do not load that client.
 */

/** The bridge the desktop shell's preload gives the page (`window.ocomms`), when there is one. */
export function desktopBridge(): RendererBridge | null {
  const bridge = (window as unknown as { ocomms?: RendererBridge }).ocomms
  return bridge && typeof bridge.call === 'function' ? bridge : null
}

/** `?profile=` of the address the page was opened at (read once: the app's routes drop it). */
const openedForProfile = typeof window === 'undefined' ? null : new URLSearchParams(window.location.search).get('profile')

/** The profile this window shows: the bridge's, else the one it was opened for, else the default. */
export function bridgeProfile(bridge: RendererBridge): string {
  return bridge.profile ?? openedForProfile ?? 'default'
}

/**
 * A daemon method through the bridge; a refusal arrives as `{code, message}` across the process
 * boundary and is made an OCommsError again, so the screens show its message as they do any other.
 */
export function daemonCall(bridge: RendererBridge): RendererBridge['call'] {
  return async (method, params) => {
    try {
      return await bridge.call(method, params)
    } catch (err) {
      throw err instanceof Error ? err : OCommsError.from(err)
    }
  }
}

/** A server operation run by the daemon for `profile` (the daemon's `call`: over its socket when connected). */
export function daemonOperation(bridge: RendererBridge, profile: string) {
  const rpc = daemonCall(bridge)
  return <N extends OperationName>(name: N, input: CallInput<N>): Promise<CallOutput<N>> =>
    rpc('call', { profile, operation: name, input: input as Record<string, unknown> }) as Promise<CallOutput<N>>
}
