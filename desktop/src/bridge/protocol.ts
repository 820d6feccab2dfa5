// The page's interface is declared in shared/ (the web app uses it too); re-exported for the shell.
export type { RendererBridge, DaemonLinkState, OpenRequest } from '@ocomms/shared'

/** A call's answer as it crosses a process boundary: errors stay in the closed set of codes. */
export type BridgeReply = { ok: true; result: unknown } | { ok: false; error: { code: string; message: string } }

/** IPC channel names between the preload and the main process (the preload repeats them; a test compares). */
export const ipcChannels = {
  call: 'ocomms:call',
  event: 'ocomms:event',
  daemon: 'ocomms:daemon',
  open: 'ocomms:open',
} as const

/** The names of the JSON-RPC notifications of the WebSocket transport. */
export const wireNotifications = { event: 'event', daemon: 'bridge.daemon', open: 'bridge.open' } as const
