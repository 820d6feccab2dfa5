import type { FastifyInstance } from 'fastify'

/**
 * Where the link in a sign-in mail lands. Mail scanners prefetch links, so loading this page
 * must not sign anyone in: the token stays in the URL fragment (never sent to the server or
 * its logs) until the person presses the button, which POSTs it.
 */
const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sign in to OComms</title>
<style>body{font:16px system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}
button{font:inherit;padding:.6rem 1.2rem;cursor:pointer}code{background:#f2f2f2;padding:.1rem .3rem;word-break:break-all}</style>
</head><body>
<h1>Sign in to OComms</h1>
<p id="status">This link signs you in once, within 15 minutes of being sent.</p>
<p><button id="go" type="button">Sign in</button></p>
<p>From a terminal instead: <code id="cli"></code></p>
<script>
const token = new URLSearchParams(location.hash.slice(1)).get('token') || ''
document.getElementById('cli').textContent = "ocomms login --link '" + location.href + "'"
const status = document.getElementById('status')
const go = document.getElementById('go')
if (!token) { status.textContent = 'This link has no sign-in token.'; go.disabled = true }
go.addEventListener('click', async () => {
  go.disabled = true
  const res = await fetch('/api/auth/magic-link/consume', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) })
  const body = await res.json().catch(() => ({}))
  if (res.ok) {
    localStorage.setItem('ocomms.token', body.token)
    status.textContent = 'Signed in as @' + body.user.handle + '.'
  } else {
    status.textContent = (body.error && body.error.message) || 'This link did not work.'
  }
})
</script>
</body></html>
`

export function mountMagicLinkPage(app: FastifyInstance): void {
  app.get('/magic-link', { schema: { hide: true } }, async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(page),
  )
}
