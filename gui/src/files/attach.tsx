import { useRef, useState } from 'react'
import { limits } from '@ocomms/shared'
import { problem } from '../backend/http'
import { useBackend } from '../backend/hooks'
import type { ChosenFile } from './upload'

interface Upload {
  id: number
  name: string
  fraction: number
  error: string | null
}

let next = 0

/**
 * Files going into a conversation, by the attach button, drag-and-drop or paste: each becomes a
 * message carrying it, posted when its bytes have arrived. Progress per file while it goes; one
 * that fails stays listed with the server's sentence until dismissed.
 */
export function useUploads(conversationId: string, threadRootId: string | null) {
  const backend = useBackend()
  const [uploads, setUploads] = useState<Upload[]>([])
  const update = (id: number, change: Partial<Upload>) => setUploads((all) => all.map((u) => (u.id === id ? { ...u, ...change } : u)))
  const start = (files: Iterable<File | ChosenFile>) => {
    for (const file of files) {
      const id = ++next
      // A pasted screenshot has a generic name; give it one that says when it was taken.
      const type = file instanceof Blob ? file.type : ''
      const name = file.name && file.name !== 'image.png' ? file.name : `Pasted image ${new Date().toISOString().slice(0, 19).replace('T', ' ')}.${type.split('/')[1] ?? 'png'}`
      setUploads((all) => [...all, { id, name, fraction: 0, error: null }])
      backend
        .upload({ conversationId, threadRootId, file, name: name.slice(0, limits.fileName) }, (fraction) => update(id, { fraction }))
        .then(
          () => setUploads((all) => all.filter((u) => u.id !== id)),
          (err: unknown) => update(id, { error: problem(err) }),
        )
    }
  }
  const dismiss = (id: number) => setUploads((all) => all.filter((u) => u.id !== id))
  /** A problem before any file was under way (the chooser failed): listed like a failed upload. */
  const fail = (message: string) => setUploads((all) => [...all, { id: ++next, name: 'Attach files', fraction: 0, error: message }])
  return { uploads, start, dismiss, fail }
}

/**
 * The 📎 button: the system's file dialog where the backend has one (the desktop app), else the
 * page's own file input. A chooser that fails says why in the upload list.
 */
export function AttachButton(props: { onFiles: (files: Array<File | ChosenFile>) => void; onError: (message: string) => void }) {
  const backend = useBackend()
  const input = useRef<HTMLInputElement>(null)
  const choose = () => {
    if (!backend.chooseFiles) return input.current?.click()
    backend.chooseFiles().then(props.onFiles, (err: unknown) => props.onError(problem(err)))
  }
  return (
    <>
      <button type="button" className="attach" aria-label="Attach files" title="Attach files" onClick={choose}>
        📎
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        aria-hidden="true"
        tabIndex={-1}
        onChange={(e) => {
          props.onFiles([...(e.currentTarget.files ?? [])])
          e.currentTarget.value = ''
        }}
      />
    </>
  )
}

export function UploadList(props: { uploads: Upload[]; dismiss: (id: number) => void }) {
  if (props.uploads.length === 0) return null
  return (
    <ul className="uploads" aria-label="Uploads">
      {props.uploads.map((u) => (
        <li key={u.id}>
          <span className="name">{u.name}</span>
          {u.error ? (
            <>
              <span className="error" role="alert">
                {u.error}
              </span>
              <button type="button" className="link" aria-label={`Dismiss ${u.name}`} onClick={() => props.dismiss(u.id)}>
                Dismiss
              </button>
            </>
          ) : (
            <progress max={1} value={u.fraction} aria-label={`Uploading ${u.name}`} />
          )}
        </li>
      ))}
    </ul>
  )
}

/** The files a drag carries or a paste holds (not text, which the composer takes as usual). */
export function filesOf(data: DataTransfer | null): File[] {
  return data ? [...data.files] : []
}
