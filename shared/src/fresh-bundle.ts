import { statSync } from 'node:fs'

/**
 * Whether a one-file bundle that `npm run build` made (scripts/bundle-cli.mjs,
 * scripts/bundle-tui.mjs) may run instead of the modules it was made from: only while it is at
 * least as new as its package's last compile (`tsconfig.tsbuildinfo`, which `tsc -b` also
 * touches when a package it depends on changes). After a build with `tsc -b` alone the modules
 * run, never a stale bundle. Node-only: the `ocomms` launcher and the terminal UI ask it.
 */
export function bundleIsFresh(bundle: URL, buildInfo: URL): boolean {
  try {
    return statSync(bundle).mtimeMs >= statSync(buildInfo).mtimeMs
  } catch {
    // No bundle, or no build info: the modules.
    return false
  }
}
