import t from 'tap'
import { chmod } from 'node:fs/promises'
import type { Invite } from '@ocomms/shared'
import { startTestServer } from '../../server/test/helpers/server.js'
import { password, person, signup, until } from './helpers/cli.js'

type InviteOut = typeof Invite.static

t.test('people, roles and workspaces from the CLI', async (t) => {
  const server = await startTestServer(t)
  const ann = await person(t, 'ann')
  const bob = await person(t, 'bob')
  const cara = await person(t, 'cara')

  await signup(ann, server.url, { createWorkspace: 'Acme' })
  const invite = await ann.json<InviteOut>(['invite'])
  t.match(invite, { code: String, link: /invite#code=/, role: 'member', expiresAt: String })
  await signup(bob, server.url, { invite: invite.code })
  await signup(cara, server.url, { invite: invite.link })

  const who = await bob.json<{ user: { handle: string }; workspace: { slug: string }; connection: string }>(['whoami'])
  t.equal(who.user.handle, 'bob')
  t.equal(who.workspace.slug, 'acme')

  // People.
  const members = await ann.json<Array<{ handle: string; role: string }>>(['members'])
  t.same(members.map((m) => m.handle).sort(), ['ann', 'bob', 'cara'])
  t.match(await ann.json(['whois', '@cara']), { handle: 'cara', role: 'member', presence: String, dnd: Boolean })
  t.match(await ann.json(['role', '@cara', 'admin']), { handle: 'cara', role: 'admin' })
  t.equal((await bob.run(['role', '@cara', 'member'])).code, 1, 'members cannot change roles')
  t.match(await ann.json(['deactivate', '@cara']), { handle: 'cara', state: 'deactivated' })

  // Workspaces.
  const ws = await bob.json<{ slug: string }>(['workspace', 'create', 'Side Project'])
  const list = await bob.json<Array<{ slug: string; current: boolean }>>(['workspace', 'list'])
  t.same(list.map((w) => [w.slug, w.current]).sort(), [['acme', false], [ws.slug, true]])
  await bob.json(['workspace', 'use', 'acme'])
  t.equal((await bob.json<{ workspace: { slug: string } }>(['whoami'])).workspace.slug, 'acme')
  t.equal((await bob.run(['workspace', 'use', 'nope'])).code, 1)

  // Bad arguments are usage errors (2); a refusal is 1, with a clear sentence.
  for (const args of [['send'], ['send', '#general'], ['read', '#general', '--limit', 'abc'], ['frobnicate'], ['send', 'Bad Target!', 'x'], ['role', '@bob', 'king'], ['read', '#general', '--before', 'not-a-ref'], ['login', '--server', server.url]]) {
    const res = await ann.run(['--json', ...args])
    t.equal(res.code, 2, `ocomms ${args.join(' ')} is a usage error`)
    t.match(JSON.parse(res.stdout || '{}'), { error: { code: 'usage', message: String } })
    t.match(res.stderr, /\S/, 'and says why on stderr')
  }
  const unknown = await ann.run(['send', '#nope', 'hello'])
  t.equal(unknown.code, 1)
  t.match(unknown.stderr, /No channel #nope/)
  t.equal(unknown.stdout, '', 'nothing on stdout')
  const help = await ann.run(['--help'])
  t.equal(help.code, 0)
  t.match(help.stdout, /Exit codes/)
  t.match((await ann.run(['send', '--help'])).stdout, /--thread/)

  // A home others can reach is refused before anything runs.
  const loose = await person(t, 'dan')
  await chmod(loose.home, 0o755)
  const refusedHome = await loose.run(['--json', 'whoami'])
  t.equal(refusedHome.code, 1, 'refused (1), not "cannot reach" (3): nothing is down')
  t.match(JSON.parse(refusedHome.stdout), { error: { code: 'forbidden', message: /accessible to other users.*chmod 700/ } })

  // Signing out.
  t.equal((await bob.run(['logout'])).code, 0)
  const out = await bob.run(['--json', 'whoami'])
  t.equal(out.code, 1)
  t.match(JSON.parse(out.stdout), { error: { code: 'unauthenticated' } })

  // Back in: with a password, then with a magic link.
  const pw = await bob.run(['login', '--server', server.url, '--email', bob.email, '--password-stdin'], { stdin: `${password}\n` })
  t.equal(pw.code, 0, pw.stderr)
  t.match(pw.stderr, /Signed in as @bob/)
  t.equal((await bob.run(['logout'])).code, 0)
  const wrong = await bob.run(['login', '--server', server.url, '--email', bob.email, '--password-stdin'], { stdin: 'not the password\n' })
  t.equal(wrong.code, 1, 'a wrong password is refused')
  t.equal((await bob.run(['login', '--server', server.url, '--email', bob.email, '--magic-link'])).code, 0)
  const mail = await until(async () => (await server.mails()).find((m) => m.to === bob.email))
  const link = /(http\S+magic-link#token=\S+)/.exec(mail.text)![1]!
  const viaLink = await bob.json<{ user: { handle: string }; workspace: { slug: string } }>(['login', '--link', link])
  t.match(viaLink, { user: { handle: 'bob' }, workspace: { slug: String } }, 'signed in with the magic link')
  t.equal((await bob.run(['login', '--link', link])).code, 1, 'a magic link works once')
})
