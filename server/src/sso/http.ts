import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { OCommsError } from '@ocomms/shared'
import { newToken } from '../auth/tokens.js'
import { toError } from '../errors.js'
import type { Services } from '../services.js'
import { accountFor } from './accounts.js'
import { connectedSso, serviceProvider, spMetadata, type ConnectedSso } from './connection.js'
import { createFlow, createSignInCode, isCodeChallenge, takeFlow, type FlowRow } from './flows.js'
import { authorizationUrl, completeSignIn } from './oidc.js'
import { checkReturnTarget, withAnswer } from './return-target.js'
import { completeSaml, startSaml } from './saml.js'

/**
 * The browser legs of a single sign-on, as plain HTTP routes:
 *
 *   GET  /sso/start?workspace=SLUG&return_to=URL&code_challenge=C&code_challenge_method=S256[&state=S]
 *        → the identity provider (OIDC authorization request, or SAML AuthnRequest)
 *   GET  /sso/oidc/:workspaceId/callback   ← the OpenID Connect provider's answer
 *   POST /sso/saml/:workspaceId/acs        ← the SAML identity provider's answer (HTTP-POST)
 *   GET  /sso/saml/:workspaceId/metadata   the SAML service provider metadata
 *
 * Every sign-in ends the same way: a short-lived, single-use sign-in code is sent to the return
 * address (`?code=...&state=...`), which the starter exchanges with its PKCE verifier through the
 * `sso.exchange` operation. A sign-in that fails after the identity provider answered is sent back
 * as `?error=access_denied&error_code=CODE&error_description=SENTENCE&state=...`; one that cannot
 * be tied to a sign-in in progress gets an error page (there is nowhere safe to send it).
 */

const page = (title: string, message: string, code: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escape(title)}</title>
<style>body{font:16px system-ui,sans-serif;max-width:34rem;margin:3rem auto;padding:0 1rem;color:#222}</style>
</head><body><h1>${escape(title)}</h1><p id="error" data-code="${escape(code)}">${escape(message)}</p></body></html>
`

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

function noStore(reply: FastifyReply): FastifyReply {
  // The answers carry one-time codes: keep them out of caches and of the next page's Referer.
  return reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
}

function errorPage(reply: FastifyReply, err: OCommsError): FastifyReply {
  return noStore(reply).status(err.status).type('text/html; charset=utf-8').send(page('Single sign-on did not work', err.message, err.code))
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v !== '' ? v : null
}

/** The failure as a sentence for the person; anything unexpected is logged and said in general words. */
function failure(services: Services, err: unknown): OCommsError {
  return toError(err, services.log)
}

/** Sends the sign-in's outcome to the flow's return address: a code, or why not. */
async function finish(
  services: Services,
  reply: FastifyReply,
  flow: FlowRow,
  outcome: () => Promise<{ userId: string }>,
): Promise<FastifyReply> {
  const state = flow.client_state
  try {
    if (!flow.fresh) throw new OCommsError('unauthenticated', 'This sign-in took longer than 10 minutes; start again.')
    const { userId } = await outcome()
    const code = await createSignInCode(services.sql, userId, flow.workspace_id, flow.code_challenge)
    return noStore(reply).redirect(withAnswer(flow.return_to, { code, state }), 303)
  } catch (err) {
    const e = failure(services, err)
    const target = withAnswer(flow.return_to, { error: 'access_denied', error_code: e.code, error_description: e.message, state })
    return noStore(reply).redirect(target, 303)
  }
}

async function workspaceOfPath(services: Services, req: FastifyRequest, protocol: 'oidc' | 'saml'): Promise<ConnectedSso> {
  const id = (req.params as { workspaceId?: string }).workspaceId ?? ''
  const sso = /^[0-9a-f-]{36}$/i.test(id) ? await connectedSso(services.sql, { id }) : null
  if (!sso || sso.protocol !== protocol) {
    throw new OCommsError('not_found', 'This workspace does not sign in through this identity provider (any more).')
  }
  return sso
}

export function mountSsoRoutes(app: FastifyInstance, services: Services): void {
  void app.register(async (scope) => {
    // The SAML identity provider posts its answer as a form.
    scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 2 * 1024 * 1024 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)))
    })

    scope.get('/sso/start', { schema: { hide: true } }, async (req, reply) => {
      const q = req.query as Record<string, unknown>
      try {
        const slug = str(q.workspace)
        if (!slug) throw new OCommsError('invalid_input', 'Say which workspace to sign in to: /sso/start?workspace=SLUG.')
        const returnTo = str(q.return_to)
        if (!returnTo) throw new OCommsError('invalid_input', 'return_to is missing: where should the sign-in go back to?')
        const target = checkReturnTarget(returnTo, services.config.publicUrl)
        const challenge = str(q.code_challenge)
        if (!challenge || !isCodeChallenge(challenge) || q.code_challenge_method !== 'S256') {
          throw new OCommsError(
            'invalid_input',
            'A PKCE code_challenge (43 characters, base64url of SHA-256) with code_challenge_method=S256 is required.',
          )
        }
        const clientState = str(q.state)
        if (clientState !== null && !/^[\x21-\x7e]{1,200}$/.test(clientState)) {
          throw new OCommsError('invalid_input', 'state must be 1 to 200 printable characters without spaces.')
        }
        const sso = await connectedSso(services.sql, { slug: slug.toLowerCase() })
        if (!sso) throw new OCommsError('not_found', `No workspace "${slug}" signs in through an identity provider.`)

        const state = newToken()
        const flow = { workspaceId: sso.workspace_id, protocol: sso.protocol, returnTo: target.href, codeChallenge: challenge, clientState }
        if (sso.protocol === 'oidc') {
          const redirectUri = serviceProvider(services.config, sso.workspace_id).oidcRedirectUrl
          const start = await authorizationUrl(services, sso, redirectUri, state)
          await createFlow(services.sql, { ...flow, oidcCodeVerifier: start.codeVerifier, oidcNonce: start.nonce }, state)
          return noStore(reply).redirect(start.url, 302)
        }
        const start = await startSaml(services, sso, state)
        await createFlow(services.sql, { ...flow, samlRequestId: start.requestId }, state)
        if (start.redirect) return noStore(reply).redirect(start.redirect, 302)
        return noStore(reply).type('text/html; charset=utf-8').send(start.form)
      } catch (err) {
        return errorPage(reply, failure(services, err))
      }
    })

    scope.get('/sso/oidc/:workspaceId/callback', { schema: { hide: true } }, async (req, reply) => {
      try {
        const sso = await workspaceOfPath(services, req, 'oidc')
        const state = str((req.query as Record<string, unknown>).state) ?? ''
        const flow = await takeFlow(services.sql, state, sso.workspace_id, 'oidc')
        if (!flow) throw unknownFlow()
        const current = new URL(serviceProvider(services.config, sso.workspace_id).oidcRedirectUrl)
        current.search = new URL(req.url, 'http://callback').search
        return finish(services, reply, flow, async () => {
          const who = await completeSignIn(services, sso, current, { state, codeVerifier: flow.oidc_code_verifier!, nonce: flow.oidc_nonce! })
          return { userId: await accountFor(services, sso, who) }
        })
      } catch (err) {
        return errorPage(reply, failure(services, err))
      }
    })

    scope.post('/sso/saml/:workspaceId/acs', { schema: { hide: true } }, async (req, reply) => {
      try {
        const sso = await workspaceOfPath(services, req, 'saml')
        const body = (req.body ?? {}) as Record<string, unknown>
        const samlResponse = str(body.SAMLResponse)
        if (!samlResponse) throw new OCommsError('invalid_input', 'The identity provider posted no SAMLResponse.')
        const relayState = str(body.RelayState)
        // Sign-ins start here (the request's id is checked against the answer): an answer nobody
        // asked for (identity-provider-initiated) is not taken.
        if (!relayState) throw new OCommsError('invalid_input', 'This answer belongs to no sign-in started here (no RelayState): start the sign-in from OComms.')
        const flow = await takeFlow(services.sql, relayState, sso.workspace_id, 'saml')
        if (!flow) throw unknownFlow()
        return finish(services, reply, flow, async () => {
          const who = await completeSaml(services, sso, flow, samlResponse)
          return { userId: await accountFor(services, sso, who) }
        })
      } catch (err) {
        return errorPage(reply, failure(services, err))
      }
    })

    scope.get('/sso/saml/:workspaceId/metadata', { schema: { hide: true } }, async (req, reply) => {
      const id = (req.params as { workspaceId: string }).workspaceId
      const [ws] = /^[0-9a-f-]{36}$/i.test(id) ? await services.sql`select 1 from workspaces where id = ${id}` : []
      if (!ws) return reply.status(404).type('text/plain; charset=utf-8').send('No such workspace.\n')
      return reply.type('application/samlmetadata+xml; charset=utf-8').send(spMetadata(services.config, id))
    })
  })
}

function unknownFlow(): OCommsError {
  return new OCommsError('unauthenticated', 'This sign-in is unknown, was already used, or expired (state does not match). Start the sign-in again.')
}
