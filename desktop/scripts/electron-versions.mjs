// The Electron and electron-builder versions, pinned once in desktop/package.json ("ocomms").
import { readFileSync } from 'node:fs'

export const desktopDir = new URL('..', import.meta.url).pathname
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
export const versions = pkg.ocomms
