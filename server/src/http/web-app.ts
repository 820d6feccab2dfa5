import fastifyStatic from '@fastify/static'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { ServerConfig } from '../config.js'

/**
 * The web app (gui/, docs/web.md), served from the same origin as the API and the socket.
 *
 * - Hashed build output under /assets/ never changes under its name: cached for a year, immutable.
 * - index.html and the other files at the root (manifest, service worker, icons) are revalidated
 *   on every load, so a new build reaches people at their next visit.
 * - Pages carry a strict Content-Security-Policy: scripts and styles only from this origin, no
 *   inline script, no plugins, no framing. Message text is rendered as React elements, never as
 *   HTML, and this policy is the second wall should that ever fail.
 * - Any other GET of a path the server does not know, outside the API's prefixes, answers with
 *   index.html: the app's own router shows the page (/invite/<code>, /magic-link, /c/<id> ...).
 */

export const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ')

/** Paths that belong to the server, never to the app: an unknown one there is a 404, not the app. */
const serverPrefixes = ['/api/', '/socket.io/', '/scim/', '/sso/', '/assets/']
const serverPaths = ['/api', '/socket.io', '/health', '/ready', '/scim', '/sso', '/metrics']

const IMMUTABLE = 'public, max-age=31536000, immutable'
const REVALIDATE = 'no-cache'

function pageHeaders(set: (name: string, value: string) => unknown): void {
  set('cache-control', REVALIDATE)
  set('content-security-policy', contentSecurityPolicy)
  set('x-content-type-options', 'nosniff')
  // Not no-referrer: with it, a browser sends "Origin: null" even on our own page's POSTs, and
  // the CSRF check needs the real origin. Other sites still learn nothing from links followed.
  set('referrer-policy', 'same-origin')
  set('x-frame-options', 'DENY')
}

/** Whether a request is one the app's router answers (a page address), rather than a server route or a file. */
export function isAppRoute(req: FastifyRequest): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  const path = req.url.split('?')[0]!
  if (serverPaths.includes(path) || serverPrefixes.some((p) => path.startsWith(p))) return false
  // A file name (with an extension) that is not there is a 404: a missing icon must not become a page.
  return !/\.[A-Za-z0-9]+$/.test(path)
}

/**
 * Mounts the app when it is built. Returns the not-found answer for the server: the app's
 * index.html for page addresses, the JSON error otherwise.
 */
export async function mountWebApp(
  app: FastifyInstance,
  config: ServerConfig,
): Promise<((req: FastifyRequest, reply: FastifyReply) => FastifyReply) | null> {
  const root = config.webDir
  if (!root || !existsSync(join(root, 'index.html'))) {
    if (root) app.log.info({ webDir: root }, 'the web app is not built (npm run build); / serves nothing')
    return null
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/',
    index: false,
    // One route per built file, not a catch-all: an unknown address then reaches the server's
    // own answers (a JSON 404, the app for page addresses, 400 for an over-long value) instead
    // of the static handler's. The build does not change while the server runs.
    wildcard: false,
    cacheControl: false,
    // Dot files and source maps are not part of what a browser needs.
    allowedPath: (path) => !path.split('/').some((part) => part.startsWith('.')),
    setHeaders: (reply, path) => {
      if (path.endsWith('.html')) pageHeaders((n, v) => reply.header(n, v))
      else reply.header('cache-control', path.startsWith(join(root, 'assets')) ? IMMUTABLE : REVALIDATE)
      reply.header('x-content-type-options', 'nosniff')
    },
  })
  const sendApp = (_req: FastifyRequest, reply: FastifyReply) => {
    pageHeaders((n, v) => reply.header(n, v))
    return reply.type('text/html; charset=utf-8').sendFile('index.html', root, { cacheControl: false })
  }
  app.get('/', { schema: { hide: true } }, sendApp)
  return sendApp
}
