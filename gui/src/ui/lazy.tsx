import { lazy, Suspense, type ComponentType, type ReactNode } from 'react'

/**
 * A screen or pane that is not part of showing a conversation, loaded the first time it is shown
 * (its own chunk of the build), so what the page parses before its first message list stays
 * small. `fallback` stands in while it loads (from the page's own server or the app's folder:
 * a moment at most).
 */
export function lazyComponent<P extends object>(load: () => Promise<ComponentType<P>>, fallback: ReactNode = null): ComponentType<P> {
  const Loaded = lazy(async () => ({ default: await load() }))
  return function Lazy(props: P) {
    return (
      <Suspense fallback={fallback}>
        <Loaded {...props} />
      </Suspense>
    )
  }
}
