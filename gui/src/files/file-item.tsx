import { useEffect, useState, type MouseEvent } from 'react'
import type { FileRef } from '@ocomms/shared'
import { problem } from '../backend/http'
import { useBackend } from '../backend/hooks'

/** Image types a browser shows by itself; others are a download link only (SVG is not shown: it can carry script). */
const previewable = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'])

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/**
 * A file in a message: images with a preview, every file with its download link. Where the
 * backend gives a link (a browser: the server's download route, with the session cookie and an
 * access check on every request) the link downloads it; otherwise clicking asks the backend to
 * save it (the desktop app's save dialog) and a failure is said next to it.
 */
export function FileItem(props: { file: FileRef }) {
  const backend = useBackend()
  const f = props.file
  const link = backend.fileLink(f)
  const [preview, setPreview] = useState<string | null>(null)
  const [saveProblem, setSaveProblem] = useState<string | null>(null)
  const shown = previewable.has(f.mimeType)
  useEffect(() => {
    if (!shown) return
    let current = true
    // No preview when its bytes cannot be had: the link still is there.
    backend.previewUrl(f).then(
      (url) => current && setPreview(url),
      () => {},
    )
    return () => {
      current = false
    }
  }, [backend, f, shown])
  const save = (e: MouseEvent<HTMLAnchorElement>) => {
    if (link) return
    e.preventDefault()
    setSaveProblem(null)
    backend.saveFile(f).catch((err: unknown) => setSaveProblem(problem(err)))
  }
  const href = link ?? `#file-${f.id}`
  return (
    <div className="file">
      {shown && preview && (
        <a href={href} download={f.name} className="preview" aria-label={`Download ${f.name}`} onClick={save}>
          <img src={preview} alt={f.name} loading="lazy" decoding="async" />
        </a>
      )}
      <a href={href} download={f.name} onClick={save}>
        {f.name}
      </a>{' '}
      <small>{size(f.size)}</small>
      {saveProblem && (
        <span className="error" role="alert">
          {' '}
          {saveProblem}
        </span>
      )}
    </div>
  )
}
