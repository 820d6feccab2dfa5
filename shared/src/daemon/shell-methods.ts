import { Type } from '@sinclair/typebox'
import { limits } from '../limits.js'
import { ByteSize, FileRef, Id, Message, Nullable } from '../schemas.js'
import { defineMethod } from './method.js'
import { ProfileParam } from './methods.js'

/**
 * The desktop shell's own methods, beside the daemon's: the page's way to files on this
 * machine. None of them takes or answers a local path: a file the person chose in the system's
 * dialog, or whose bytes the page sent, is an opaque single-use handle that only the shell can
 * turn into a path (docs/desktop.md, "Files"). Every object is closed (no other properties), so
 * a page that adds a `path` is refused before anything happens.
 */

export const shellLimits = {
  /** Bytes of one `shell.stageChunk`: its base64 stays well inside one frame of the bridge. */
  stageChunkBytes: 256 * 1024,
  /** The largest image the page is given to preview; larger ones show as a link only. */
  previewBytes: 10 * 1024 * 1024,
} as const

const closed = { additionalProperties: false } as const
const FileHandle = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$', description: 'An opaque, single-use handle the shell gave.' })
const FileName = Type.String({ minLength: 1, maxLength: limits.fileName })

export const ChosenFile = Type.Object({ handle: FileHandle, name: Type.String(), size: ByteSize() })

export const shellChooseFiles = defineMethod({
  name: 'shell.chooseFiles',
  summary: 'Open the system\'s open-file dialog (several files); the chosen files as handles, none when cancelled.',
  params: Type.Object({}, closed),
  result: Type.Object({ files: Type.Array(ChosenFile) }),
})

export const shellStageFile = defineMethod({
  name: 'shell.stageFile',
  summary:
    'Start handing the shell the bytes of a file the page holds (dropped or pasted): a private temporary file of ' +
    '`size` bytes, filled by `shell.stageChunk`, uploaded by `shell.uploadFile` and removed then.',
  params: Type.Object({ name: FileName, size: ByteSize({ maximum: limits.fileBytes }) }, closed),
  result: Type.Object({ handle: FileHandle }),
})

export const shellStageChunk = defineMethod({
  name: 'shell.stageChunk',
  summary: 'The next bytes of a staged file, base64, in order from `offset`.',
  params: Type.Object(
    { handle: FileHandle, offset: ByteSize(), data: Type.String({ maxLength: Math.ceil(shellLimits.stageChunkBytes / 3) * 4, pattern: '^[A-Za-z0-9+/]*={0,2}$' }) },
    closed,
  ),
  result: Type.Object({ received: ByteSize() }),
})

export const shellUploadFile = defineMethod({
  name: 'shell.uploadFile',
  summary: 'Upload a chosen or fully staged file (its handle, used up) into a conversation through the daemon, as `files.upload`.',
  params: Type.Object(
    {
      profile: ProfileParam,
      handle: FileHandle,
      conversationId: Id,
      name: Type.Optional(FileName),
      comment: Type.Optional(Type.String({ maxLength: limits.messageText })),
      clientId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
      threadRootId: Type.Optional(Id),
    },
    closed,
  ),
  result: Type.Object({ file: FileRef, message: Nullable(Message) }),
})

export const shellSaveFile = defineMethod({
  name: 'shell.saveFile',
  summary: 'Open the system\'s save dialog (suggesting `name`) and have the daemon download the file there; `saved: false` when cancelled.',
  params: Type.Object({ profile: ProfileParam, fileId: Id, name: FileName }, closed),
  result: Type.Object({ saved: Type.Boolean(), size: Type.Optional(ByteSize()) }),
})

export const shellPreviewFile = defineMethod({
  name: 'shell.previewFile',
  summary: `A file's bytes (base64) for an image preview, fetched by the daemon; at most ${shellLimits.previewBytes / 1024 / 1024} MiB.`,
  params: Type.Object({ profile: ProfileParam, fileId: Id }, closed),
  result: Type.Object({ mimeType: Type.String(), data: Type.String() }),
})
