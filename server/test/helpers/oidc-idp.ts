import { generateKeyPairSync } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider, { type Configuration } from 'oidc-provider'

/**
 * A real OpenID Connect provider (`oidc-provider`) on loopback for the tests, with one
 * confidential client. Its login and consent screens answer by themselves for whoever the test
 * says signs in next (`login`), so an HTTP client that follows redirects goes through the whole
 * authorization code flow (PKCE, state, nonce, signed ID token) as a browser would.
 */

export interface OidcPerson {
  sub: string
  email?: string
  email_verified?: boolean
  name?: string
  preferred_username?: string
}

export interface OidcIdp {
  issuer: string
  clientId: string
  clientSecret: string
  /** Who signs in next (and after, until changed). */
  login(person: OidcPerson): void
  /** Authorization requests the provider received, newest last. */
  requests: URL[]
  close(): Promise<void>
}

let made = 0

/** The provider's storage (codes, sessions, grants), in memory: one test's provider lives in one process. */
class MemoryAdapter {
  private static store = new Map<string, { payload: Record<string, unknown>; consumed?: boolean }>()
  constructor(private readonly model: string) {}
  private key(id: string) {
    return `${this.model}:${id}`
  }
  async upsert(id: string, payload: Record<string, unknown>) {
    MemoryAdapter.store.set(this.key(id), { payload })
  }
  async find(id: string) {
    const hit = MemoryAdapter.store.get(this.key(id))
    return hit ? { ...hit.payload, ...(hit.consumed ? { consumed: true } : {}) } : undefined
  }
  async findByUid(uid: string) {
    for (const [k, v] of MemoryAdapter.store) if (k.startsWith(`${this.model}:`) && v.payload.uid === uid) return v.payload
    return undefined
  }
  async findByUserCode() {
    return undefined
  }
  async consume(id: string) {
    const hit = MemoryAdapter.store.get(this.key(id))
    if (hit) hit.consumed = true
  }
  async destroy(id: string) {
    MemoryAdapter.store.delete(this.key(id))
  }
  async revokeByGrantId(grantId: string) {
    for (const [k, v] of MemoryAdapter.store) if (v.payload.grantId === grantId) MemoryAdapter.store.delete(k)
  }
}

export async function startOidcIdp(t: { teardown(fn: () => unknown): void }, redirectUris: string[]): Promise<OidcIdp> {
  const people = new Map<string, OidcPerson>()
  let current: OidcPerson = { sub: 'nobody' }
  const clientId = `ocomms-${++made}`
  const clientSecret = `secret-${made}-${Math.random().toString(36).slice(2)}-long-enough`
  const requests: URL[] = []
  // Made once the port is known (the issuer URL names it); requests wait for it.
  const box: { provider?: Provider } = {}

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://idp')
    if (url.pathname === '/auth') requests.push(url)
    if (!url.pathname.startsWith('/interaction/')) {
      box.provider!.callback()(req, res)
      return
    }
    void (async () => {
      const provider = box.provider!
      const details = await provider.interactionDetails(req, res)
      if (details.prompt.name === 'login') {
        people.set(current.sub, current)
        await provider.interactionFinished(req, res, { login: { accountId: current.sub } }, { mergeWithLastSubmission: false })
        return
      }
      const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string })
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] }
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '))
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims)
      const grantId = await grant.save()
      await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true })
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...(privateKey.export({ format: 'jwk' }) as object), kid: 'test', use: 'sig', alg: 'RS256' }] as never },
    cookies: { keys: ['test-cookie-key-that-is-long-enough'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    // The claims go into the ID token itself, as most providers put them.
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    adapter: MemoryAdapter as never,
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => {
        const p = people.get(id) ?? { sub: id }
        return { ...p, sub: id }
      },
    }),
  }
  const provider = new Provider(issuer, configuration)
  box.provider = provider
  // Quiet: the provider reports refused requests (the point of some tests) on its event emitter.
  provider.on('server_error', () => {})
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return {
    issuer,
    clientId,
    clientSecret,
    requests,
    login(person) {
      current = person
      people.set(person.sub, person)
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
