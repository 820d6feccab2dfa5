import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createContext, Script } from 'node:vm'
import t from 'tap'
import { formatLink, linkTarget, messageLink, parseLink } from '@ocomms/shared'
import { connectDaemon } from '@ocomms/daemon'
import { DaemonBridge } from '../src/bridge/bridge.js'
import { ipcChannels } from '../src/bridge/protocol.js'
import { appMenuTemplate, trayBitmap } from '../src/shell/app-menu.js'
import { parseLaunch, profileDataDir, relaunchArgs } from '../src/shell/launch.js'
import { allowedPermissions, CONTENT_SECURITY_POLICY, externalUrl, isAppUrl, resolveAppAsset, secureWebPreferences } from '../src/shell/security.js'
import { tomorrowMorning } from '../src/shell/tray.js'
import { defaultState, loadWindowState, WindowStateKeeper } from '../src/shell/window-state.js'

const C = '0b7e6c1e-8f39-4b0e-9a53-6d0f1c1b2a3d'
const M = '5f0a2d4c-1e2b-4c3d-8e9f-0a1b2c3d4e5f'

t.test('ocomms:// links: parse, format, round trip, refusals', async (t) => {
  t.match(parseLink('ocomms://channel/general'), { ok: true, value: { kind: 'channel', target: { kind: 'channel', name: 'general' }, server: null } })
  t.match(parseLink(`ocomms://channel/${C}`), { ok: true, value: { target: { kind: 'id', id: C } } })
  t.match(parseLink('ocomms://dm/ann,bob?server=https://chat.example.com/x'), {
    ok: true,
    value: { kind: 'dm', target: { kind: 'people', handles: ['ann', 'bob'] }, server: 'https://chat.example.com' },
  })
  t.match(parseLink(`ocomms://message/${C}/${M}?thread=${M}`), { ok: true, value: { kind: 'message', conversationId: C, messageId: M, threadRootId: M } })
  for (const bad of [
    'https://example.com',
    'ocomms://channel/',
    'ocomms://channel/a/b',
    'ocomms://channel/Bad Name!',
    'ocomms://dm/@',
    'ocomms://message/x/y',
    `ocomms://message/${C}`,
    'ocomms://launch/calc',
    'ocomms://channel/general?server=javascript:alert(1)',
    'ocomms://channel/%E0%A4%A',
    'ocomms://channel/' + 'a'.repeat(3000),
  ]) {
    t.equal(parseLink(bad).ok, false, `refused: ${bad.slice(0, 60)}`)
  }
  const links = [
    `ocomms://channel/general`,
    `ocomms://dm/ann,bob`,
    `ocomms://channel/${C}?server=https%3A%2F%2Fchat.example.com`,
    `ocomms://message/${C}/${M}?thread=${M}`,
  ]
  for (const l of links) {
    const p = parseLink(l)
    t.ok(p.ok && formatLink(p.value) === l, `round trip ${l}`)
  }
  t.equal(messageLink({ id: M, conversationId: C, threadRootId: null }), `ocomms://message/${C}/${M}`)
  const dm = parseLink('ocomms://dm/ann,bob')
  t.equal(dm.ok && linkTarget(dm.value), '@ann,@bob', 'a target the daemon resolves')
  const ch = parseLink('ocomms://channel/general')
  t.equal(ch.ok && linkTarget(ch.value), '#general')
})

t.test('launch: --profile, OCOMMS_PROFILE, a link in argv; one data folder per profile', async (t) => {
  t.same(parseLaunch(['.', '--profile', 'work'], {}), { profile: 'work', link: null })
  t.same(parseLaunch(['--profile=home', 'ocomms://channel/general'], {}), { profile: 'home', link: 'ocomms://channel/general' })
  t.same(parseLaunch([], { OCOMMS_PROFILE: 'env' }), { profile: 'env', link: null })
  t.same(parseLaunch([], {}), { profile: 'default', link: null })
  t.throws(() => parseLaunch(['--profile', '../../etc'], {}), { code: 'invalid_input' }, 'a profile name cannot leave its folder')
  t.equal(profileDataDir('/data', 'work'), join('/data', 'profiles', 'work'))
  t.not(profileDataDir('/data', 'work'), profileDataDir('/data', 'home'))
  t.same(relaunchArgs('work', 'ocomms://channel/x'), ['--profile', 'work', 'ocomms://channel/x'])
})

t.test('window state: remembered in a 0600 file, placed anew when off every screen', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-desktop-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'sub', 'window-state.json')
  const screenA = { x: 0, y: 0, width: 1920, height: 1080 }
  t.same(loadWindowState(path, [screenA]), defaultState(screenA), 'no file: centred default')
  const keeper = new WindowStateKeeper(path, 20)
  keeper.update({ bounds: { x: 10, y: 10, width: 500, height: 500 }, maximized: false })
  keeper.update({ bounds: { x: 100, y: 50, width: 900, height: 700 }, maximized: true })
  await new Promise((r) => setTimeout(r, 60))
  t.equal((await stat(path)).mode & 0o777, 0o600)
  t.same(loadWindowState(path, [screenA]), { bounds: { x: 100, y: 50, width: 900, height: 700 }, maximized: true }, 'the last update wins')
  // The monitor it was on is gone.
  t.same(loadWindowState(path, [{ x: 5000, y: 0, width: 800, height: 600 }]).bounds, defaultState({ x: 5000, y: 0, width: 800, height: 600 }).bounds)
  await writeFile(path, '{"bounds":{"x":"1","y":2}}')
  t.same(loadWindowState(path, [screenA]), defaultState(screenA), 'a broken file is no file')
  await writeFile(path, 'not json')
  t.same(loadWindowState(path, [screenA]), defaultState(screenA))
  keeper.update({ bounds: { x: 0, y: 0, width: 10, height: 10 }, maximized: false })
  keeper.flush()
  t.same(loadWindowState(path, [screenA]).bounds, { x: 0, y: 0, width: 400, height: 300 }, 'never smaller than the minimum')
})

t.test('security: isolated, sandboxed, no Node, no remote content, files only from the app folder', async (t) => {
  t.match(secureWebPreferences('/p.cjs'), { contextIsolation: true, nodeIntegration: false, sandbox: true, webSecurity: true, webviewTag: false, allowRunningInsecureContent: false, preload: '/p.cjs' })
  t.match(CONTENT_SECURITY_POLICY, /default-src 'none'/)
  t.match(CONTENT_SECURITY_POLICY, /script-src 'self'(;|$)/)
  t.match(CONTENT_SECURITY_POLICY, /connect-src 'none'/)
  t.notMatch(CONTENT_SECURITY_POLICY, /unsafe-eval|unsafe-inline|https?:/)
  t.ok(isAppUrl('ocomms-app://app/index.html'))
  t.notOk(isAppUrl('https://app/'))
  t.notOk(isAppUrl('file:///etc/passwd'))
  t.equal(externalUrl('https://example.com/a'), 'https://example.com/a')
  t.equal(externalUrl('javascript:alert(1)'), null)
  t.equal(externalUrl('file:///etc/passwd'), null)
  t.equal(externalUrl('ocomms-app://app/'), null)
  const root = '/srv/app'
  t.equal(resolveAppAsset(root, 'ocomms-app://app/'), '/srv/app/index.html')
  t.equal(resolveAppAsset(root, 'ocomms-app://app/assets/a.js?v=1'), '/srv/app/assets/a.js')
  // The URL parser folds plain and encoded dot segments: they stay inside the folder.
  t.equal(resolveAppAsset(root, 'ocomms-app://app/../etc/passwd'), '/srv/app/etc/passwd')
  t.equal(resolveAppAsset(root, 'ocomms-app://app/%2e%2e/%2e%2e/etc/passwd'), '/srv/app/etc/passwd')
  for (const bad of ['ocomms-app://app/a/%2e%2e%2f%2e%2e%2fetc', 'ocomms-app://app/..%2f..%2fetc%2fpasswd', 'ocomms-app://app/%2F%2E%2E%2Fx%2F..%2F..%2F..%2Fetc', 'ocomms-app://other/x', 'file:///etc/passwd', 'ocomms-app://app/%00', 'ocomms-app://app/%E0%A4%A']) {
    t.equal(resolveAppAsset(root, bad), null, `refused: ${bad}`)
  }
  t.same([...allowedPermissions], ['clipboard-sanitized-write'], 'no camera, microphone, location, notifications for the page')
})

t.test('the preload exposes only the bridge, on the channels the main process listens to', async (t) => {
  const src = await readFile(fileURLToPath(new URL('../dist/preload.cjs', import.meta.url)), 'utf8')
  const exposed: Record<string, unknown> = {}
  const invoked: unknown[][] = []
  const listeners = new Map<string, Array<(...a: unknown[]) => void>>()
  const required: string[] = []
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        invoked.push(args)
        return args[1] === 'bad' ? { ok: false, error: { code: 'not_found', message: 'nope' } } : { ok: true, result: 'fine' }
      },
      on: (ch: string, l: (...a: unknown[]) => void) => listeners.set(ch, [...(listeners.get(ch) ?? []), l]),
      removeListener: (ch: string, l: (...a: unknown[]) => void) => listeners.set(ch, (listeners.get(ch) ?? []).filter((x) => x !== l)),
    },
  }
  // Run it the way Electron runs a sandboxed preload: a wrapper function, `require` that knows only electron.
  const run = new Script(`(function (require, process, Buffer, global, setImmediate, clearImmediate, exports, module) {\n${src}\n})`).runInContext(createContext({}))
  const sandboxRequire = (name: string) => {
    required.push(name)
    if (name === 'electron') return electron
    throw new Error(`a sandboxed preload cannot require ${name}`)
  }
  run(sandboxRequire, {}, undefined, {}, undefined, undefined, {}, { exports: {} })
  t.same(required, ['electron'])
  t.same(Object.keys(exposed), ['ocomms'])
  const api = exposed.ocomms as Record<string, (...a: unknown[]) => unknown>
  t.same(Object.keys(api).sort(), ['call', 'onDaemon', 'onEvent', 'onOpen'])
  t.equal(await api.call!('daemon.status', {}), 'fine')
  t.same(invoked[0], [ipcChannels.call, 'daemon.status', {}])
  await t.rejects(api.call!('bad', {}) as Promise<unknown>, { code: 'not_found', message: 'nope' })
  const got: unknown[] = []
  const off = api.onEvent!((v: unknown) => got.push(v)) as () => void
  api.onDaemon!(() => {})
  api.onOpen!(() => {})
  t.same([...listeners.keys()].sort(), [ipcChannels.daemon, ipcChannels.event, ipcChannels.open].sort())
  listeners.get(ipcChannels.event)![0]!({ sender: 'the ipc event' }, { hello: 1 })
  t.same(got, [{ hello: 1 }], 'the page gets the value, never the IPC event')
  off()
  t.equal(listeners.get(ipcChannels.event)!.length, 0)
})

t.test('menus and the tray icon', async (t) => {
  const mac = appMenuTemplate('darwin', true)
  t.equal(mac[0]!.role, 'appMenu')
  const linux = appMenuTemplate('linux', true)
  t.notOk(linux.some((m) => m.role === 'appMenu'))
  t.notOk(JSON.stringify(linux).includes('toggleDevTools'), 'no developer tools when packaged')
  t.ok(JSON.stringify(appMenuTemplate('linux', false)).includes('toggleDevTools'))
  t.ok(linux.some((m) => m.role === 'editMenu'), 'copy, paste, undo with their shortcuts')
  const px = trayBitmap('mention', 16)
  t.equal(px.length, 16 * 16 * 4)
  t.equal(px[(8 * 16 + 8) * 4 + 3], 255, 'opaque in the middle')
  t.equal(px[3], 0, 'transparent in the corner')
  t.notSame(trayBitmap('idle'), trayBitmap('dnd'))
  const d = tomorrowMorning(new Date(2026, 0, 31, 23, 30))
  t.same([d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes()], [2026, 1, 1, 9, 0])
})

t.test('without a daemon: refusals need none, calls give up as unavailable after the wait', async (t) => {
  const home = await mkdtemp(join(tmpdir(), 'ocomms-desktop-nodaemon-'))
  await chmod(home, 0o700)
  t.teardown(() => rm(home, { recursive: true, force: true }))
  const bridge = new DaemonBridge({ connect: () => connectDaemon({ home, start: false }), callWaitMs: 300, maxRetryMs: 100 })
  t.teardown(() => bridge.close())
  const page = bridge.session()
  await t.rejects(page.call('no.such.method', {}), { code: 'not_found' }, 'undeclared: refused without asking any daemon')
  await t.rejects(page.call('messages.read', {}), { code: 'invalid_input' })
  const started = Date.now()
  await t.rejects(page.call('daemon.status', {}), { code: 'unavailable' })
  t.ok(Date.now() - started < 3_000, 'gives up after the wait')
  t.match(await page.reply('daemon.status', {}), { ok: false, error: { code: 'unavailable', message: String } })
})
