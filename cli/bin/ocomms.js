#!/usr/bin/env node
// The `ocomms` command: runs the built CLI (npm run build makes cli/dist). As one bundled file
// (scripts/bundle-cli.mjs) while that is newer than the last compile of the CLI, else module by
// module (a build with `tsc -b` alone).
import { statSync } from 'node:fs'

const mtime = (path) => {
  try {
    return statSync(new URL(path, import.meta.url)).mtimeMs
  } catch {
    return -1
  }
}
const bundle = mtime('../dist/ocomms.bundle.js')
await import(bundle >= 0 && bundle >= mtime('../tsconfig.tsbuildinfo') ? '../dist/ocomms.bundle.js' : '../dist/main.js')
