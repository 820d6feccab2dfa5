import type { OperationName } from '@ocomms/shared'

/**
 * Operations grouped by what a flood of them costs others, each group with its own rate limit
 * per person (docs/configuration.md, "Fair admission"). An operation not named here is `other`:
 * a new operation is admitted fairly without an entry, and gets one when it deserves its own
 * limit. `search` runs on the expensive lane: a few at a time per process, whoever asks; export
 * jobs run their work there too (Admission.background).
 */
export const operationClasses = ['send', 'reaction', 'typing', 'search', 'other'] as const
export type OperationClass = (typeof operationClasses)[number]

/** What each class is, for the sentence a refusal says. */
export const classWords: Record<OperationClass, string> = {
  send: 'messages sent, edited or deleted (uploads included)',
  reaction: 'reactions, pins and saved items',
  typing: 'typing and presence signals',
  search: 'searches',
  other: 'requests',
}

const byOperation: Partial<Record<OperationName | 'file.upload' | 'file.download', OperationClass>> = {
  'message.send': 'send',
  'message.edit': 'send',
  'message.delete': 'send',
  'file.upload': 'send',
  'reaction.add': 'reaction',
  'reaction.remove': 'reaction',
  'pin.add': 'reaction',
  'pin.remove': 'reaction',
  'saved.add': 'reaction',
  'saved.remove': 'reaction',
  'typing.start': 'typing',
  'typing.stop': 'typing',
  'presence.activity': 'typing',
  'presence.set': 'typing',
  search: 'search',
}

export function classOf(name: string): OperationClass {
  return byOperation[name as OperationName] ?? 'other'
}

/** Classes whose operations run on the expensive lane. */
export const expensiveClasses: ReadonlySet<OperationClass> = new Set(['search'])
