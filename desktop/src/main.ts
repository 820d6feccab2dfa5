/**
 * The Electron main process: wiring only. Everything it decides is in modules that take
 * Electron's APIs as arguments and are tested in Node (bridge/, shell/); what remains here is
 * the calls into Electron itself, which cannot run on machines without its binary (see
 * docs/desktop.md for what is tested where).
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { connectDaemon } from '@ocomms/daemon'
import { DaemonBridge, type BridgeSession } from './bridge/bridge.js'
import { ipcChannels, type OpenRequest } from './bridge/protocol.js'
import { appMenuTemplate, trayBitmap } from './shell/app-menu.js'
import { FileTransfers } from './shell/file-transfers.js'
import { readJsonFile, writeJsonFile } from './shell/json-file.js'
import { parseLaunch, profileDataDir, relaunchArgs } from './shell/launch.js'
import { routeLink } from './shell/links.js'
import { NotificationAdapter } from './shell/notifications.js'
import { allowedPermissions, APP_ORIGIN, APP_SCHEME, CONTENT_SECURITY_POLICY, externalUrl, isAppUrl, resolveAppAsset, secureWebPreferences } from './shell/security.js'
import { AttentionTray, type MenuItem } from './shell/tray.js'
import { loadWindowState, MIN_SIZE, WindowStateKeeper } from './shell/window-state.js'

// Electron is not a dependency (docs/desktop.md): its API is loaded at run time and typed loosely.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any
const require = createRequire(import.meta.url)
const electron = require('electron') as Any
const { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, net, Notification, protocol, session: electronSession, shell, Tray, screen } = electron

const here = dirname(fileURLToPath(import.meta.url))
const preloadPath = join(here, 'preload.cjs')

/**
 * The renderer's build: the web app's (OCOMMS_RENDERER_DIR, or the gui package once it exists),
 * else the placeholder page that exercises the bridge. This is the seam for the web app.
 */
function rendererRoot(): string {
  if (process.env.OCOMMS_RENDERER_DIR) return process.env.OCOMMS_RENDERER_DIR
  try {
    const gui = join(dirname(require.resolve('@ocomms/gui/package.json')), 'dist')
    if (existsSync(join(gui, 'index.html'))) return gui
  } catch {
    // The web app is not built here.
  }
  return join(here, '..', 'renderer-placeholder')
}

/** Started as `electron path/to/app` (development) rather than as the packaged app. */
const devApp = Boolean((process as { defaultApp?: boolean }).defaultApp)
const launch = parseLaunch(process.argv.slice(1))
app.setPath('userData', profileDataDir(app.getPath('userData'), launch.profile))

// codeCache: V8 keeps what it compiled of the app's scripts between launches, as it does for a
// website's cached scripts; without it every launch compiles the whole bundle again
// (docs/performance.md, "The desktop renderer's first message list").
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, codeCache: true } }])

if (!app.requestSingleInstanceLock({ link: launch.link })) {
  // This profile already runs: it got our link (second-instance) and comes to the front.
  app.quit()
} else {
  void start()
}

async function start(): Promise<void> {
  // Links: registered with the system; in development Electron needs the script path too.
  if (devApp) app.setAsDefaultProtocolClient('ocomms', process.execPath, [resolve(process.argv[1]!)])
  else app.setAsDefaultProtocolClient('ocomms')

  const bridge = new DaemonBridge({
    // The daemon needs a real Node.js: Electron's native-module ABI differs (better-sqlite3).
    connect: () => connectDaemon({ node: process.env.OCOMMS_NODE || 'node' }),
    log: (message, err) => console.error(`ocomms desktop: ${message}`, err instanceof Error ? err.message : ''),
  })
  // The shell's own subscription (notifications, badge, tray) and link resolution.
  const shellSession = bridge.session('shell')
  const pendingLinks: string[] = launch.link ? [launch.link] : []
  let window: Any = null
  let rendererSession: BridgeSession | null = null

  const focus = () => {
    if (!window) return
    if (window.isMinimized()) window.restore()
    window.show()
    window.focus()
  }

  const openLink = async (link: string) => {
    if (!window) return void pendingLinks.push(link)
    try {
      const route = await routeLink(link, launch.profile, shellSession)
      if ('relaunch' in route) {
        // Another profile's instance (started now, or handed the link if it runs).
        const child = spawn(process.execPath, [...(devApp ? [resolve(process.argv[1]!)] : []), ...relaunchArgs(route.relaunch, link)], { detached: true, stdio: 'ignore' })
        child.unref()
        return
      }
      focus()
      bridge.open(route.open)
    } catch (err) {
      console.error(`ocomms desktop: cannot open ${link}: ${(err as { message?: string }).message ?? String(err)}`)
    }
  }

  app.on('second-instance', (_event: unknown, argv: string[], _cwd: string, data: { link?: string | null } | null) => {
    focus()
    const link = data?.link ?? parseLaunch(argv.slice(1)).link
    if (link) void openLink(link)
  })
  app.on('open-url', (event: Any, url: string) => {
    event.preventDefault()
    void openLink(url)
  })

  await app.whenReady()

  // The app's files, from its own scheme, each answer with the CSP.
  const root = rendererRoot()
  protocol.handle(APP_SCHEME, async (request: Any) => {
    let file = resolveAppAsset(root, request.url)
    // The web app's own addresses (/c/<id>, /c/<id>/t/<id>) are its index.html, as the server answers them.
    if (file && !existsSync(file) && !extname(file)) file = join(root, 'index.html')
    if (!file || !existsSync(file)) return new Response('Not found', { status: 404 })
    const res = await net.fetch(pathToFileURL(file).toString())
    const headers = new Headers(res.headers)
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    headers.set('X-Content-Type-Options', 'nosniff')
    return new Response(res.body, { status: res.status, headers })
  })
  const ses = electronSession.defaultSession
  ses.setPermissionRequestHandler((_wc: Any, permission: string, callback: (ok: boolean) => void) => callback(allowedPermissions.has(permission)))
  ses.setPermissionCheckHandler((_wc: Any, permission: string) => allowedPermissions.has(permission))
  // Nothing remote: any request that is not the app's own is cancelled.
  ses.webRequest.onBeforeRequest((details: { url: string }, callback: (r: { cancel: boolean }) => void) =>
    callback({ cancel: !(isAppUrl(details.url) || details.url.startsWith('devtools:') || details.url.startsWith('data:') || details.url.startsWith('blob:')) }),
  )
  app.on('web-contents-created', (_e: unknown, contents: Any) => {
    contents.on('will-attach-webview', (event: Any) => event.preventDefault())
    contents.on('will-navigate', (event: Any, url: string) => {
      if (isAppUrl(url)) return
      event.preventDefault()
      const ext = externalUrl(url)
      if (ext) void shell.openExternal(ext)
    })
    contents.setWindowOpenHandler(({ url }: { url: string }) => {
      const ext = externalUrl(url)
      if (ext) void shell.openExternal(ext)
      return { action: 'deny' }
    })
  })

  // The renderer's calls: only from the app's own page, each checked by the bridge.
  ipcMain.handle(ipcChannels.call, (event: Any, method: unknown, params: unknown) => {
    if (!isAppUrl(event.senderFrame?.url ?? '') || !rendererSession) return { ok: false, error: { code: 'forbidden', message: 'Not the app.' } }
    return rendererSession.reply(method, params)
  })

  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(process.platform, app.isPackaged)))

  // The window, where it was last.
  const statePath = join(app.getPath('userData'), 'window-state.json')
  const state = loadWindowState(statePath, screen.getAllDisplays().map((d: Any) => d.workArea))
  window = new BrowserWindow({ ...state.bounds, minWidth: MIN_SIZE.width, minHeight: MIN_SIZE.height, show: false, title: 'OComms', webPreferences: secureWebPreferences(preloadPath) })
  if (state.maximized) window.maximize()
  const keeper = new WindowStateKeeper(statePath)
  const remember = () => keeper.update({ bounds: window.getNormalBounds(), maximized: window.isMaximized() })
  for (const e of ['resize', 'move', 'maximize', 'unmaximize']) window.on(e, remember)
  // Closing the window hides it: notifications, badge and tray keep running until Quit.
  let quitting = false
  app.on('before-quit', () => (quitting = true))
  window.on('close', (event: Any) => {
    keeper.flush()
    if (quitting) return
    event.preventDefault()
    window.hide()
  })
  app.on('activate', focus)
  window.once('ready-to-show', () => window.show())

  // Files: the system's dialogs, attached to the window; the daemon reads and writes through the shell's own session.
  const files = new FileTransfers({
    dialogs: {
      showOpenDialog: (options) => dialog.showOpenDialog(window, options),
      showSaveDialog: (options) => dialog.showSaveDialog(window, options),
    },
    daemon: bridge.session('shell'),
  })
  bridge.serveShellMethods(files)

  // One bridge session per page load: a reload drops the old page's subscriptions.
  const wc = window.webContents
  const attach = () => {
    rendererSession?.close()
    const s = bridge.session()
    s.onEvent((e) => !wc.isDestroyed() && wc.send(ipcChannels.event, e))
    s.onDaemon((d) => !wc.isDestroyed() && wc.send(ipcChannels.daemon, d))
    s.onOpen((r: OpenRequest) => !wc.isDestroyed() && wc.send(ipcChannels.open, r))
    rendererSession = s
  }
  // A new document (load or reload), not an in-page route change of the web app.
  wc.on('did-start-navigation', (details: Any) => details?.isMainFrame !== false && !details?.isSameDocument && attach())
  wc.on('destroyed', () => rendererSession?.close())
  attach()
  // The page learns its profile from its first address (the web app reads `?profile=` once at start).
  await window.loadURL(`${APP_ORIGIN}/?profile=${encodeURIComponent(launch.profile)}`)

  // Notifications, badge and tray.
  const adapter = new NotificationAdapter(
    {
      show: ({ title, body }, onClick) => {
        if (!Notification.isSupported()) return
        const n = new Notification({ title, body })
        n.on('click', () => {
          focus()
          onClick()
        })
        n.show()
      },
    },
    (request) => bridge.open(request),
  )
  shellSession.onEvent((e) => adapter.handle(e))
  await shellSession.call('subscribe', { profile: launch.profile, notifications: true }).catch((err) => console.error('ocomms desktop: no notifications:', err))

  const tray = new Tray(nativeImage.createFromBitmap(trayBitmap('idle'), { width: 16, height: 16 }))
  const schedulePath = join(app.getPath('userData'), 'settings.json')
  const attention = new AttentionTray({
    // A session of its own: its subscription is the tray's, the notifications' is the shell's.
    session: bridge.session('shell'),
    profile: launch.profile,
    tray: {
      setIcon: (icon) => tray.setImage(nativeImage.createFromBitmap(trayBitmap(icon), { width: 16, height: 16 })),
      setToolTip: (text) => tray.setToolTip(text),
      setMenu: (items: MenuItem[]) => tray.setContextMenu(Menu.buildFromTemplate(items)),
    },
    badge: {
      setBadge: (count, dot) => {
        app.setBadgeCount(count)
        if (process.platform === 'darwin') app.dock?.setBadge(count > 0 ? String(count) : dot ? '•' : '')
        if (process.platform === 'win32' && window && !window.isDestroyed()) {
          window.setOverlayIcon(count > 0 || dot ? nativeImage.createFromBitmap(trayBitmap(count > 0 ? 'mention' : 'unread'), { width: 16, height: 16 }) : null, count > 0 ? `${count} unread` : dot ? 'unread' : '')
        }
      },
    },
    schedule: {
      get: () => ((readJsonFile(schedulePath) as { schedule?: { spec: string; timeZone: string } | null } | null)?.schedule ?? null),
      set: (schedule) => writeJsonFile(schedulePath, { ...((readJsonFile(schedulePath) as object | null) ?? {}), schedule }),
    },
    show: focus,
    quit: () => app.quit(),
  })
  tray.on('click', focus)
  void attention.start().catch((err) => console.error('ocomms desktop: tray:', err))

  for (const link of pendingLinks.splice(0)) void openLink(link)
  app.on('before-quit', () => {
    void files.close()
    attention.stop()
    keeper.flush()
    bridge.close()
  })
}
