// The app shell's service worker (docs/web.md): the page opens without the network, from what it
// cached, and shows what IndexedDB kept, marked offline. Only the shell is cached here: index.html
// and every hashed build file (shell.json lists them). The API, the socket and files are never
// cached by it.
const CACHE = 'ocomms-shell-v1'

async function cacheShell() {
  const cache = await caches.open(CACHE)
  const res = await fetch('/', { cache: 'no-cache' })
  if (!res.ok) return
  const html = await res.clone().text()
  await cache.put('/', res)
  const named = [...html.matchAll(/(?:src|href)="(\/(?:assets\/[^"]+|favicon\.svg|manifest\.webmanifest))"/g)].map((m) => m[1])
  // The chunks loaded when a screen is first shown, which index.html does not name (vite.config.ts).
  const list = await fetch('/shell.json', { cache: 'no-cache' })
  const chunks = list.ok ? await list.json() : []
  const assets = [...new Set([...named, ...chunks])]
  // A hashed file never changes under its name: only those not cached yet are fetched, so a
  // page load does not fetch the whole build again beside the page.
  const cached = new Set((await cache.keys()).map((req) => new URL(req.url).pathname))
  await cache.addAll(assets.filter((path) => !path.startsWith('/assets/') || !cached.has(path)))
  // Files of older builds go: a new build replaces the whole shell.
  for (const req of await cache.keys()) {
    const path = new URL(req.url).pathname
    if (path !== '/' && !assets.includes(path)) await cache.delete(req)
  }
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()))
})

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim())
})

self.addEventListener('fetch', (event) => {
  const req = event.request
  if (req.method !== 'GET') return
  const url = new URL(req.url)
  if (url.origin !== self.location.origin) return
  if (req.mode === 'navigate') {
    // Pages: the network first (a new build shows at once), the cached shell when offline.
    event.respondWith(
      fetch(req).then(
        (res) => {
          if (res.ok) event.waitUntil(cacheShell().catch(() => {}))
          return res
        },
        async () => (await caches.match('/')) ?? Response.error(),
      ),
    )
    return
  }
  if (url.pathname.startsWith('/assets/') || url.pathname === '/favicon.svg') {
    event.respondWith(caches.match(req).then((hit) => hit ?? fetch(req)))
  }
})
