/**
 * The part of the protocol with no dependencies (errors, limits, target and ref parsers, daemon
 * constants), as `@ocomms/shared/core`: a command-line frontend that loads only this starts
 * faster than one that loads every schema. Everything here is also exported from the index.
 */
export * from './daemon/constants.js'
export * from './errors.js'
export * from './limits.js'
export * from './targets.js'
export * from './web-session.js'
export * from './input-words.js'
export * from './links.js'
