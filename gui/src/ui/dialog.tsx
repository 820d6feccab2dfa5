import { useEffect, useRef, type ReactNode } from 'react'

/**
 * A modal dialog on the native <dialog> element: the browser keeps focus inside it, Escape
 * closes it, and focus returns to what opened it.
 */
export function Dialog(props: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null)
  useEffect(() => {
    const dialog = ref.current
    const opener = document.activeElement as HTMLElement | null
    dialog?.showModal()
    return () => {
      dialog?.close()
      opener?.focus()
    }
  }, [])
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="dialog-title" onClose={props.onClose} onCancel={props.onClose}>
      <header>
        <h2 id="dialog-title">{props.title}</h2>
        <button type="button" className="close" aria-label="Close" onClick={props.onClose}>
          ×
        </button>
      </header>
      {props.children}
    </dialog>
  )
}
