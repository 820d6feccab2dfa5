#!/usr/bin/env node
// The `ocomms` command: runs the built CLI (npm run build makes cli/dist). As one bundled file
// (scripts/bundle-cli.mjs) while that is fresh, else module by module (a build with `tsc -b` alone).
import { bundleIsFresh } from '@ocomms/shared/fresh-bundle'

const at = (path) => new URL(path, import.meta.url)
await import(bundleIsFresh(at('../dist/ocomms.bundle.js'), at('../tsconfig.tsbuildinfo')) ? '../dist/ocomms.bundle.js' : '../dist/main.js')
