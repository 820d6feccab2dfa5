import type { Key } from 'ink'

/**
 * One name per key press, from Ink's (input, key) pair, so the app's key map reads like the
 * help screen. Terminals disagree on a few keys; the quirks are absorbed here:
 *  - Backspace arrives as DEL (0x7f), which Ink calls `delete`;
 *  - Alt+Enter is ESC CR, Ctrl+J is LF, Shift+Enter is CSI 13;2u (kitty) or CSI 27;2;13~ (xterm):
 *    all of them mean "newline" in the composer;
 *  - Ctrl+/ arrives as 0x1f.
 */
export interface KeyPress {
  name: string
  /** Printable text (typed or pasted) for name === 'text'. */
  text?: string
}

export function keyPress(input: string, key: Key): KeyPress {
  if (key.return) return { name: key.meta || key.shift ? 'newline' : 'enter' }
  if (input === '\r' || input === '\n' || input === '[13;2u' || input === '[27;2;13~') return { name: 'newline' }
  if (key.tab) return { name: key.shift ? 'shift+tab' : 'tab' }
  if (key.escape) return { name: 'escape' }
  if (key.backspace || key.delete) return { name: key.meta ? 'alt+backspace' : 'backspace' }
  const arrow = key.upArrow ? 'up' : key.downArrow ? 'down' : key.leftArrow ? 'left' : key.rightArrow ? 'right' : null
  if (arrow) {
    if (key.meta && key.shift) return { name: `alt+shift+${arrow}` }
    if (key.meta) return { name: `alt+${arrow}` }
    if (key.ctrl) return { name: `ctrl+${arrow}` }
    return { name: arrow }
  }
  if (key.home) return { name: 'home' }
  if (key.end) return { name: 'end' }
  if (key.pageUp) return { name: 'pageup' }
  if (key.pageDown) return { name: 'pagedown' }
  if (input === '\u001f') return { name: 'ctrl+/' }
  if (key.ctrl && input.length === 1) return { name: `ctrl+${input}` }
  if (key.meta && input.length === 1) return { name: `alt+${input}` }
  if (input === '[H' || input === 'OH' || input === '[1~') return { name: 'home' }
  if (input === '[F' || input === 'OF' || input === '[4~') return { name: 'end' }
  // Unknown escape sequences (Ink strips their ESC) are dropped; anything else is text.
  // eslint-disable-next-line no-control-regex
  if (input.length > 0 && !/^[\u0000-\u001f]$/.test(input) && !/^(\[[\d;:?<=>]*[ -/]*[@-~]|O[@-~])$/.test(input)) {
    return { name: 'text', text: input.replace(/\r\n?/g, '\n') }
  }
  return { name: 'unknown' }
}

const PASTE_START = '\u001b[200~'
const PASTE_END = '\u001b[201~'

/**
 * Turns each read from the terminal into key presses. One read can hold several keys: typing
 * ahead over a slow link (SSH) sends `hi` and Enter together, which must send `hi`, not insert a
 * newline. A paste is told apart by its brackets (the UI turns bracketed paste on): everything
 * between `ESC[200~` and `ESC[201~` is text, its line breaks included, even when the paste is
 * split over several reads. Hence the state, one decoder per screen.
 */
export class KeyDecoder {
  private pasting = false

  decode(input: string, key: Key): KeyPress[] {
    // Ink drops the leading ESC of a read; put it back so a marker reads the same anywhere.
    let rest = /^\[20[01]~/.test(input) ? `\u001b${input}` : input
    if (!this.pasting && !rest.includes(PASTE_START) && !rest.includes(PASTE_END)) return typed(input, key)
    const out: KeyPress[] = []
    while (rest.length > 0) {
      const marker = rest.indexOf(this.pasting ? PASTE_END : PASTE_START)
      const part = marker < 0 ? rest : rest.slice(0, marker)
      // A stray end marker (the start was lost) is dropped rather than typed into the draft.
      const clean = part.split(PASTE_END).join('')
      if (clean) out.push(...(this.pasting ? [{ name: 'text', text: clean.replace(/\r\n?/g, '\n') }] : typedText(clean)))
      if (marker < 0) break
      this.pasting = !this.pasting
      rest = rest.slice(marker + PASTE_START.length)
    }
    return out
  }
}

/** Keys typed (not pasted): a read of text with carriage returns in it is text and Enter presses. */
function typed(input: string, key: Key): KeyPress[] {
  const one = keyPress(input, key)
  return one.name === 'text' && input.includes('\r') ? typedText(input) : [one]
}

/** Text typed ahead: each CR is Enter, each LF (Ctrl+J) a newline. */
function typedText(input: string): KeyPress[] {
  return input
    .split(/(\r\n?|\n)/)
    .filter((part) => part !== '')
    .map((part) => (part === '\n' ? { name: 'newline' } : part.startsWith('\r') ? { name: 'enter' } : { name: 'text', text: part }))
}
