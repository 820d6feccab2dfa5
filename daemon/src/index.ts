export { DaemonClient, daemonSocketPath, type DaemonConnection, type DaemonEvent, type DaemonLink, type DaemonNotification, type EventNotificationParams } from './client.js'
export { connectDaemon, daemonMain, daemonPid, spawnDaemon, type ConnectOptions } from './start.js'
export { homePaths, ocommsHome, type HomePaths } from './home.js'
export { validateParams } from './validate.js'
