/**
 * The daemon's local API (docs/daemon-api.md). Bump DAEMON_API_VERSION when a method changes
 * incompatibly; frontends compare it with `daemon.status` and restart an older daemon.
 */
export const DAEMON_API_VERSION = 1

/** JSON-RPC notification method that carries live events to a subscriber. */
export const DAEMON_EVENT_NOTIFICATION = 'event'
