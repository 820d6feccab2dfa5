import t from 'tap'
import { parseRoute } from '../src/router.js'
import { screenFor } from '../src/screen.js'
import type { SessionState } from '../src/session.js'

// The screen a page shows is decided once (src/screen.ts): the app renders it, and the desktop
// app's start asks it whether to start the opening workspace's backend early. These pin the
// decisions both depend on.
const at = (pathname: string, hash = '', search = '') => parseRoute({ pathname, hash, search })
const workspace = { id: 'w1', name: 'Analytical Engines', slug: 'ae' } as never
const user = { id: 'u1', handle: 'ada', name: 'Ada Lovelace' } as never
const signedIn: SessionState = { status: 'signed-in', user, sessionId: 's1', workspaces: [workspace] }
const noWorkspace: SessionState = { ...signedIn, workspaces: [] }
const signedOut: SessionState = { status: 'signed-out' }
const loading: SessionState = { status: 'loading' }

t.test('signed in: the workspace at its own routes, and only there', async (t) => {
  for (const path of ['/', '/c/c1', '/views/unreads']) {
    t.equal(screenFor(at(path), signedIn, false).name, 'workspace', `${path} shows the workspace`)
    t.equal(screenFor(at(path), signedIn, true).name, 'workspace', `${path} shows the workspace in the desktop app`)
  }
  t.equal(screenFor(at('/settings/sessions'), signedIn, true).name, 'sessions', 'the sessions page is not the workspace (no early backend for it)')
  t.equal(screenFor(at('/settings/notifications'), signedIn, true).name, 'attention-settings')
  t.same(screenFor(at('/settings/sso/w1'), signedIn, false), { name: 'sso-settings', session: signedIn, workspaceId: 'w1' })
  t.equal(screenFor(at('/'), noWorkspace, true).name, 'onboarding', 'no workspace yet: onboarding, not the workspace')
  for (const path of ['/signin', '/signup', '/no-such-page']) t.equal(screenFor(at(path), signedIn, false).name, 'to-home', `${path} sends a signed-in person home`)
})

t.test('signed out: sign-in pages in a tab, the daemon profile in the desktop app', async (t) => {
  t.same(screenFor(at('/signin', '', '?workspace=ae'), signedOut, false), { name: 'sign-in', workspace: 'ae' })
  t.equal(screenFor(at('/signup'), signedOut, false).name, 'sign-up')
  t.equal(screenFor(at('/c/c1'), signedOut, false).name, 'to-sign-in', 'a conversation link goes to sign in first')
  t.equal(screenFor(at('/c/c1'), signedOut, true).name, 'profile-sign-in', 'the desktop app signs in through its profile')
})

t.test('pages that need no session, and the wait for one', async (t) => {
  t.same(screenFor(at('/magic-link', '#token=abc'), signedOut, false), { name: 'magic-link', token: 'abc' })
  t.equal(screenFor(at('/invite', '#code=xyz'), loading, false).name, 'loading', 'an invite waits to know who opens it')
  t.same(screenFor(at('/invite', '#code=xyz'), signedIn, false), { name: 'invite', code: 'xyz' })
  t.equal(screenFor(at('/'), loading, true).name, 'loading')
})
