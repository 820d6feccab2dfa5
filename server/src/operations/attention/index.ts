import { draftHandlers } from './drafts.js'
import { mentionHandlers } from './mentions.js'
import { notifyHandlers } from './notify.js'
import { presenceHandlers } from './presence.js'
import { typingHandlers } from './typing.js'
import { unreadHandlers } from './unreads.js'

/** Mentions, notification preferences, presence and status, DND, unreads, drafts, typing. */
export const attentionHandlers = {
  ...mentionHandlers,
  ...notifyHandlers,
  ...presenceHandlers,
  ...unreadHandlers,
  ...draftHandlers,
  ...typingHandlers,
}
