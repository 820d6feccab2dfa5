import { bundleIsFresh } from '@ocomms/shared/fresh-bundle'
import { DaemonClient, daemonSocketPath, type DaemonConnection } from '@ocomms/daemon/client'
import { ChatStore } from './state/store.js'

type Screen = typeof import('./mount.js')

/** How long the screen waits for the first page from the daemon before it shows what it has. */
const FIRST_PAGE_WAIT_MS = 150

/**
 * The screen's modules: the one-file bundle `npm run build` makes (scripts/bundle-tui.mjs) while
 * it is newer than the last compile of the UI, else the modules themselves (a build with
 * `tsc -b` alone, or running from source).
 */
function loadScreen(): Promise<Screen> {
  const bundle = new URL('./mount.bundle.js', import.meta.url)
  if (bundleIsFresh(bundle, new URL('../tsconfig.tsbuildinfo', import.meta.url))) {
    return (import(bundle.href) as Promise<Screen>).catch(() => import('./mount.js'))
  }
  return import('./mount.js')
}

export interface RunTuiOptions {
  /** `OCOMMS_HOME`; default the environment's, else ~/.ocomms. */
  home?: string
  /** Which signed-in account; default the daemon's `default`. */
  profile?: string
  /** A daemon client to use instead of connecting to `$OCOMMS_HOME/daemon.sock`. */
  client?: DaemonConnection
  /** Start the daemon when none answers (default true); false only waits and retries. */
  startDaemon?: boolean
  /** Called once the daemon's socket could not be reached (and could not be started). */
  onDaemonUnreachable?: (socketPath: string) => void
}

/**
 * The full-screen terminal UI. Resolves when the person quits (Ctrl+C). When no daemon answers it
 * starts one (the daemon package's `connectDaemon`, as every frontend does); while the daemon is
 * unreachable the UI says so and keeps retrying, and it paints whatever the daemon's cache answers
 * as soon as it is there.
 *
 * First paint (docs/tui.md, Performance): the screen's modules (Ink, React, the markdown
 * renderer) take most of the start, so they load while the daemon is asked for the first screen
 * (who I am, the conversations, the first one's last page). Usually the answers are in before
 * the modules, and the first frame already shows the messages.
 */
export async function runTui(options: RunTuiOptions = {}): Promise<void> {
  const screen = loadScreen()
  // Awaited below; until then a failure to load must not count as unhandled.
  screen.catch(() => {})
  let client = options.client
  let socketClient: DaemonClient | null = null
  if (!client) {
    socketClient = new DaemonClient({ socketPath: daemonSocketPath(options.home), reconnect: true })
    client = socketClient
    const connected = await socketClient.connect().then(
      () => true,
      () => false,
    )
    if (!connected && options.startDaemon !== false) {
      // connectDaemon starts the daemon and waits for its socket; its own client is not needed.
      // Loaded only here: a running daemon (the usual case) spares the UI's start this module.
      const { connectDaemon } = await import('@ocomms/daemon')
      const started = await connectDaemon(options.home ? { home: options.home } : {}).then(
        (c) => (c.close(), true),
        () => false,
      )
      if (!started || !(await socketClient.connect().then(() => true, () => false))) options.onDaemonUnreachable?.(socketClient.socketPath)
    } else if (!connected) options.onDaemonUnreachable?.(socketClient.socketPath)
  }
  const store = new ChatStore(client, { profile: options.profile })
  const firstScreen = store.start()
  const { mount } = await screen
  // When the first page is still on its way, wait for it a little: one frame with the messages
  // costs less than a frame without them followed by another (each takes a good 50 ms).
  await Promise.race([firstScreen, new Promise((resolve) => setTimeout(resolve, FIRST_PAGE_WAIT_MS).unref())])
  // The alternate screen keeps the shell's scrollback intact, as full-screen terminal programs do.
  const alt = process.stdout.isTTY
  // Bracketed paste: a pasted block arrives as text (its newlines stay in the draft) instead of
  // as Enter presses that would send it line by line.
  if (alt) process.stdout.write('\u001b[?1049h\u001b[?2004h')
  const instance = mount(store)
  try {
    await instance.waitUntilExit()
  } finally {
    store.dispose()
    socketClient?.close()
    if (alt) process.stdout.write('\u001b[?2004l\u001b[?1049l')
  }
}
