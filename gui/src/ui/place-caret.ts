import { useCallback, useLayoutEffect, useRef, type RefObject } from 'react'

/**
 * Puts a text field's caret at a position once the field holds the value just set, before the
 * next key can arrive. Setting a controlled field's value puts its caret at the end; moved back
 * any later (on the next frame), the caret could land behind a key typed meanwhile, and what
 * follows would be typed in front of that key. Call it with the position when setting the value.
 */
export function usePlaceCaret(field: RefObject<HTMLInputElement | HTMLTextAreaElement | null>): (at: number) => void {
  const pending = useRef<number | null>(null)
  useLayoutEffect(() => {
    if (pending.current === null) return
    field.current?.setSelectionRange(pending.current, pending.current)
    pending.current = null
  })
  return useCallback((at: number) => {
    pending.current = at
  }, [])
}
