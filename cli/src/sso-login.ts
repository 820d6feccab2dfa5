import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { isErrorCode, OCommsError } from '@ocomms/shared/core'
import { UsageError } from './context.js'

/**
 * `ocomms login --sso`, as native apps sign in (RFC 8252): a one-off HTTP listener on a loopback
 * port receives the redirect that ends the browser sign-in, with a one-time code. The code is bound
 * to a PKCE challenge (RFC 7636) made here, so only this process, which holds the verifier, can
 * exchange it for a session (through the daemon, `profile.sso`).
 */

export interface SsoCode {
  /** The server's base address, as the sign-in started. */
  server: string
  code: string
  codeVerifier: string
}

export interface SsoLoginOptions {
  server: string
  workspace: string
  openBrowser: boolean
  timeoutMs: number
  say(text: string): void
}

function baseUrl(raw: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch {
    throw new UsageError(`"${raw}" is not a server address: expected e.g. https://chat.example.com.`)
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

const page = (title: string, text: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>
<style>body{font:16px system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}</style></head>
<body><h1>${title}</h1><p>${text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)}</p></body></html>\n`

/** Opens the system browser where there is one; false when there is none to try. */
function openInBrowser(url: string): boolean {
  let command: string
  let args: string[]
  if (process.platform === 'darwin') [command, args] = ['open', [url]]
  else if (process.platform === 'win32') [command, args] = ['cmd', ['/c', 'start', '""', `"${url.replace(/&/g, '^&')}"`]]
  else {
    // No display, no browser: a server or an SSH session. The address is printed instead.
    if (!process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return false
    ;[command, args] = ['xdg-open', [url]]
  }
  try {
    const child = spawn(command, args, { stdio: 'ignore', detached: true, windowsVerbatimArguments: process.platform === 'win32' })
    child.on('error', () => {})
    child.unref()
    return true
  } catch {
    return false
  }
}

/** Runs the browser leg and answers the code to exchange. */
export async function receiveSsoCode(options: SsoLoginOptions): Promise<SsoCode> {
  const server = baseUrl(options.server)
  const workspace = options.workspace.trim().toLowerCase()
  if (!/^[a-z0-9][a-z0-9-]{0,39}$/.test(workspace)) throw new UsageError(`"${options.workspace}" is not a workspace slug (lowercase letters, digits and -).`)
  const codeVerifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(codeVerifier).digest('base64url')
  const state = randomBytes(16).toString('base64url')

  let settle!: { resolve(code: string): void; reject(err: Error): void }
  const answer = new Promise<string>((resolve, reject) => (settle = { resolve, reject }))
  const listener = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const reply = (status: number, title: string, text: string) => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' })
      res.end(page(title, text))
    }
    // Anything but the answer to this sign-in (a favicon, a stray request) is turned away.
    if (url.pathname !== '/callback' || url.searchParams.get('state') !== state) return reply(404, 'Not found', 'Nothing here.')
    const code = url.searchParams.get('code')
    if (code) {
      reply(200, 'Signed in', 'You can close this tab and go back to the terminal.')
      return settle.resolve(code)
    }
    const why = url.searchParams.get('error_description') ?? url.searchParams.get('error') ?? 'The sign-in did not complete.'
    reply(400, 'Sign-in failed', why)
    const errorCode = url.searchParams.get('error_code')
    settle.reject(new OCommsError(isErrorCode(errorCode) ? errorCode : 'unauthenticated', why))
  })
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject)
    listener.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (listener.address() as AddressInfo).port
  const start = new URL(`${server}/sso/start`)
  start.search = new URLSearchParams({
    workspace,
    return_to: `http://127.0.0.1:${port}/callback`,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  }).toString()

  const opened = options.openBrowser && openInBrowser(start.href)
  options.say(
    opened
      ? `Opening your browser to sign in to ${workspace}. If it does not open, visit:\n  ${start.href}`
      : `To sign in to ${workspace}, open this address in a browser on this machine:\n  ${start.href}`,
  )
  options.say('Waiting for the sign-in to finish (Ctrl-C to give up)...')
  const timer = setTimeout(
    () => settle.reject(new OCommsError('unauthenticated', `The sign-in did not finish within ${Math.round(options.timeoutMs / 60_000)} minutes; run the command again.`)),
    options.timeoutMs,
  )
  try {
    return { server, code: await answer, codeVerifier }
  } finally {
    clearTimeout(timer)
    listener.closeAllConnections()
    listener.close()
  }
}
