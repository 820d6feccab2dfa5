import { createHash, randomBytes } from 'node:crypto'

/**
 * What a browser does in a single sign-on, without a browser: follows redirects, keeps cookies per
 * host, and submits the auto-posting forms SAML uses. Each instance is one browser profile (its
 * own cookie jar). The Chromium test of the web app's sign-in comes with the web app.
 */

export interface Stop {
  /** Where the walk stopped: a redirect to an address `stopAt` matched... */
  url: URL
  /** ...or the last response, when nothing matched (a page, an error page). */
  status: number
  body: string
}

export interface WalkOptions {
  /** Stop before following a redirect to an address this matches (the answer is in `url`). */
  stopAt?: (url: URL) => boolean
  /** Change an address before going there (to tamper with a request, as an attacker would). */
  rewrite?: (url: URL) => URL
  /** Change a form before posting it. */
  rewriteForm?: (fields: Record<string, string>, action: URL) => Record<string, string>
}

const decodeHtml = (s: string) =>
  s.replace(/&(#\d+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e[0] === '#' ? String.fromCharCode(Number(e.slice(1))) : ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[e]!,
  )

/** The auto-submitting form of a page (SAML's HTTP-POST binding), if it has one. */
export function autoForm(html: string, base: URL): { action: URL; fields: Record<string, string> } | null {
  if (!/onload=|\.submit\(\)/.test(html)) return null
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html)
  if (!form) return null
  const fields: Record<string, string> = {}
  for (const input of form[2]!.matchAll(/<input[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1]
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? ''
    if (name) fields[decodeHtml(name)] = decodeHtml(value)
  }
  return { action: new URL(decodeHtml(form[1]!), base), fields }
}

export class TestBrowser {
  private readonly jar = new Map<string, Map<string, string>>()

  private cookieHeader(url: URL): string | undefined {
    const c = this.jar.get(url.host)
    return c && c.size > 0 ? [...c].map(([k, v]) => `${k}=${v}`).join('; ') : undefined
  }

  private keep(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      if (eq < 0) continue
      const c = this.jar.get(url.host) ?? new Map<string, string>()
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') c.delete(name)
      else c.set(name, value)
      this.jar.set(url.host, c)
    }
  }

  async request(method: 'GET' | 'POST', url: URL, form?: Record<string, string>): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': 'ocomms-test-browser', accept: 'text/html,*/*' }
    const cookie = this.cookieHeader(url)
    if (cookie) headers.cookie = cookie
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded'
    const res = await fetch(url, { method, headers, body: form ? new URLSearchParams(form).toString() : undefined, redirect: 'manual' })
    this.keep(url, res)
    return res
  }

  /** Goes to `start` and on, as a browser would, until `stopAt` or a page that is not a redirect or an auto-posting form. */
  async walk(start: string | URL, options: WalkOptions = {}): Promise<Stop> {
    let method: 'GET' | 'POST' = 'GET'
    let url = new URL(start)
    let form: Record<string, string> | undefined
    for (let step = 0; step < 30; step++) {
      if (options.rewrite) url = options.rewrite(url)
      const res = await this.request(method, url, form)
      const location = res.headers.get('location')
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer()
        const next = new URL(location, url)
        if (options.stopAt?.(next)) return { url: next, status: res.status, body: '' }
        ;[method, url, form] = ['GET', next, undefined]
        continue
      }
      const body = await res.text()
      const auto = res.status === 200 ? autoForm(body, url) : null
      if (auto) {
        const fields = options.rewriteForm ? options.rewriteForm(auto.fields, auto.action) : auto.fields
        if (options.stopAt?.(auto.action)) return { url: auto.action, status: res.status, body }
        ;[method, url, form] = ['POST', auto.action, fields]
        continue
      }
      return { url, status: res.status, body }
    }
    throw new Error(`more than 30 steps from ${String(start)}`)
  }
}

/** A PKCE pair (RFC 7636, S256). */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}
