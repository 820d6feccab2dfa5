import { Type } from '@sinclair/typebox'
import { Event } from '../events/index.js'
import { SearchResults, SearchType } from '../operations/search.js'
import { ByteSize, Conversation, Count, DisplayName, Email, FileRef, Handle, Id, Message, Nullable, Ok, Password, SeqNumber, User, Workspace } from '../schemas.js'
import { searchLimits } from '../search-query/parse.js'
import { limits } from '../limits.js'
import { defineMethod } from './method.js'
import { Draft, PresenceInfo, TypingSignal } from '../attention/schemas.js'

// The version and the notification name live in constants.ts, which frontends load without TypeBox.
export { DAEMON_API_VERSION, DAEMON_EVENT_NOTIFICATION } from './constants.js'

/** Which signed-in account a call is for; omitted means the `default` profile. */
export const ProfileParam = Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]+$' }))

export const ConnectionState = Type.Union([
  Type.Literal('connected'),
  Type.Literal('connecting'),
  Type.Literal('offline'),
  Type.Literal('signed_out'),
])

export const ProfileInfo = Type.Object({
  profile: Type.String(),
  server: Type.String({ description: 'Base URL of the server.' }),
  user: User,
  workspace: Nullable(Workspace),
  workspaces: Type.Array(Workspace),
  connection: ConnectionState,
})

export const daemonStatus = defineMethod({
  name: 'daemon.status',
  summary: 'Version, pid and the state of every profile.',
  params: Type.Object({}),
  result: Type.Object({
    apiVersion: Count(),
    version: Type.String(),
    pid: Count(),
    startedAt: Type.String(),
    home: Type.String(),
    profiles: Type.Array(
      Type.Object({
        profile: Type.String(),
        server: Type.String(),
        handle: Type.String(),
        connection: ConnectionState,
        /** Sends waiting for the connection. */
        outbox: Count(),
        /** Sends set aside because the server refused them (see outbox.list). */
        failed: Count(),
        /** Why the profile is not connected (or was last disconnected); null while all is well. */
        reason: Nullable(Type.String()),
        /** When the next reconnect attempt is due, if one is scheduled. */
        retryAt: Nullable(Type.String()),
      }),
    ),
  }),
})

export const daemonStop = defineMethod({
  name: 'daemon.stop',
  summary: 'Flush and exit. Queued sends stay in the outbox for the next start.',
  params: Type.Object({}),
  result: Ok,
})

export const profileSignup = defineMethod({
  name: 'profile.signup',
  summary: 'Create an account on a server, create or join a workspace, and sign this profile in.',
  params: Type.Object({
    profile: ProfileParam,
    server: Type.String(),
    email: Email,
    name: DisplayName,
    handle: Handle,
    password: Password,
    createWorkspace: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })),
    invite: Type.Optional(Type.String({ minLength: 1 })),
  }),
  result: ProfileInfo,
})

export const profileLogin = defineMethod({
  name: 'profile.login',
  summary: 'Sign this profile in with email and password.',
  params: Type.Object({ profile: ProfileParam, server: Type.String(), email: Email, password: Type.String({ minLength: 1 }) }),
  result: ProfileInfo,
})

export const profileRequestMagicLink = defineMethod({
  name: 'profile.magicLink.request',
  summary: 'Ask the server to send a sign-in link to this email.',
  params: Type.Object({ profile: ProfileParam, server: Type.String(), email: Email }),
  result: Ok,
})

export const profileLoginWithLink = defineMethod({
  name: 'profile.magicLink.consume',
  summary: 'Sign this profile in with a magic link (the whole URL, or its token with `server`).',
  params: Type.Object({ profile: ProfileParam, link: Type.String({ minLength: 1 }), server: Type.Optional(Type.String()) }),
  result: ProfileInfo,
})

export const profileSso = defineMethod({
  name: 'profile.sso',
  summary:
    'Sign this profile in with single sign-on: exchange the sign-in code that the identity provider\'s redirect delivered ' +
    '(to the loopback address `ocomms login --sso` listened on) and the PKCE code verifier that started it.',
  params: Type.Object({
    profile: ProfileParam,
    server: Type.String(),
    code: Type.String({ minLength: 1 }),
    codeVerifier: Type.String({ minLength: 1 }),
  }),
  result: ProfileInfo,
})

export const profileLogout = defineMethod({
  name: 'profile.logout',
  summary: 'End the session on the server and forget the token and cache of this profile.',
  params: Type.Object({ profile: ProfileParam }),
  result: Ok,
})

export const profileWhoami = defineMethod({
  name: 'profile.whoami',
  summary: 'Who this profile is signed in as, where, and the connection state.',
  params: Type.Object({
    profile: ProfileParam,
    /**
     * Answer from what the daemon holds, without asking the server first (it asks right after,
     * and what changed arrives as events): a window opening from the cache does not wait for it.
     */
    cached: Type.Optional(Type.Boolean()),
  }),
  result: ProfileInfo,
})

export const profileUseWorkspace = defineMethod({
  name: 'profile.useWorkspace',
  summary: 'Make a workspace (by slug or id) the current one of this profile.',
  params: Type.Object({ profile: ProfileParam, workspace: Type.String({ minLength: 1 }) }),
  result: ProfileInfo,
})

export const call = defineMethod({
  name: 'call',
  summary:
    'Run any server operation (by its name in shared/src/operations) for this profile, over the live socket when ' +
    'connected, else over HTTP. The result is the operation output; errors are the server error.',
  params: Type.Object({ profile: ProfileParam, operation: Type.String(), input: Type.Record(Type.String(), Type.Unknown()) }),
  result: Type.Unknown(),
})

export const resolveTarget = defineMethod({
  name: 'resolve.target',
  summary: 'A conversation from a target: `#name`, `@handle` (opens the DM), `@a,@b` (group DM) or an id.',
  params: Type.Object({ profile: ProfileParam, target: Type.String({ minLength: 1 }) }),
  result: Conversation,
})

export const resolveMessage = defineMethod({
  name: 'resolve.message',
  summary: 'A message from a ref: its id, or `#channel/SEQ`.',
  params: Type.Object({ profile: ProfileParam, ref: Type.String({ minLength: 1 }) }),
  result: Message,
})

export const messagesSend = defineMethod({
  name: 'messages.send',
  summary:
    'Send through the outbox: stored durably first, delivered exactly once (by clientId). When the server is ' +
    'unreachable the answer is `queued: true` and the message follows on reconnect.',
  params: Type.Object({
    profile: ProfileParam,
    conversationId: Id,
    text: Type.String({ maxLength: limits.messageText }),
    threadRootId: Type.Optional(Id),
    alsoToChannel: Type.Optional(Type.Boolean()),
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    fileIds: Type.Optional(Type.Array(Id, { maxItems: 20 })),
  }),
  result: Type.Object({ queued: Type.Boolean(), clientId: Type.String(), message: Nullable(Message) }),
})

export const messagesRead = defineMethod({
  name: 'messages.read',
  summary:
    'History oldest first, from the cache when it is current, else from the server (and cached). ' +
    'When the server is unreachable the cache answers with `stale: true`.',
  params: Type.Object({
    profile: ProfileParam,
    conversationId: Id,
    limit: Type.Optional(Count({ minimum: 1, maximum: 200 })),
    beforeSeq: Type.Optional(SeqNumber({ minimum: 1 })),
    threadRootId: Type.Optional(Id),
  }),
  result: Type.Object({ messages: Type.Array(Message), stale: Type.Boolean(), source: Type.Union([Type.Literal('cache'), Type.Literal('server')]) }),
})

export const conversationsList = defineMethod({
  name: 'conversations.list',
  summary: 'Conversations of the current workspace from the cache (refreshed when connected).',
  params: Type.Object({ profile: ProfileParam, all: Type.Optional(Type.Boolean()) }),
  result: Type.Object({ conversations: Type.Array(Conversation), stale: Type.Boolean() }),
})

export const subscribe = defineMethod({
  name: 'subscribe',
  summary:
    'Receive live events as `event` notifications ({subscriptionId, profile, event}) until unsubscribe or disconnect; ' +
    'optionally only for some conversations. Local events (connection state, outbox delivery) come too.',
  params: Type.Object({
    profile: ProfileParam,
    conversationIds: Type.Optional(Type.Array(Id)),
    notifications: Type.Optional(
      Type.Boolean({
        description:
          'This frontend shows desktop notifications itself (the desktop app): it also receives `daemon.notification` ' +
          'events, each with the daemon\'s verdict (`desktop: true` = show it now; DND and preferences already applied), ' +
          'and the daemon shows none of its own while such a subscription is open.',
      }),
    ),
  }),
  result: Type.Object({ subscriptionId: Type.String() }),
})

export const unsubscribe = defineMethod({
  name: 'unsubscribe',
  summary: 'Stop a subscription.',
  params: Type.Object({ subscriptionId: Type.String() }),
  result: Ok,
})

export const filesUpload = defineMethod({
  name: 'files.upload',
  summary:
    'Upload a local file (by absolute path, read by the daemon) into a conversation with the profile\'s session, so ' +
    'frontends never hold the token. With `comment` or `clientId` the message carrying it is posted too; otherwise the ' +
    'file stays unattached until `messages.send` names it in `fileIds`.',
  params: Type.Object({
    profile: ProfileParam,
    conversationId: Id,
    path: Type.String({ minLength: 1 }),
    name: Type.Optional(Type.String({ minLength: 1 })),
    comment: Type.Optional(Type.String({ maxLength: limits.messageText })),
    clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    threadRootId: Type.Optional(Id),
  }),
  result: Type.Object({ file: FileRef, message: Nullable(Message) }),
})

export const filesDownload = defineMethod({
  name: 'files.download',
  summary: 'Download a file\'s bytes to a local path (absolute; written by the daemon, replaced atomically).',
  params: Type.Object({ profile: ProfileParam, fileId: Id, path: Type.String({ minLength: 1 }) }),
  result: Type.Object({ path: Type.String(), size: ByteSize(), name: Type.String(), mimeType: Type.String() }),
})

export const searchMethod = defineMethod({
  name: 'search',
  summary:
    'The `search` operation for this profile\'s current workspace. When the server is unreachable the daemon answers ' +
    'from its cache (messages only, with the same grammar) and marks the answer `local: true`.',
  params: Type.Object({
    profile: ProfileParam,
    query: Type.String({ maxLength: searchLimits.queryLength }),
    type: Type.Optional(SearchType),
    limit: Type.Optional(Count({ minimum: 1, maximum: 100 })),
    timeZone: Type.Optional(Type.String({ maxLength: 64 })),
  }),
  result: SearchResults,
})

/** One entry of the daemon's notification history. */
export const NotificationRecord = Type.Object({
  id: Type.String(),
  at: Type.String({ description: 'When the daemon received it.' }),
  conversationId: Id,
  messageId: Id,
  threadRootId: Nullable(Id),
  reason: Type.String(),
  title: Type.String(),
  body: Type.String(),
  shown: Type.Boolean({ description: 'Released to the person (not held back).' }),
  heldBy: Nullable(Type.Union([Type.Literal('dnd'), Type.Literal('preference')])),
  desktop: Type.Boolean({ description: 'A desktop notification was actually displayed.' }),
})

/** The params of a DAEMON_EVENT_NOTIFICATION. */
export const EventNotification = Type.Object({
  subscriptionId: Type.String(),
  profile: Type.String(),
  event: Type.Union([
    Event,
    Type.Object({ type: Type.Literal('daemon.connection'), connection: ConnectionState }),
    Type.Object({ type: Type.Literal('daemon.outbox.delivered'), clientId: Type.String(), message: Message }),
    Type.Object({ type: Type.Literal('daemon.outbox.failed'), clientId: Type.String(), error: Type.Object({ code: Type.String(), message: Type.String() }) }),
    // Only to subscriptions that asked with `notifications: true`: the daemon's verdict on one notification.
    Type.Object({ type: Type.Literal('daemon.notification'), notification: NotificationRecord }),
    // Ephemeral socket signals, forwarded as they come (no seq, never replayed).
    Type.Composite([Type.Object({ type: Type.Literal('typing') }), TypingSignal]),
    Type.Composite([Type.Object({ type: Type.Literal('presence') }), PresenceInfo]),
  ]),
})

export const notificationsList = defineMethod({
  name: 'notifications.list',
  summary: 'The notification history of this profile, newest first, each with whether it was shown or held back (by DND or a preference).',
  params: Type.Object({ profile: ProfileParam, limit: Type.Optional(Count({ minimum: 1, maximum: 1000 })) }),
  result: Type.Array(NotificationRecord),
})

export const draftsSet = defineMethod({
  name: 'drafts.set',
  summary:
    'Keep a draft on the server (empty text clears it). While the server is unreachable the draft is stored ' +
    'locally (`queued: true`) and written through on reconnect; the latest text per conversation/thread wins.',
  params: Type.Object({
    profile: ProfileParam,
    conversationId: Id,
    threadRootId: Type.Optional(Id),
    text: Type.String({ maxLength: limits.messageText }),
  }),
  result: Type.Object({ queued: Type.Boolean(), draft: Nullable(Draft) }),
})

/** An outbox entry: a send waiting for the connection, or set aside (`failed`) because the server refused it. */
export const OutboxItem = Type.Object({
  clientId: Type.String(),
  conversationId: Id,
  threadRootId: Nullable(Id),
  alsoToChannel: Type.Boolean(),
  text: Type.String(),
  createdAt: Type.String(),
  attempts: Count(),
  failed: Nullable(Type.Object({ code: Type.String(), message: Type.String(), at: Type.String() })),
})

export const outboxList = defineMethod({
  name: 'outbox.list',
  summary: 'Sends waiting in the outbox and sends set aside because the server refused them for good (`failed` set), oldest first.',
  params: Type.Object({ profile: ProfileParam }),
  result: Type.Array(OutboxItem),
})

export const outboxRetry = defineMethod({
  name: 'outbox.retry',
  summary: 'Put a set-aside send back in line and try it now; answers the entry (gone once delivered: `delivered: true`).',
  params: Type.Object({ profile: ProfileParam, clientId: Type.String({ minLength: 1 }) }),
  result: Type.Object({ delivered: Type.Boolean(), entry: Nullable(OutboxItem) }),
})

export const outboxDiscard = defineMethod({
  name: 'outbox.discard',
  summary: 'Drop an outbox entry (set aside or waiting) for good.',
  params: Type.Object({ profile: ProfileParam, clientId: Type.String({ minLength: 1 }) }),
  result: Ok,
})
