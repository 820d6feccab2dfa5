import { randomUUID } from 'node:crypto'
import { mkdtemp, open, readFile, rm, stat, type FileHandle } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { fileSizeProblem, OCommsError } from '@ocomms/shared/core'
import { shellLimits, type ParamsOf, type ResultOf, type ShellMethodMap, type ShellMethodName } from '@ocomms/shared/daemon'

/** Electron's `dialog` for the app's window, in the shapes its methods take and answer. */
export interface FileDialogs {
  showOpenDialog(options: { title?: string; properties: Array<'openFile' | 'multiSelections'> }): Promise<{ canceled: boolean; filePaths: string[] }>
  showSaveDialog(options: { title?: string; defaultPath: string }): Promise<{ canceled: boolean; filePath?: string }>
}

/** Who calls the daemon for the shell: its own bridge session, which may name local files. */
export interface ShellDaemon {
  call(method: 'files.upload' | 'files.download', params: unknown): Promise<unknown>
}

/** A file behind a handle: one the person chose, or bytes the page is staging into a private temporary file. */
interface Held {
  owner: object
  path: string
  name: string
  size: number
  /** For staged files: bytes written so far and the open file; null once complete. */
  staging: { received: number; file: FileHandle | null } | null
  temporary: boolean
}

type Handlers = { [N in ShellMethodName]: (owner: object, params: ParamsOf<ShellMethodMap[N]>) => Promise<ResultOf<ShellMethodMap[N]>> }

/**
 * The shell's file methods (shared/src/daemon/shell-methods.ts). The page never sees or names a
 * path: the system's dialogs pick them, and the page gets opaque handles that only the page that
 * received them may use, once. Bytes the page holds (dropped, pasted) are written to a private
 * temporary folder (0700, files 0600), uploaded by the daemon from there and removed.
 */
export class FileTransfers {
  private readonly held = new Map<string, Held>()
  private folder: Promise<string> | null = null

  constructor(
    private readonly options: {
      dialogs: FileDialogs
      daemon: ShellDaemon
      /** Where the private temporary folder is made (the system's by default). */
      tempRoot?: string
    },
  ) {}

  /** Answers a checked call of `owner` (the page's bridge session). */
  call(owner: object, method: ShellMethodName, params: unknown): Promise<unknown> {
    return (this.handlers[method] as (o: object, p: unknown) => Promise<unknown>)(owner, params)
  }

  private readonly handlers: Handlers = {
    'shell.chooseFiles': async (owner) => {
      const answer = await this.options.dialogs.showOpenDialog({ title: 'Attach files', properties: ['openFile', 'multiSelections'] })
      if (answer.canceled) return { files: [] }
      const files = []
      for (const path of answer.filePaths) {
        const info = await stat(path).catch(() => null)
        if (!info?.isFile()) continue
        const handle = randomUUID()
        this.held.set(handle, { owner, path, name: basename(path), size: info.size, staging: null, temporary: false })
        files.push({ handle, name: basename(path), size: info.size })
      }
      return { files }
    },

    'shell.stageFile': async (owner, { name, size }) => {
      const tooLarge = fileSizeProblem(size)
      if (tooLarge) throw new OCommsError('payload_too_large', tooLarge)
      const handle = randomUUID()
      const path = join(await this.privateFolder(), handle)
      const file = await open(path, 'wx', 0o600)
      this.held.set(handle, { owner, path, name, size, staging: { received: 0, file }, temporary: true })
      if (size === 0) await this.finishStaging(this.held.get(handle)!)
      return { handle }
    },

    'shell.stageChunk': async (owner, { handle, offset, data }) => {
      const held = this.mine(owner, handle)
      const staging = held.staging
      if (!staging?.file) throw new OCommsError('conflict', 'This file is already complete.')
      if (offset !== staging.received) throw new OCommsError('invalid_input', `Expected the bytes from ${staging.received}, not from ${offset}.`)
      const bytes = Buffer.from(data, 'base64')
      if (staging.received + bytes.length > held.size) {
        await this.drop(handle)
        throw new OCommsError('invalid_input', `More bytes than the ${held.size} announced.`)
      }
      await staging.file.write(bytes, 0, bytes.length, offset)
      staging.received += bytes.length
      if (staging.received === held.size) await this.finishStaging(held)
      return { received: staging.received }
    },

    'shell.uploadFile': async (owner, { handle, name, ...rest }) => {
      const held = this.mine(owner, handle)
      // Single use: whatever happens next, this handle is spent (and a temporary file removed).
      this.held.delete(handle)
      try {
        if (held.staging) throw new OCommsError('invalid_input', `Only ${held.staging.received} of ${held.size} bytes were sent.`)
        // The size again, now: a chosen file may have grown since it was chosen.
        const size = held.temporary ? held.size : (await stat(held.path)).size
        const tooLarge = fileSizeProblem(size)
        if (tooLarge) throw new OCommsError('payload_too_large', tooLarge)
        return (await this.options.daemon.call('files.upload', { ...rest, path: held.path, name: name ?? held.name })) as ResultOf<ShellMethodMap['shell.uploadFile']>
      } finally {
        await this.discard(held)
      }
    },

    'shell.saveFile': async (_owner, { profile, fileId, name }) => {
      // A name from the server is a name, never a folder: separators become '_'.
      const answer = await this.options.dialogs.showSaveDialog({ title: 'Save file', defaultPath: name.replace(/[/\\]/g, '_') })
      if (answer.canceled || !answer.filePath) return { saved: false }
      const out = (await this.options.daemon.call('files.download', { ...(profile ? { profile } : {}), fileId, path: answer.filePath })) as { size: number }
      return { saved: true, size: out.size }
    },

    'shell.previewFile': async (_owner, { profile, fileId }) => {
      const path = join(await this.privateFolder(), `preview-${randomUUID()}`)
      try {
        const out = (await this.options.daemon.call('files.download', { ...(profile ? { profile } : {}), fileId, path })) as { size: number; mimeType: string }
        if (out.size > shellLimits.previewBytes) throw new OCommsError('payload_too_large', 'This file is too large to preview; save it instead.')
        return { mimeType: out.mimeType, data: (await readFile(path)).toString('base64') }
      } finally {
        await rm(path, { force: true })
      }
    },
  }

  /** A page went away: what it held is let go, its temporary files removed. */
  async release(owner: object): Promise<void> {
    for (const [handle, held] of this.held) if (held.owner === owner) await this.drop(handle)
  }

  /** The app quits: every temporary file and the folder go. */
  async close(): Promise<void> {
    for (const handle of [...this.held.keys()]) await this.drop(handle)
    const folder = await this.folder?.catch(() => null)
    if (folder) await rm(folder, { recursive: true, force: true })
  }

  /** Handles the page holds now (for tests: none should outlive their use). */
  get heldCount(): number {
    return this.held.size
  }

  private mine(owner: object, handle: string): Held {
    const held = this.held.get(handle)
    // Another page's handle is as unknown as a made-up one.
    if (!held || held.owner !== owner) throw new OCommsError('not_found', 'No such file: choose it again.')
    return held
  }

  private privateFolder(): Promise<string> {
    // mkdtemp makes the folder 0700: other users cannot list or read what is staged in it.
    return (this.folder ??= mkdtemp(join(this.options.tempRoot ?? tmpdir(), 'ocomms-files-')))
  }

  private async finishStaging(held: Held): Promise<void> {
    await held.staging?.file?.close()
    held.staging = null
  }

  private async drop(handle: string): Promise<void> {
    const held = this.held.get(handle)
    this.held.delete(handle)
    if (held) await this.discard(held)
  }

  private async discard(held: Held): Promise<void> {
    await held.staging?.file?.close().catch(() => {})
    if (held.temporary) await rm(held.path, { force: true })
  }
}
