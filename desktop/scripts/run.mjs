#!/usr/bin/env node
// `npm run desktop [-- --profile NAME]`: starts the desktop app. Electron is not a dependency
// (npm ci must not download it): this uses ELECTRON_PATH, else an installed `electron` package,
// else fetches the pinned version into npm's cache with `npm exec`.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { desktopDir, versions } from './electron-versions.mjs'

const args = [desktopDir, ...process.argv.slice(2)]
// The daemon runs under this Node.js (Electron's own Node has another native-module ABI).
const env = { ...process.env, OCOMMS_NODE: process.env.OCOMMS_NODE || process.execPath }
delete env.ELECTRON_RUN_AS_NODE

function run(cmd, cmdArgs) {
  const child = spawn(cmd, cmdArgs, { stdio: 'inherit', env })
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
  child.on('error', (err) => {
    console.error(`ocomms: cannot start ${cmd}: ${err.message}`)
    process.exit(1)
  })
}

let electron = process.env.ELECTRON_PATH
if (!electron) {
  try {
    // The electron package's main export is the path of its binary.
    electron = createRequire(new URL('../package.json', import.meta.url))('electron')
  } catch {
    electron = null
  }
}
if (electron) {
  run(electron, args)
} else {
  console.error(
    `ocomms: Electron is not installed; fetching electron@${versions.electron} into npm's cache (once).\n` +
      '  Where it cannot be downloaded, install Electron another way and set ELECTRON_PATH to its binary.',
  )
  run(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['exec', '--yes', `--package=electron@${versions.electron}`, '--', 'electron', ...args])
}
