export * from './bridge/protocol.js'
export { DaemonBridge, BridgeSession, pageRefusedMethods, toReplyError, type BridgeOptions } from './bridge/bridge.js'
export { serveBridge, type BridgeServer } from './bridge/ws-transport.js'
export { connectBridge, type WebSocketConstructor, type WebSocketLike } from './bridge/ws-client.js'
