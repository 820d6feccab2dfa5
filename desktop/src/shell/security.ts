import { isAbsolute, relative, resolve, sep } from 'node:path'

/**
 * The renderer's security, as Electron's checklist asks: the app's own files come from a
 * private scheme (not file://), the page runs isolated and sandboxed without Node, it may load
 * nothing remote, and it reaches the daemon only through the preload's bridge.
 */
export const APP_SCHEME = 'ocomms-app'
export const APP_ORIGIN = `${APP_SCHEME}://app`

/** BrowserWindow webPreferences of every window. */
export function secureWebPreferences(preload: string) {
  return {
    preload,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    sandbox: true,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    // Spell checking in the composer (Electron's own dictionaries).
    spellcheck: true,
  } as const
}

/**
 * Sent with every page of the app. Scripts and styles only from the app itself; images from the
 * app and from data/blob URLs (files the daemon downloaded are shown from blobs); no network at
 * all: everything goes through the bridge.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "media-src 'self' blob:",
  "connect-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

export function isAppUrl(url: string): boolean {
  try {
    // A custom scheme has no origin in the URL parser: compare scheme and host.
    const u = new URL(url)
    return u.protocol === `${APP_SCHEME}:` && u.host === 'app'
  } catch {
    return false
  }
}

/** A link in a message that may be opened in the system browser (never inside the app). */
export function externalUrl(url: string): string | null {
  try {
    const u = new URL(url)
    return u.protocol === 'https:' || u.protocol === 'http:' || u.protocol === 'mailto:' ? u.toString() : null
  } catch {
    return null
  }
}

/** Permissions the renderer may have (Electron asks for each); everything else is denied. */
export const allowedPermissions: ReadonlySet<string> = new Set(['clipboard-sanitized-write'])

/**
 * The file an `ocomms-app://app/...` request names inside the renderer's build folder, or null
 * when it is outside (`..`, encoded or not) or for another host. `/` is index.html.
 */
export function resolveAppAsset(root: string, url: string): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== 'app') return null
  let path: string
  try {
    path = decodeURIComponent(u.pathname)
  } catch {
    return null
  }
  if (path.includes('\0')) return null
  const file = resolve(root, '.' + (path === '/' || path === '' ? '/index.html' : path))
  const rel = relative(resolve(root), file)
  if (rel === '' || rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel)) return null
  return file
}
