import { useLayoutEffect, type RefObject } from 'react'

/**
 * Gives a field the keyboard focus when it appears (a screen's first field, the text of a message
 * being edited), which `autoFocus` alone does not do here: Preact only sets the `autofocus`
 * attribute, and the browser honours that when the page loads or a <dialog> opens, not for a
 * field that appears later. Keep `autoFocus` on the field too, for the dialogs: a dialog is not
 * open yet when its fields appear, and showModal() then focuses the one that carries it (without
 * it, the dialog's first button).
 */
export function useAutoFocus(ref: RefObject<HTMLElement | null>, on: boolean | undefined): void {
  useLayoutEffect(() => {
    if (on) ref.current?.focus()
  }, [ref, on])
}
