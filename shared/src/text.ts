/**
 * Message text without the protocol's schemas, as `@ocomms/shared/text`: the markdown parser,
 * its terminal and HTML renderers, and emoji. The terminal UI loads only this and `./core` at
 * start: the index also builds every schema (TypeBox alone is some 200 modules), which would
 * cost it a large part of its 300 ms to first paint. Everything here is also exported from the
 * index.
 */
export * from './rich-text/index.js'
export * from './emoji.js'
