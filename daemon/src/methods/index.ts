import type { DaemonMethodName } from '@ocomms/shared'
import { attentionHandlers } from './attention.js'
import { callHandlers } from './call.js'
import { conversationHandlers } from './conversations.js'
import { daemonHandlers } from './daemon.js'
import { fileHandlers } from './files.js'
import type { Handler } from './handler.js'
import { messageHandlers } from './messages.js'
import { outboxHandlers } from './outbox.js'
import { profileHandlers } from './profile.js'
import { resolveHandlers } from './resolve.js'
import { searchHandlers } from './search.js'
import { subscriptionHandlers } from './subscriptions.js'

/** Every declared method has its handler: a missing one is a compile error. */
export const handlers: { [N in DaemonMethodName]: Handler<N> } = {
  ...daemonHandlers,
  ...profileHandlers,
  ...callHandlers,
  ...resolveHandlers,
  ...messageHandlers,
  ...conversationHandlers,
  ...subscriptionHandlers,
  ...fileHandlers,
  ...searchHandlers,
  ...attentionHandlers,
  ...outboxHandlers,
}
