// @jsxRuntime automatic
// @jsxImportSource react
import { render } from 'ink'
import { copyToClipboard } from './clipboard.js'
import { SocketDaemonClient, daemonSocketPath, type DaemonClient } from './daemon-client.js'
import { ChatStore } from './state/store.js'
import { App } from './ui/app.js'
import { ThemeContext, detectColor } from './ui/theme.js'

export interface RunTuiOptions {
  /** `OCOMMS_HOME`; default the environment's, else ~/.ocomms. */
  home?: string
  /** Which signed-in account; default the daemon's `default`. */
  profile?: string
  /** A daemon client to use instead of connecting to `$OCOMMS_HOME/daemon.sock`. */
  client?: DaemonClient
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
 */
export async function runTui(options: RunTuiOptions = {}): Promise<void> {
  let client = options.client
  let socketClient: SocketDaemonClient | null = null
  if (!client) {
    socketClient = new SocketDaemonClient({ socketPath: daemonSocketPath(options.home) })
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
  const color = detectColor()
  // The alternate screen keeps the shell's scrollback intact, as full-screen terminal programs do.
  const alt = process.stdout.isTTY
  // Bracketed paste: a pasted block arrives as text (its newlines stay in the draft) instead of
  // as Enter presses that would send it line by line.
  if (alt) process.stdout.write('\u001b[?1049h\u001b[?2004h')
  const instance = render(
    <ThemeContext.Provider value={{ color }}>
      <App store={store} copy={(text) => copyToClipboard(text)} />
    </ThemeContext.Provider>,
    { exitOnCtrlC: false },
  )
  void store.start()
  try {
    await instance.waitUntilExit()
  } finally {
    store.dispose()
    socketClient?.close()
    if (alt) process.stdout.write('\u001b[?2004l\u001b[?1049l')
  }
}
