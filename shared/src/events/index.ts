export * from './envelope.js'
export * from './payloads.js'
export * from './typed.js'
