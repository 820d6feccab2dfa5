/** The composer's text and cursor, edited by pure functions (easy to test, easy to undo later). */
export interface EditorState {
  text: string
  cursor: number
}

export const emptyEditor = (text = ''): EditorState => ({ text, cursor: text.length })

export function insert(s: EditorState, chunk: string): EditorState {
  return { text: s.text.slice(0, s.cursor) + chunk + s.text.slice(s.cursor), cursor: s.cursor + chunk.length }
}

export function backspace(s: EditorState): EditorState {
  if (s.cursor === 0) return s
  const before = Array.from(s.text.slice(0, s.cursor))
  const removed = before.pop() ?? ''
  return { text: before.join('') + s.text.slice(s.cursor), cursor: s.cursor - removed.length }
}

export function deleteForward(s: EditorState): EditorState {
  if (s.cursor >= s.text.length) return s
  const after = Array.from(s.text.slice(s.cursor))
  after.shift()
  return { text: s.text.slice(0, s.cursor) + after.join(''), cursor: s.cursor }
}

export function deleteWord(s: EditorState): EditorState {
  const before = s.text.slice(0, s.cursor).replace(/\S*\s*$/, '')
  return { text: before + s.text.slice(s.cursor), cursor: before.length }
}

export function move(s: EditorState, delta: number): EditorState {
  const chars = Array.from(s.text)
  // Move by characters, not UTF-16 units, so an emoji is one step.
  let index = Array.from(s.text.slice(0, s.cursor)).length + delta
  index = Math.max(0, Math.min(chars.length, index))
  return { text: s.text, cursor: chars.slice(0, index).join('').length }
}

export function lineStart(s: EditorState): EditorState {
  return { ...s, cursor: s.text.lastIndexOf('\n', s.cursor - 1) + 1 }
}

export function lineEnd(s: EditorState): EditorState {
  const end = s.text.indexOf('\n', s.cursor)
  return { ...s, cursor: end < 0 ? s.text.length : end }
}

/** Up/down between lines of a multi-line draft; null when already on the first/last line. */
export function verticalMove(s: EditorState, direction: -1 | 1): EditorState | null {
  const start = s.text.lastIndexOf('\n', s.cursor - 1) + 1
  const column = s.cursor - start
  if (direction < 0) {
    if (start === 0) return null
    const prevStart = s.text.lastIndexOf('\n', start - 2) + 1
    return { ...s, cursor: Math.min(prevStart + column, start - 1) }
  }
  const end = s.text.indexOf('\n', s.cursor)
  if (end < 0) return null
  const nextEnd = s.text.indexOf('\n', end + 1)
  return { ...s, cursor: Math.min(end + 1 + column, nextEnd < 0 ? s.text.length : nextEnd) }
}
