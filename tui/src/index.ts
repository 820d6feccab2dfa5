// First: picks React's production build before anything loads React (see the module).
import './react-production.js'
// The entry point loads no screen code: runTui loads it (./mount.js) while it asks the daemon
// for the first screen. The components are imported from their modules (src/ui/) where needed.
export { runTui, type RunTuiOptions } from './run-tui.js'
export { DaemonClient, daemonSocketPath, type DaemonConnection, type DaemonLink, type DaemonNotification, type DaemonEvent } from '@ocomms/daemon/client'
export { ChatStore, type StoreOptions } from './state/store.js'
export { serverOps, featureEvents } from './server-ops.js'
