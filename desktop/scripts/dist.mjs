#!/usr/bin/env node
// `npm run desktop:dist -- --linux | --mac | --win`: builds the packages of desktop/electron-builder.yml
// with the pinned electron-builder, fetched into npm's cache (it is not a dependency either).
import { spawn } from 'node:child_process'
import { desktopDir, versions } from './electron-versions.mjs'

const child = spawn(
  process.platform === 'win32' ? 'npm.cmd' : 'npm',
  ['exec', '--yes', `--package=electron-builder@${versions['electron-builder']}`, '--', 'electron-builder', '--projectDir', desktopDir, ...process.argv.slice(2)],
  { stdio: 'inherit' },
)
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
