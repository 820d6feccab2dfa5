// tap 21 brings ink 5 and React 18, which npm hoists to the repository root; ink-testing-library
// imports `ink` without declaring it, so from the root it would load tap's ink instead of the
// ink 6 the TUI is built on. This resolves ink-testing-library's `ink` from the tui workspace.
const tuiPackage = new URL('../../package.json', import.meta.url).href

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'ink' && context.parentURL?.includes('/node_modules/ink-testing-library/')) {
    return nextResolve(specifier, { ...context, parentURL: tuiPackage })
  }
  return nextResolve(specifier, context)
}
