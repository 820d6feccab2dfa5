/**
 * The one place message text becomes terminal text. For now it is the plain markdown source
 * with control characters removed (so a message cannot move the cursor or recolour the screen);
 * it will call the shared terminal renderer (ANSI styles) once that exists, with `color` saying
 * whether styles may be used.
 */
export interface RenderTextOptions {
  color: boolean
}

// C0 controls except tab and newline, DEL, and C1 controls (ESC sequences start here).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

export function renderText(text: string, _options: RenderTextOptions = { color: false }): string {
  return text.replace(CONTROL, '').replace(/\t/g, '  ')
}
