/**
 * The terminal UI lives in its own package (@ocomms/tui). It is loaded only when asked for, so
 * commands do not pay for Ink and React, and an installation without it still has every command.
 */
type Tui = { runTui?: (options: { profile: string }) => unknown }

/** Opens the terminal UI for a profile; false when the UI is not installed. */
export async function openTui(profile: string): Promise<boolean> {
  let tui: Tui
  try {
    // A variable, so TypeScript does not need the package to exist at build time.
    const name = '@ocomms/tui'
    tui = (await import(name)) as Tui
  } catch {
    return false
  }
  if (typeof tui.runTui !== 'function') return false
  await tui.runTui({ profile })
  return true
}
