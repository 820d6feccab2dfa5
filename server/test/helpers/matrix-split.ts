/** Operations run by authorization-matrix-content.test.ts; the rest by authorization-matrix.test.ts. */
const prefixes = ['reaction.', 'pin.', 'saved.', 'file.', 'mentions.', 'mentionPolicy.', 'notify.', 'keywords.', 'presence.', 'status.', 'dnd.', 'read.', 'draft.', 'typing.']

export const contentOperations = (name: string): boolean => name === 'unreads' || name === 'search' || prefixes.some((p) => name.startsWith(p))
