import { register } from 'node:module'

// See ink-resolve-hook.mjs: ink-testing-library must drive the TUI's ink 6, not tap's ink 5.
register('./ink-resolve-hook.mjs', import.meta.url)
const lib = await import('ink-testing-library')
export const render = lib.render
