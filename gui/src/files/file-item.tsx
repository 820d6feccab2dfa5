import type { FileRef } from '@ocomms/shared'

/** Image types a browser shows by itself; others are a download link only (SVG is not shown: it can carry script). */
const previewable = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif'])

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/**
 * A file in a message: images as a preview from the download route (the session cookie goes
 * along; the server checks access on every request), every file with its download link.
 */
export function FileItem(props: { file: FileRef }) {
  const f = props.file
  const url = `/api/files/${encodeURIComponent(f.id)}/content`
  return (
    <div className="file">
      {previewable.has(f.mimeType) && (
        <a href={url} download={f.name} className="preview" aria-label={`Download ${f.name}`}>
          <img src={url} alt={f.name} loading="lazy" decoding="async" />
        </a>
      )}
      <a href={url} download={f.name}>
        {f.name}
      </a>{' '}
      <small>{size(f.size)}</small>
    </div>
  )
}
