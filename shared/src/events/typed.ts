import type { Static } from '@sinclair/typebox'
import type { Event as EventEnvelope } from './envelope.js'
import { eventTypes, type EventType } from './event-types.js'
import type { eventPayloads } from './payloads.js'

/** The payload of one event type. */
export type EventData<T extends EventType> = Static<(typeof eventPayloads)[T]>

/** An event of one known type: the wire envelope with its typed `data`. */
export type EventOf<T extends EventType> = Omit<EventEnvelope, 'type' | 'data'> & { type: T; data: EventData<T> }

/** Any event of a known type, discriminated by `type`. */
export type KnownEvent = { [T in EventType]: EventOf<T> }[EventType]

const known = new Set<string>(eventTypes)

/** Whether this client knows the event's type (a newer server may send types it does not). */
export function knownEvent(e: EventEnvelope): e is EventEnvelope & KnownEvent {
  return known.has(e.type)
}

export const isEventType = (type: string): type is EventType => known.has(type)
