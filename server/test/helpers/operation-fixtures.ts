import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CallInput, CallOutput, ErrorCode, OperationName } from '@ocomms/shared'
import { idpMetadata } from './saml-idp.js'
import type { TestUser } from './server.js'
import type { Person, Refused, Role, Target, TargetKind, World } from './world.js'

/**
 * How to call every operation against the world of ./world.ts, one small entry each.
 * The authorization matrix iterates over `operations` and fails for any operation missing
 * here, so a new operation cannot ship without saying who may call it.
 *
 * `scope` decides who must be refused, and with what:
 *  - `public`: no session needed (sign-up, login, magic links); nobody is refused;
 *  - `self`: acts on the caller's own account; only anonymous callers are refused;
 *  - `workspace`: acts on workspace `ws`; anonymous → unauthenticated, and the stranger, the
 *    leaver and the deactivated member → not_found (for them the workspace does not exist);
 *  - `conversation`: acts on a conversation (or a message in it), tried against the private
 *    channel, the group DM and #general: anonymous → unauthenticated, everyone else who cannot
 *    read it → not_found (outsider and kicked can read #general, so they are not tried there).
 * `refused` overrides that rule for one caller ('skip' leaves them out).
 * `allowed` describes the calls by owner, admin and member on the private channel / `ws`
 * (or on fresh things `setup` makes, for operations that change or end what they act on).
 */
export type Scope = 'public' | 'self' | 'workspace' | 'conversation'
export type Expect = 'ok' | ErrorCode

export interface Ctx {
  w: World
  /** Who calls (a person of the world, or anonymous). */
  as: Person | 'anonymous'
  target: Target
  /** Unique per call, for names that must not clash. */
  n: number
  /** What `setup` prepared. */
  extra: Record<string, string>
}

export interface Prepared {
  /** Call as this user instead of the role's own account. */
  caller?: TestUser
  target?: Partial<Target>
  extra?: Record<string, string>
}

export interface Fixture<N extends OperationName> {
  scope: Scope
  input(ctx: Ctx): CallInput<N>
  targets?: TargetKind[]
  refused?: Partial<Record<Refused, ErrorCode | 'skip'>>
  /** Only meaningful over a socket: over REST the allowed callers get invalid_input. */
  socketOnly?: true
  /**
   * A read whose answer goes to callers the scope does not refuse (outsider and kicked for
   * `workspace`, everyone signed in for `self`): it must not name the private channel, the DM
   * or anything in them to anyone outside them (see the "personal reads" test).
   */
  reads?: true
  allowed?: {
    setup?(w: World, role: Role, n: number): Promise<Prepared>
    expect?: Partial<Record<Role, Expect>>
    check?(out: CallOutput<N>, ctx: Ctx): string | null
  }
}

export const PASSWORD = 'correct horse battery staple'

/** Single sign-on is the owners' business: active members who are not owners may see the workspace but not this. */
const ownersOnly = { outsider: 'forbidden', kicked: 'forbidden' } as const

/** A message of the caller's own in the target when they ever wrote one there (the tempting case). */
const ownOr = (ctx: Ctx, fallback: string) => (ctx.as === 'anonymous' ? undefined : ctx.target.messageBy[ctx.as]) ?? fallback

let made = 0
/** A fresh channel in `ws`, created by `creator`, with `others` invited. */
export async function freshChannel(
  w: World,
  { creator = 'owner', others = ['admin', 'member'], isPrivate = true, archived = false }:
    { creator?: Person; others?: Person[]; isPrivate?: boolean; archived?: boolean } = {},
): Promise<Prepared> {
  const c = await w.users[creator].call('channel.create', { workspaceId: w.ws.id, name: `fresh-${++made}`, private: isPrivate })
  const invite = others.filter((p) => p !== creator).map((p) => w.users[p].id)
  if (invite.length > 0) await w.users[creator].call('conversation.invite', { conversationId: c.id, userIds: invite })
  if (archived) await w.users.owner.call('conversation.archive', { conversationId: c.id })
  return { target: { conversationId: c.id, name: c.name } }
}

/** A fresh person who joined `ws` as a member. */
export async function freshMember(w: World): Promise<TestUser> {
  const u = await w.server.signup(`fresh${++made}`)
  await w.server.join(w.ws, w.users.owner, u)
  return u
}

const conversationId = (ctx: Ctx) => ({ conversationId: ctx.target.conversationId })
const workspaceId = ({ w }: Ctx) => ({ workspaceId: w.ws.id })
const me = (ctx: Ctx) => (ctx.as === 'anonymous' ? '' : ctx.w.users[ctx.as].id)

/** A fresh message by `member` in the private channel. */
async function freshMessage(w: World, text: string): Promise<string> {
  return (await w.users.member.call('message.send', { conversationId: w.targets.private.conversationId, text, clientId: randomUUID() })).id
}

export const fixtures: { [N in OperationName]: Fixture<N> } = {
  // ---- accounts -------------------------------------------------------------------------
  'auth.signup': {
    scope: 'public',
    input: ({ n }) => ({ email: `new${n}@example.test`, password: PASSWORD, name: 'New', handle: `new${n}` }),
  },
  'auth.login': {
    scope: 'public',
    input: ({ w }) => ({ email: w.users.member.email, password: PASSWORD }),
  },
  'auth.magicLink.request': {
    scope: 'public',
    input: ({ w }) => ({ email: w.users.member.email }),
  },
  'auth.magicLink.consume': {
    scope: 'public',
    input: ({ extra }) => ({ token: extra.token ?? 'x'.repeat(43) }),
    allowed: {
      async setup(w) {
        const token = randomBytes(32).toString('base64url')
        const hash = createHash('sha256').update(token).digest()
        await w.sql`insert into magic_links (token_hash, user_id, expires_at) values (${hash}, ${w.users.member.id}, now() + interval '5 minutes')`
        return { extra: { token } }
      },
      check: (out, { w }) => (out.user.id === w.users.member.id ? null : 'signed in as someone else'),
    },
  },
  'auth.logout': {
    scope: 'self',
    input: () => ({}),
    allowed: { setup: async (w, role) => ({ caller: await signIn(w, role) }) },
  },
  'auth.me': {
    scope: 'self',
    input: () => ({}),
    allowed: { check: (out, { as, w }) => (as !== 'anonymous' && out.user.id === w.users[as].id ? null : 'someone else') },
  },
  'auth.sessions.list': {
    scope: 'self',
    input: () => ({}),
    allowed: {
      check: (out) => (out.filter((s) => s.current).length === 1 ? null : 'not exactly one current session'),
    },
  },
  'auth.sessions.revoke': {
    scope: 'self',
    // Anyone else naming the owner's session learns nothing and ends nothing.
    input: ({ w, extra }) => ({ sessionId: extra.sessionId ?? w.ownerSessionId }),
    refused: { stranger: 'not_found', outsider: 'not_found', kicked: 'not_found', leaver: 'not_found', deactivated: 'not_found' },
    allowed: {
      async setup(w, role) {
        const other = await signIn(w, role)
        const me = await other.call('auth.me', {})
        return { extra: { sessionId: me.sessionId } }
      },
    },
  },
  'auth.sessions.revokeAll': {
    scope: 'self',
    input: () => ({}),
    // It ends every session of the caller: use a throwaway account, not the world's people.
    allowed: {
      setup: async (w) => ({ caller: await w.server.signup(`out${++made}`) }),
      check: (out) => (out.ended === 1 ? null : `ended ${out.ended} sessions, not the one`),
    },
  },
  'auth.profile.update': {
    scope: 'self',
    input: ({ n }) => ({ name: `Name ${n}` }),
  },
  'auth.password.change': {
    scope: 'self',
    input: () => ({ current: PASSWORD, password: 'another long password' }),
    // It ends every other session: use a throwaway account, not the world's people.
    allowed: { setup: async (w) => ({ caller: await w.server.signup(`pw${++made}`) }) },
  },

  // ---- workspaces -----------------------------------------------------------------------
  'workspace.create': {
    scope: 'self',
    input: ({ n }) => ({ name: `Space ${n}` }),
  },
  'workspace.list': {
    scope: 'self',
    input: () => ({}),
    allowed: { check: (out, { w }) => (out.some((s) => s.id === w.ws.id) && !out.some((s) => s.id === w.elsewhere.id) ? null : 'wrong workspaces') },
  },
  'workspace.get': {
    scope: 'workspace',
    input: ({ w }) => ({ workspaceId: w.ws.id }),
  },
  'workspace.leave': {
    scope: 'workspace',
    input: ({ w, extra }) => ({ workspaceId: extra.workspaceId ?? w.ws.id }),
    allowed: {
      // Leaving `ws` would change the world: leave a fresh workspace with the same roles.
      async setup(w) {
        const space = await w.users.owner.call('workspace.create', { name: `Leave ${++made}` })
        await w.server.join(space, w.users.owner, w.users.admin, 'admin')
        await w.server.join(space, w.users.owner, w.users.member)
        return { extra: { workspaceId: space.id } }
      },
      expect: { owner: 'conflict' },
    },
  },
  'invite.create': {
    scope: 'workspace',
    input: ({ w }) => ({ workspaceId: w.ws.id }),
    allowed: { expect: { member: 'forbidden' } },
  },
  'invite.accept': {
    scope: 'self',
    input: ({ w }) => ({ code: w.inviteCode }),
    // A valid code would let the stranger or the leaver (re)join: that is what codes are for.
    // A deactivated member cannot use one to get back in.
    refused: { deactivated: 'forbidden' },
    allowed: { expect: { owner: 'conflict', admin: 'conflict', member: 'conflict' } },
  },
  'member.list': {
    scope: 'workspace',
    input: ({ w }) => ({ workspaceId: w.ws.id }),
  },
  'member.get': {
    scope: 'workspace',
    input: ({ w }) => ({ workspaceId: w.ws.id, member: '@member' }),
  },
  'member.setRole': {
    scope: 'workspace',
    input: ({ w, extra }) => ({ workspaceId: w.ws.id, userId: extra.userId ?? w.users.member.id, role: 'admin' }),
    allowed: { setup: async (w) => ({ extra: { userId: (await freshMember(w)).id } }), expect: { member: 'forbidden' } },
  },
  'member.deactivate': {
    scope: 'workspace',
    input: ({ w, extra }) => ({ workspaceId: w.ws.id, userId: extra.userId ?? w.users.member.id }),
    allowed: { setup: async (w) => ({ extra: { userId: (await freshMember(w)).id } }), expect: { member: 'forbidden' } },
  },
  'member.reactivate': {
    scope: 'workspace',
    input: ({ w, extra }) => ({ workspaceId: w.ws.id, userId: extra.userId ?? w.users.deactivated.id }),
    allowed: {
      async setup(w) {
        const u = await freshMember(w)
        await w.users.owner.call('member.deactivate', { workspaceId: w.ws.id, userId: u.id })
        return { extra: { userId: u.id } }
      },
      expect: { member: 'forbidden' },
    },
  },

  // ---- conversations --------------------------------------------------------------------
  'channel.create': {
    scope: 'workspace',
    input: ({ w, n }) => ({ workspaceId: w.ws.id, name: `made-${n}`, private: true }),
  },
  'conversation.list': {
    scope: 'workspace',
    input: ({ w }) => ({ workspaceId: w.ws.id, all: true }),
    allowed: { check: (out, { w }) => (out.some((c) => c.id === w.targets.private.conversationId) ? null : 'the private channel is missing') },
  },
  'channel.find': {
    scope: 'conversation',
    targets: ['private', 'public'],
    input: ({ target }) => ({ workspaceId: target.workspaceId, name: target.name ?? 'none' }),
  },
  'conversation.get': { scope: 'conversation', input: conversationId },
  'dm.open': {
    scope: 'workspace',
    // Everyone else in the group DM: for the leaver and the deactivated member this names the
    // existing DM they were in, which they must not get back.
    input: ({ w, as }) => ({
      workspaceId: w.ws.id,
      userIds: (['owner', 'admin', 'member', 'leaver', 'deactivated'] as const).filter((p) => p !== as).map((p) => w.users[p].id),
    }),
    allowed: { check: (out, { w }) => (out.id === w.targets.dm.conversationId ? null : 'a second DM was opened') },
  },
  'conversation.join': {
    scope: 'conversation',
    input: conversationId,
    allowed: { setup: (w) => freshChannel(w, { creator: 'outsider', others: [], isPrivate: false }) },
  },
  'conversation.leave': {
    scope: 'conversation',
    input: conversationId,
    allowed: { setup: (w) => freshChannel(w) },
  },
  'conversation.invite': {
    scope: 'conversation',
    input: (ctx) => ({ ...conversationId(ctx), userIds: [ctx.w.users.outsider.id] }),
    allowed: { setup: (w) => freshChannel(w) },
  },
  'conversation.kick': {
    scope: 'conversation',
    input: (ctx) => ({ ...conversationId(ctx), userId: ctx.extra.userId ?? ctx.w.users.member.id }),
    allowed: {
      setup: async (w) => ({ ...(await freshChannel(w, { others: ['admin', 'member', 'outsider'] })), extra: { userId: w.users.outsider.id } }),
      expect: { member: 'forbidden' },
    },
  },
  'conversation.members': {
    scope: 'conversation',
    input: conversationId,
    allowed: { check: (out, { w }) => (out.some((m) => m.id === w.users.member.id) ? null : 'member missing') },
  },
  'conversation.update': {
    scope: 'conversation',
    input: (ctx) => ({ ...conversationId(ctx), topic: `topic ${ctx.n}` }),
  },
  'conversation.archive': {
    scope: 'conversation',
    input: conversationId,
    allowed: { setup: (w) => freshChannel(w), expect: { member: 'forbidden' } },
  },
  'conversation.unarchive': {
    scope: 'conversation',
    input: conversationId,
    allowed: { setup: (w) => freshChannel(w, { archived: true }), expect: { member: 'forbidden' } },
  },

  // ---- messages -------------------------------------------------------------------------
  'message.send': {
    scope: 'conversation',
    input: (ctx) => ({ ...conversationId(ctx), text: `hello ${ctx.n}`, clientId: randomUUID() }),
  },
  'message.list': {
    scope: 'conversation',
    input: conversationId,
    allowed: { check: (out, { target }) => (out.some((m) => m.id === target.rootId) ? null : 'the root is missing') },
  },
  'thread.replies': {
    scope: 'conversation',
    input: ({ target }) => ({ messageId: target.rootId }),
    allowed: { check: (out, { target }) => (out.replies.some((m) => m.id === target.replyId) ? null : 'the reply is missing') },
  },
  'message.get': { scope: 'conversation', input: (ctx) => ({ messageId: ownOr(ctx, ctx.target.rootId) }) },
  'message.getBySeq': { scope: 'conversation', input: ({ target }) => ({ conversationId: target.conversationId, seq: target.rootSeq }) },
  'message.edit': {
    scope: 'conversation',
    input: (ctx) => ({ messageId: ctx.extra.messageId ?? ownOr(ctx, ctx.target.rootId), text: `edited ${ctx.n}` }),
    // The root was written by `member`: only its author edits it.
    allowed: {
      setup: async (w) => ({ extra: { messageId: w.targets.private.rootId } }),
      expect: { owner: 'forbidden', admin: 'forbidden' },
    },
  },
  'message.delete': {
    scope: 'conversation',
    input: (ctx) => ({ messageId: ctx.extra.messageId ?? ownOr(ctx, ctx.target.replyId) }),
    allowed: {
      // A fresh message by `member` each time: its author and admins may delete it.
      async setup(w) {
        const m = await w.users.member.call('message.send', { conversationId: w.targets.private.conversationId, text: 'to delete', clientId: randomUUID() })
        return { extra: { messageId: m.id } }
      },
    },
  },
  'thread.follow': { scope: 'conversation', input: ({ target }) => ({ messageId: target.rootId }) },
  'thread.unfollow': { scope: 'conversation', input: ({ target }) => ({ messageId: target.rootId }) },

  // ---- reactions, pins, saved items, files ---------------------------------------------
  'reaction.add': {
    scope: 'conversation',
    input: (ctx) => ({ messageId: ownOr(ctx, ctx.target.rootId), emoji: ':+1:' }),
    allowed: { check: (out, ctx) => (out.reactions.some((r) => r.emoji === '👍' && r.members.includes(ctx.w.users[ctx.as as Role].handle)) ? null : 'no reaction of the caller') },
  },
  'reaction.remove': {
    scope: 'conversation',
    input: (ctx) => ({ messageId: ctx.extra.messageId ?? ownOr(ctx, ctx.target.rootId), emoji: ':+1:' }),
    allowed: {
      async setup(w, role) {
        const messageId = await freshMessage(w, 'react then unreact')
        await w.users[role].call('reaction.add', { messageId, emoji: ':+1:' })
        return { extra: { messageId } }
      },
      check: (out) => (out.reactions.length === 0 ? null : 'the reaction is still there'),
    },
  },
  'reaction.list': {
    scope: 'conversation',
    input: ({ target }) => ({ messageId: target.rootId }),
    allowed: { check: (out, { w }) => (out.some((r) => r.emoji === '🎉' && r.members.includes(w.users.member.handle)) ? null : 'the world\'s reaction is missing') },
  },
  'pin.add': {
    scope: 'conversation',
    input: (ctx) => ({ messageId: ownOr(ctx, ctx.target.rootId) }),
  },
  'pin.remove': {
    scope: 'conversation',
    input: (ctx) => ({ messageId: ctx.extra.messageId ?? ctx.target.rootId }),
    allowed: {
      async setup(w) {
        const messageId = await freshMessage(w, 'pin then unpin')
        await w.users.owner.call('pin.add', { messageId })
        return { extra: { messageId } }
      },
    },
  },
  'pin.list': {
    scope: 'conversation',
    input: conversationId,
    allowed: { check: (out, { target }) => (out.some((m) => m.id === target.rootId) ? null : 'the pinned root is missing') },
  },
  'saved.add': {
    scope: 'conversation',
    input: (ctx) => ({ messageId: ownOr(ctx, ctx.target.rootId) }),
  },
  'saved.remove': {
    scope: 'conversation',
    // The root, which nobody saved. (The reply was saved by people since kicked or gone: removing
    // one's own bookmark after losing access is allowed by design and tested with saved items.)
    input: (ctx) => ({ messageId: ctx.extra.messageId ?? ctx.target.rootId }),
    allowed: {
      async setup(w, role) {
        const messageId = await freshMessage(w, 'save then unsave')
        await w.users[role].call('saved.add', { messageId })
        return { extra: { messageId } }
      },
    },
  },
  'saved.list': {
    scope: 'self',
    reads: true,
    input: ({ w }) => ({ workspaceId: w.ws.id }),
    allowed: { check: (out, { w }) => (out.some((m) => m.id === w.targets.private.replyId) ? null : 'the saved reply is missing') },
  },
  'file.get': {
    scope: 'conversation',
    input: ({ target }) => ({ fileId: target.fileId }),
    allowed: { check: (out, { target }) => (out.id === target.fileId && out.conversationId === target.conversationId ? null : 'another file') },
  },

  // ---- attention ------------------------------------------------------------------------
  'mentions.list': {
    scope: 'workspace',
    reads: true,
    input: workspaceId,
  },
  'mentionPolicy.get': { scope: 'workspace', input: workspaceId },
  'mentionPolicy.set': {
    scope: 'workspace',
    input: (ctx) => ({ ...workspaceId(ctx), who: 'everyone' }),
    // Members of the workspace see the policy but may not change it.
    refused: { outsider: 'forbidden', kicked: 'forbidden' },
    allowed: { expect: { member: 'forbidden' } },
  },
  'notify.get': {
    scope: 'conversation',
    input: conversationId,
    allowed: { check: (out, { target }) => (out.conversationId === target.conversationId && out.muted ? null : 'not the caller\'s own preference') },
  },
  'notify.set': {
    scope: 'conversation',
    input: (ctx) => ({ ...conversationId(ctx), muted: true }),
  },
  'notify.list': {
    scope: 'workspace',
    reads: true,
    input: workspaceId,
    allowed: { check: (out, { w }) => (out.some((p) => p.conversationId === w.targets.private.conversationId && p.muted) ? null : 'the private channel\'s preference is missing') },
  },
  'keywords.get': {
    scope: 'self',
    reads: true,
    input: () => ({}),
    allowed: { check: (out, { w }) => (out.keywords.includes(w.strangerKeyword) ? 'someone else\'s keyword' : null) },
  },
  'keywords.add': {
    scope: 'self',
    input: ({ n }) => ({ word: `word${n}` }),
    allowed: { check: (out, { w, n }) => (out.keywords.includes(`word${n}`) && !out.keywords.includes(w.strangerKeyword) ? null : 'wrong keywords') },
  },
  'keywords.remove': {
    scope: 'self',
    // Nobody can remove the stranger's keyword but the stranger: for anyone else it is not theirs.
    input: ({ w, extra }) => ({ word: extra.word ?? w.strangerKeyword }),
    allowed: {
      async setup(w, role, n) {
        const word = `gone${n}`
        await w.users[role].call('keywords.add', { word })
        return { extra: { word } }
      },
      check: (out, { extra }) => (out.keywords.includes(extra.word!) ? 'still there' : null),
    },
  },
  'presence.set': {
    scope: 'self',
    input: () => ({ mode: 'auto' }),
    allowed: { check: (out, ctx) => (out.presence.userId === me(ctx) ? null : 'someone else\'s presence') },
  },
  'presence.activity': { scope: 'self', input: () => ({}) },
  'presence.subscribe': {
    scope: 'self',
    socketOnly: true,
    // The stranger shares no workspace with anyone here: left out of the answer.
    input: ({ w }) => ({ userIds: [w.users.member.id, w.users.stranger.id] }),
    allowed: {
      check: (out, { w }) => (out.map((p) => p.userId).join() === w.users.member.id ? null : `wrong people: ${out.map((p) => p.userId).join()}`),
    },
  },
  'status.set': { scope: 'self', input: ({ n }) => ({ text: `in a meeting ${n}`, expiresInMinutes: 60 }) },
  'status.clear': { scope: 'self', input: () => ({}) },
  'dnd.get': { scope: 'self', input: () => ({}) },
  'dnd.snooze': { scope: 'self', input: () => ({ minutes: 30 }), allowed: { check: (out) => (out.active ? null : 'not snoozed') } },
  'dnd.off': { scope: 'self', input: () => ({}), allowed: { check: (out) => (out.active ? 'still on' : null) } },
  'dnd.schedule': { scope: 'self', input: () => ({ spec: 'mon-sun 00:00-23:59', timeZone: 'UTC' }) },
  unreads: {
    scope: 'workspace',
    reads: true,
    input: (ctx) => ({ ...workspaceId(ctx), all: true }),
    allowed: { check: (out, { w }) => (out.conversations.some((c) => c.conversation.id === w.targets.private.conversationId) ? null : 'the private channel is missing') },
  },
  'read.mark': {
    scope: 'conversation',
    input: conversationId,
    allowed: { check: (out, { target }) => (out.conversationId === target.conversationId && out.lastReadSeq > 0 ? null : 'nothing marked') },
  },
  'read.markUnread': {
    scope: 'conversation',
    input: (ctx) => ({ messageId: ownOr(ctx, ctx.target.rootId) }),
  },
  'draft.set': {
    scope: 'conversation',
    input: (ctx) => ({ ...conversationId(ctx), text: `draft ${ctx.n}` }),
    allowed: { check: (out, { n }) => (out?.text === `draft ${n}` ? null : 'not stored') },
  },
  'draft.clear': { scope: 'conversation', input: conversationId },
  'draft.list': {
    scope: 'workspace',
    reads: true,
    input: workspaceId,
    allowed: {
      check: (out, { w, as }) =>
        out.some((d) => d.threadRootId === w.targets.private.rootId && d.text === `${as}'s thread draft`) && !out.some((d) => !d.text.startsWith(`${as}'s`) && !d.text.startsWith('draft '))
          ? null
          : 'not exactly the caller\'s drafts',
    },
  },
  'typing.start': { scope: 'conversation', input: conversationId },
  'typing.stop': {
    scope: 'conversation',
    input: conversationId,
    // Stopping touches only the caller's own indicator and answers the same for any id, so it
    // tells nobody whether the conversation exists: only anonymous callers are refused.
    refused: { stranger: 'skip', outsider: 'skip', kicked: 'skip', leaver: 'skip', deactivated: 'skip' },
  },

  // ---- search ---------------------------------------------------------------------------
  search: {
    scope: 'workspace',
    reads: true,
    // The reply (message.edit changes the root's text).
    input: (ctx) => ({ ...workspaceId(ctx), query: 'reply' }),
    allowed: { check: (out, { w }) => (out.messages.some((m) => m.id === w.targets.private.replyId) ? null : 'the private channel\'s reply was not found') },
  },

  // ---- single sign-on: owners only ------------------------------------------------------
  'sso.get': {
    scope: 'workspace',
    input: workspaceId,
    refused: ownersOnly,
    allowed: { expect: { admin: 'forbidden', member: 'forbidden' }, check: (out, { w }) => (out.workspaceId === w.ws.id ? null : 'another workspace') },
  },
  'sso.oidc.connect': {
    scope: 'workspace',
    input: ({ w, extra }) => ({ workspaceId: w.ws.id, issuer: extra.issuer ?? 'https://idp.example.com', clientId: 'ocomms', clientSecret: 'the client secret' }),
    refused: ownersOnly,
    allowed: {
      setup: async () => ({ extra: { issuer: await discoveryOnlyIssuer() } }),
      expect: { admin: 'forbidden', member: 'forbidden' },
      check: (out) => (out.connection?.oidc?.clientSecretSet && !JSON.stringify(out).includes('the client secret') ? null : 'secret missing or shown'),
    },
  },
  'sso.saml.connect': {
    scope: 'workspace',
    input: ({ w }) => ({ workspaceId: w.ws.id, metadataXml: idpMetadata('https://idp.example.com/saml', 'https://idp.example.com/saml/sso') }),
    refused: ownersOnly,
    allowed: { expect: { admin: 'forbidden', member: 'forbidden' } },
  },
  'sso.settings.update': {
    scope: 'workspace',
    input: ({ w }) => ({ workspaceId: w.ws.id, allowedDomains: ['example.test'], defaultRole: 'member' }),
    refused: ownersOnly,
    allowed: { expect: { admin: 'forbidden', member: 'forbidden' } },
  },
  'sso.disconnect': {
    scope: 'workspace',
    input: workspaceId,
    refused: ownersOnly,
    allowed: { expect: { admin: 'forbidden', member: 'forbidden' } },
  },
  'sso.scimToken.create': {
    scope: 'workspace',
    input: ({ w, n }) => ({ workspaceId: w.ws.id, name: `provisioning ${n}` }),
    refused: ownersOnly,
    allowed: { expect: { admin: 'forbidden', member: 'forbidden' }, check: (out) => (out.token.startsWith('ocscim_') ? null : 'no token') },
  },
  'sso.scimToken.list': {
    scope: 'workspace',
    input: workspaceId,
    refused: ownersOnly,
    allowed: { expect: { admin: 'forbidden', member: 'forbidden' }, check: (out) => (out.every((x) => !('token' in x)) ? null : 'a token is shown again') },
  },
  'sso.scimToken.revoke': {
    scope: 'workspace',
    input: ({ w, extra }) => ({ workspaceId: w.ws.id, tokenId: extra.tokenId ?? randomUUID() }),
    refused: ownersOnly,
    allowed: {
      setup: async (w) => ({ extra: { tokenId: (await w.users.owner.call('sso.scimToken.create', { workspaceId: w.ws.id, name: 'to revoke' })).id } }),
      expect: { admin: 'forbidden', member: 'forbidden' },
    },
  },
  'sso.discover': {
    scope: 'public',
    input: ({ w }) => ({ workspace: w.ws.slug }),
  },
  'sso.exchange': {
    scope: 'public',
    input: ({ extra }) => ({ code: extra.code ?? 'x'.repeat(43), codeVerifier: extra.verifier ?? 'v'.repeat(43) }),
    allowed: {
      async setup(w) {
        const code = randomBytes(32).toString('base64url')
        const verifier = randomBytes(32).toString('base64url')
        const challenge = createHash('sha256').update(verifier).digest('base64url')
        await w.sql`
          insert into sso_sign_in_codes (code_hash, user_id, workspace_id, code_challenge, expires_at)
          values (${createHash('sha256').update(code).digest()}, ${w.users.member.id}, ${w.ws.id}, ${challenge}, now() + interval '1 minute')`
        return { extra: { code, verifier } }
      },
      check: (out, { w }) => (out.user.id === w.users.member.id && out.workspaceId === w.ws.id ? null : 'signed in as someone else'),
    },
  },

  // ---- audit log (owners only) -----------------------------------------------------------
  'audit.list': {
    scope: 'workspace',
    input: workspaceId,
    refused: ownersOnly,
    allowed: { expect: { admin: 'forbidden', member: 'forbidden' }, check: (out) => (Array.isArray(out) ? null : 'not a list') },
  },

  'retention.get': {
    scope: 'workspace',
    input: workspaceId,
    refused: ownersOnly,
    allowed: { expect: { admin: 'forbidden', member: 'forbidden' }, check: (out, { w }) => (out.workspaceId === w.ws.id ? null : 'another workspace') },
  },
  'retention.set': {
    scope: 'workspace',
    input: ({ w }) => ({ workspaceId: w.ws.id, fileDays: 3650 }),
    refused: ownersOnly,
    allowed: { expect: { admin: 'forbidden', member: 'forbidden' }, check: (out) => (out.fileDays === 3650 ? null : 'not stored') },
  },

  'export.start': {
    scope: 'workspace',
    input: workspaceId,
    refused: ownersOnly,
    allowed: {
      // One export per workspace runs at a time: the previous call's must have finished.
      async setup(w) {
        for (let i = 0; i < 200; i++) {
          const [running] = await w.sql`select 1 from export_jobs where workspace_id = ${w.ws.id} and state = 'running'`
          if (!running) break
          await new Promise((r) => setTimeout(r, 50))
        }
        return {}
      },
      expect: { admin: 'forbidden', member: 'forbidden' },
      check: (out, { w }) => (out.workspaceId === w.ws.id && out.state !== 'failed' ? null : `state ${out.state}: ${out.error}`),
    },
  },
  'export.get': {
    scope: 'workspace',
    input: ({ w, extra }) => ({ workspaceId: w.ws.id, exportId: extra.exportId ?? randomUUID() }),
    refused: ownersOnly,
    allowed: {
      // The export started by export.start's own row, or a new one: a running export refuses a second.
      async setup(w) {
        const [row] = await w.sql<{ id: string }[]>`select id from export_jobs where workspace_id = ${w.ws.id} order by created_at desc limit 1`
        return { extra: { exportId: row?.id ?? (await w.users.owner.call('export.start', { workspaceId: w.ws.id })).id } }
      },
      expect: { admin: 'forbidden', member: 'forbidden' },
    },
  },

  // ---- sync (its per-stream answers are checked in their own test) ---------------------
  sync: {
    scope: 'self',
    input: ({ w }) => ({ conversations: { [w.targets.private.conversationId]: 0 }, workspaces: { [w.ws.id]: 0 } }),
    allowed: {
      check: (out, { w }) =>
        out.conversations.some((s) => s.streamId === w.targets.private.conversationId && s.events.length > 0) && out.gone.length === 0
          ? null
          : 'the private channel did not sync',
    },
  },
}

let issuer: Promise<string> | null = null
/**
 * An OpenID Connect issuer that only answers discovery (sso.oidc.connect reads it): enough for the
 * matrix, which is about who may connect; the sign-in itself is tested against a real provider
 * (sso-oidc.test.ts). Its socket does not keep the test process alive.
 */
function discoveryOnlyIssuer(): Promise<string> {
  issuer ??= new Promise((resolve) => {
    const server = createServer((req, res) => {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
      if (req.url !== '/.well-known/openid-configuration') return void res.writeHead(404).end()
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({
        issuer: base,
        authorization_endpoint: `${base}/auth`,
        token_endpoint: `${base}/token`,
        jwks_uri: `${base}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
      }))
    })
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))
    server.unref()
  })
  return issuer
}

/** A second session of the role's account (for operations that end the session they run in). */
async function signIn(w: World, role: Role): Promise<TestUser> {
  const u = w.users[role]
  const res = await w.server.call('auth.login', { email: u.email, password: PASSWORD })
  return { ...u, token: res.token, call: (name, input) => w.server.call(name, input, res.token) }
}
