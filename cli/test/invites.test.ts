import t from 'tap'
import type { Workspace } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { password, person, signup } from './helpers/cli.js'

t.test('sign-up with an invite is all or nothing, and `join` accepts one for an existing account', async (t) => {
  const server = await startTestServer(t)
  const ann = await person(t, 'ann')
  await signup(ann, server.url, { createWorkspace: 'Acme' })
  const invite = await ann.json<{ code: string; link: string }>(['invite'])

  const bob = await person(t, 'bob')
  const args = ['signup', '--server', server.url, '--email', bob.email, '--name', 'Bob', '--handle', 'bob', '--password-stdin']
  const wrong = await bob.run([...args, '--invite', 'not-a-real-code'], { stdin: `${password}\n` })
  t.equal(wrong.code, 1, 'a wrong invite code is refused')
  t.match(wrong.stderr, /invite code is invalid or has expired/)
  const retry = await bob.run([...args, '--invite', invite.link], { stdin: `${password}\n` })
  t.equal(retry.code, 0, `the retry with the right code signs up (no account was left behind): ${retry.stderr}`)
  t.notMatch(retry.stderr, /already registered/)
  t.match(retry.stderr, /workspace Acme/)

  // An account in another workspace joins Acme with the link.
  const cy = await person(t, 'cy')
  await signup(cy, server.url, { createWorkspace: 'Other' })
  const badJoin = await cy.run(['join', 'not-a-real-code'])
  t.equal(badJoin.code, 1)
  t.match(badJoin.stderr, /invalid or has expired/)
  const joined = await cy.json<Workspace>(['join', invite.link])
  t.equal(joined.name, 'Acme')
  const listed = await cy.json<Workspace[]>(['workspace', 'list'])
  t.same(listed.map((w) => w.name).sort(), ['Acme', 'Other'])
  const whoami = await cy.json<{ workspace: { name: string } }>(['whoami'])
  t.equal(whoami.workspace.name, 'Acme', 'the joined workspace is now the current one')
  const again = await cy.run(['join', invite.code])
  t.equal(again.code, 1)
  t.match(again.stderr, /already a member/)
})
