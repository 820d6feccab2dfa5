// The client state and the reducer alone, without the engine or any schema: what a frontend
// that mirrors its daemon (the TUI) loads at start-up.
export * from './state.js'
export * from './reducer.js'
export * from './mentions.js'
export { knownEvent, isEventType, type EventOf, type EventData, type KnownEvent } from '../events/typed.js'
