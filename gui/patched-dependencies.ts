import { fileURLToPath } from 'node:url'
import type { Plugin } from 'vite'
import { missingPatches, type PatchedPackage } from '../server/src/patches-check.js'

/**
 * Fixes of ours to dependencies the web app bundles (patches/, applied by npm's postinstall
 * through patch-package; why each exists is in docs/patches.md). The server checks its own at
 * start (server/src/patches-check.ts); these are in the built page, so the build checks them,
 * with the same check of the markers (`ocomms-patch: <id>.` in the file a fix changes). A server
 * test keeps both lists equal to the markers in patches/*.patch.
 */
export const GUI_PATCHED: PatchedPackage[] = [
  // The ES module build, which is the one the bundler takes. Found by the bundler, not by Node.
  { name: 'react-virtuoso', loadedBy: [], files: { 'dist/index.mjs': ['open-at-end', 'shown-when-scrolled', 'measured-when-rendered', 'corrected-at-the-top', 'anchored'] } },
]

/** Fails the build, saying what to run, when a copy the build would bundle lacks a fix. */
export function patchedDependencies(): Plugin {
  return {
    name: 'ocomms-patched-dependencies',
    async buildStart() {
      const missing: string[] = []
      const copies: Array<{ pkg: PatchedPackage; folder: string }> = []
      for (const pkg of GUI_PATCHED) {
        // The copy this build resolves, wherever npm put it.
        const entry = await this.resolve(pkg.name, fileURLToPath(new URL('index.html', import.meta.url)))
        const at = entry?.id.lastIndexOf(`/node_modules/${pkg.name}/`) ?? -1
        if (!entry || at < 0) missing.push(`${pkg.name} is not installed`)
        else copies.push({ pkg, folder: entry.id.slice(0, at + `/node_modules/${pkg.name}/`.length) })
      }
      missing.push(...missingPatches(copies))
      if (missing.length > 0) {
        this.error(
          `the web app needs fixes of ours to its dependencies (docs/patches.md):\n  ${missing.join('\n  ')}\n` +
            'They are applied after npm installs (postinstall), which `npm ci --ignore-scripts` skips. Apply them with ' +
            '`npx patch-package --error-on-fail` (or run `npm ci` again), then build again.',
        )
      }
    },
  }
}
