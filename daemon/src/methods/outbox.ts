import type { HandlersFor } from './handler.js'

/** The outbox as the person sees it: what waits, what the server refused, and what to do about it. */
export const outboxHandlers: HandlersFor<'outbox.'> = {
  'outbox.list': (params, { daemon }) => daemon.session(params.profile).engine.storage.outboxList(),

  'outbox.retry': async (params, { daemon }) => {
    const entry = await daemon.session(params.profile).engine.retry(params.clientId)
    const left = daemon.session(params.profile).engine.storage.outboxGet(params.clientId)
    return { delivered: left === null, entry: left ?? (entry.failed ? entry : null) }
  },

  'outbox.discard': (params, { daemon }) => {
    daemon.session(params.profile).engine.discard(params.clientId)
    return { ok: true as const }
  },
}
