import { randomUUID } from 'node:crypto'
import { downloadHttp, uploadHttp, type Conversation, type UploadInput, type UploadOptions, type Workspace } from '@ocomms/shared'
import type { ConfigOverrides } from '../../src/config.js'
import { startTestServer, type TestServer, type TestUser } from './server.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

/**
 * A small organisation for content tests: alice (owner), bob and carol (members) in one
 * workspace with #general, a private #secret (alice and bob), a DM alice–bob; eve owns another workspace.
 */
export interface Team {
  server: TestServer
  ws: Workspace
  alice: TestUser
  bob: TestUser
  carol: TestUser
  eve: TestUser
  general: Conversation
  secret: Conversation
  dm: Conversation
  send(u: TestUser, conversationId: string, text: string): ReturnType<TestUser['call']>
  upload(u: TestUser, input: UploadInput, body: Parameters<typeof uploadHttp>[2], options?: UploadOptions): ReturnType<typeof uploadHttp>
  download(u: TestUser, fileId: string): ReturnType<typeof downloadHttp>
}

export async function startTeam(t: Teardown, overrides: ConfigOverrides = {}): Promise<Team> {
  const server = await startTestServer(t, overrides)
  const [alice, bob, carol, eve] = [await server.signup('alice'), await server.signup('bob'), await server.signup('carol'), await server.signup('eve')]
  const ws = await server.workspace(alice)
  await server.join(ws, alice, bob)
  await server.join(ws, alice, carol)
  await server.workspace(eve, 'Elsewhere')
  const [general] = await alice.call('conversation.list', { workspaceId: ws.id })
  await bob.call('conversation.join', { conversationId: general!.id })
  await carol.call('conversation.join', { conversationId: general!.id })
  const secret = await alice.call('channel.create', { workspaceId: ws.id, name: 'secret', private: true })
  await alice.call('conversation.invite', { conversationId: secret.id, userIds: [bob.id] })
  const dm = await alice.call('dm.open', { workspaceId: ws.id, userIds: [bob.id] })
  return {
    server,
    ws,
    alice,
    bob,
    carol,
    eve,
    general: general!,
    secret,
    dm,
    send: (u, conversationId, text) => u.call('message.send', { conversationId, text, clientId: randomUUID() }),
    upload: (u, input, body, options = {}) => uploadHttp(server.url, input, body, { token: u.token, ...options }),
    download: (u, fileId) => downloadHttp(server.url, { fileId }, { token: u.token }),
  }
}
