import type { OperationName } from '@ocomms/shared'
import { attentionHandlers } from './attention/index.js'
import { auditHandlers } from './audit/index.js'
import { authHandlers } from './auth/index.js'
import { conversationHandlers } from './conversations/index.js'
import { exportHandlers } from './exports/index.js'
import { fileHandlers } from './files/index.js'
import type { Handler } from './handler.js'
import { messageHandlers } from './messages/index.js'
import { pinHandlers } from './pins/index.js'
import { retentionHandlers } from './retention/index.js'
import { reactionHandlers } from './reactions/index.js'
import { savedHandlers } from './saved/index.js'
import { searchHandlers } from './search/index.js'
import { ssoHandlers } from './sso/index.js'
import { syncHandlers } from './sync/index.js'
import { workspaceHandlers } from './workspaces/index.js'

/** Every operation's handler; the type makes a missing one a compile error. */
export const handlers: { [N in OperationName]: Handler<N> } = {
  ...authHandlers,
  ...workspaceHandlers,
  ...conversationHandlers,
  ...messageHandlers,
  ...reactionHandlers,
  ...pinHandlers,
  ...savedHandlers,
  ...fileHandlers,
  ...syncHandlers,
  ...attentionHandlers,
  ...searchHandlers,
  ...ssoHandlers,
  ...auditHandlers,
  ...retentionHandlers,
  ...exportHandlers,
}
