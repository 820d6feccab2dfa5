// The preload of every window (sandboxed, so a script with only `require('electron')`, no
// imports of our own). It exposes exactly one object to the page, `window.ocomms`: call a daemon
// method, and listen to events, the daemon link and open requests. The main process checks
// every call against the daemon's declarations (desktop/src/bridge/bridge.ts); the channel
// names are those of ipcChannels in bridge/protocol.ts (a test compares).
;(() => {
  type Listener = (...args: unknown[]) => void
  interface IpcRenderer {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>
    on(channel: string, listener: Listener): void
    removeListener(channel: string, listener: Listener): void
  }
  interface Electron {
    contextBridge: { exposeInMainWorld(key: string, api: unknown): void }
    ipcRenderer: IpcRenderer
  }
  // A sandboxed preload has no imports, only this require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { contextBridge, ipcRenderer } = require('electron') as Electron

  const listen = (channel: string) => (listener: (value: unknown) => void) => {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function')
    // The IPC event object stays here: the page gets only the value.
    const wrapped: Listener = (_event, value) => listener(value)
    ipcRenderer.on(channel, wrapped)
    return () => ipcRenderer.removeListener(channel, wrapped)
  }

  contextBridge.exposeInMainWorld('ocomms', {
    async call(method: unknown, params: unknown) {
      const reply = (await ipcRenderer.invoke('ocomms:call', method, params)) as
        | { ok: true; result: unknown }
        | { ok: false; error: { code: string; message: string } }
      if (reply.ok) return reply.result
      throw reply.error
    },
    onEvent: listen('ocomms:event'),
    onDaemon: listen('ocomms:daemon'),
    onOpen: listen('ocomms:open'),
  })
})()
