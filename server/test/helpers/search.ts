import { randomUUID } from 'node:crypto'
import { renderSnippet, type CallInput, type Message } from '@ocomms/shared'
import { startTestServer, type TestServer, type TestUser } from './server.js'

/** Helpers for search tests: posting, back-dating, and rows other features will create. */

export const send = (u: TestUser, conversationId: string, text: string, extra: { threadRootId?: string } = {}) =>
  u.call('message.send', { conversationId, text, clientId: randomUUID(), ...extra })

export async function backdate(server: TestServer, m: Message, at: string): Promise<void> {
  await server.services.sql`update messages set created_at = ${at}::timestamptz where id = ${m.id}`
}

export async function attachFile(server: TestServer, m: Message, name: string, textContent: string | null = null): Promise<string> {
  const [row] = await server.services.sql<{ id: string }[]>`
    insert into files (workspace_id, conversation_id, message_id, uploader_id, name, size, mime_type, sha256, text_content)
    select c.workspace_id, ${m.conversationId}, ${m.id}, ${m.author.id}, ${name}, ${textContent?.length ?? 10}, 'text/plain', md5(${name}), ${textContent}
      from conversations c where c.id = ${m.conversationId}
    returning id`
  return row!.id
}

export async function react(server: TestServer, m: Message, u: TestUser): Promise<void> {
  await server.services.sql`insert into reactions (message_id, user_id, emoji) values (${m.id}, ${u.id}, '👍')`
}

export async function pin(server: TestServer, m: Message, u: TestUser): Promise<void> {
  await server.services.sql`insert into pins (message_id, conversation_id, pinned_by) values (${m.id}, ${m.conversationId}, ${u.id})`
}

/** A snippet with its marks shown as [brackets]. */
export const marked = (snippet: string) => renderSnippet(snippet, '[', ']')

type SearchInput = Omit<CallInput<'search'>, 'workspaceId'>

interface Teardown {
  teardown(fn: () => unknown): void
}

/** alice (owner), bob and carol in one workspace, all in #general, and a search function. */
export async function searchSetup(t: Teardown) {
  const server = await startTestServer(t)
  const [alice, bob, carol] = [await server.signup('alice'), await server.signup('bob'), await server.signup('carol')]
  const ws = await server.workspace(alice)
  await server.join(ws, alice, bob)
  await server.join(ws, alice, carol)
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  await bob.call('conversation.join', { conversationId: general!.id })
  await carol.call('conversation.join', { conversationId: general!.id })
  const search = (u: TestUser, query: string, extra: Partial<SearchInput> = {}) =>
    u.call('search', { workspaceId: ws.id, query, ...extra })
  const ids = async (u: TestUser, query: string, extra: Partial<SearchInput> = {}) =>
    (await search(u, query, { type: 'messages', ...extra })).messages.map((m) => m.text)
  return { server, alice, bob, carol, ws, general: general!, search, ids }
}
