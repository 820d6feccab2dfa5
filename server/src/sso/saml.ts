import { randomBytes } from 'node:crypto'
import { DOMParser } from '@xmldom/xmldom'
import { SAML, ValidateInResponseTo, type CacheProvider, type Profile } from '@node-saml/node-saml'
import { OCommsError } from '@ocomms/shared'
import type { Services } from '../services.js'
import type { AssertedIdentity } from './accounts.js'
import { serviceProvider, type SsoRow } from './connection.js'
import { FLOW_MINUTES, type FlowRow } from './flows.js'
import { certPem } from './idp-metadata.js'

/**
 * SAML 2.0 through `@node-saml/node-saml`: the library checks the XML signature against the
 * identity provider's certificates and takes the assertion only from the signed part (so a
 * signature cannot vouch for an element other than the one used), the audience, the validity
 * times (within the configured clock skew) and that the response answers the request this sign-in
 * sent (InResponseTo). This module adds what the library leaves to its callers: the issuer, the
 * recipient and destination (this workspace's ACS URL), and the replay check (assertion ids are
 * kept in PostgreSQL until they expire).
 */

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer'
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
const EMAIL_ATTRIBUTES = [
  'email',
  'mail',
  'emailAddress',
  'urn:oid:0.9.2342.19200300.100.1.3',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
]
const NAME_ATTRIBUTES = ['displayName', 'name', 'urn:oid:2.16.840.1.113730.3.1.241', 'http://schemas.microsoft.com/identity/claims/displayname']
const GIVEN_ATTRIBUTES = ['givenName', 'firstName', 'urn:oid:2.5.4.42', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname']
const FAMILY_ATTRIBUTES = ['sn', 'surname', 'lastName', 'urn:oid:2.5.4.4', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname']
const USERNAME_ATTRIBUTES = ['uid', 'username', 'preferred_username', 'urn:oid:0.9.2342.19200300.100.1.1']

function samlFor(services: Services, row: SsoRow, cacheProvider: CacheProvider, requestId?: string): SAML {
  const sp = serviceProvider(services.config, row.workspace_id)
  return new SAML({
    callbackUrl: sp.samlAcsUrl,
    entryPoint: row.saml_sso_url!,
    issuer: sp.samlEntityId,
    audience: sp.samlEntityId,
    idpCert: (row.saml_idp_certs ?? []).map(certPem),
    // The response or the assertion must carry a valid signature (identity providers differ in
    // which they sign); the assertion is read from the signed part either way.
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    acceptedClockSkewMs: services.config.sso.clockSkewSeconds * 1000,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: FLOW_MINUTES * 60_000,
    cacheProvider,
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    ...(requestId ? { generateUniqueId: () => requestId } : {}),
  })
}

/** The request ids of sign-ins live in sso_flows; node-saml only needs to find the one this answer is for. */
function flowCache(flow: Pick<FlowRow, 'saml_request_id' | 'created_at'> | null): CacheProvider {
  return {
    saveAsync: async () => null,
    getAsync: async (key) => (flow && key === flow.saml_request_id ? flow.created_at.toISOString() : null),
    removeAsync: async () => null,
  }
}

export interface SamlStart {
  requestId: string
  /** Where to send the browser (HTTP-Redirect binding)... */
  redirect: string | null
  /** ...or a page that posts the request (HTTP-POST binding). */
  form: string | null
}

export async function startSaml(services: Services, row: SsoRow, relayState: string): Promise<SamlStart> {
  const requestId = `_${randomBytes(20).toString('hex')}`
  const saml = samlFor(services, row, flowCache(null), requestId)
  if (row.saml_sso_binding === 'post') return { requestId, redirect: null, form: await saml.getAuthorizeFormAsync(relayState, undefined, {}) }
  return { requestId, redirect: await saml.getAuthorizeUrlAsync(relayState, undefined, {}), form: null }
}

type XmlJs = Record<string, unknown> & { $?: Record<string, string>; _?: string }
const first = (v: unknown): XmlJs | undefined => (Array.isArray(v) ? (v[0] as XmlJs | undefined) : undefined)
const all = (v: unknown): XmlJs[] => (Array.isArray(v) ? (v as XmlJs[]) : [])

function attribute(profile: Profile, names: string[]): string | null {
  const attrs = (profile.attributes ?? {}) as Record<string, unknown>
  for (const n of names) {
    const v = attrs[n]
    const s = Array.isArray(v) ? v[0] : v
    if (typeof s === 'string' && s.trim() !== '') return s.trim()
  }
  return null
}

const refuse = (why: string) => new OCommsError('unauthenticated', `The identity provider's answer did not check out: ${why}`)

/**
 * Validates the identity provider's answer to this flow's request and answers who signed in.
 * Every check that fails refuses the sign-in with a sentence saying which.
 */
export async function completeSaml(services: Services, row: SsoRow, flow: FlowRow, samlResponse: string): Promise<AssertedIdentity> {
  const sp = serviceProvider(services.config, row.workspace_id)
  let profile: Profile | null
  try {
    ;({ profile } = await samlFor(services, row, flowCache(flow)).validatePostResponseAsync({ SAMLResponse: samlResponse }))
  } catch (err) {
    const reason = (err as Error).message.replace(/\s+/g, ' ').trim()
    services.log.warn({ workspaceId: row.workspace_id, reason }, 'SAML sign-in refused')
    throw refuse(`${reason}.`)
  }
  if (!profile) throw refuse('it holds no assertion.')

  // Only the signed assertion counts from here on (getAssertion is parsed from the verified XML).
  const assertion = (profile.getAssertion?.() as { Assertion?: XmlJs } | undefined)?.Assertion
  if (!assertion) throw refuse('it holds no signed assertion.')
  if (profile.issuer !== row.saml_idp_entity_id) {
    throw refuse(`the assertion was issued by ${profile.issuer ?? 'nobody'}, not by ${row.saml_idp_entity_id}.`)
  }
  const confirmations = all(first(assertion.Subject)?.SubjectConfirmation).filter((c) => c.$?.Method === BEARER)
  const data = confirmations.map((c) => first(c.SubjectConfirmationData)?.$ ?? {})
  if (!data.some((d) => d.Recipient === sp.samlAcsUrl)) {
    throw refuse(`the assertion is meant for another recipient (${data.map((d) => d.Recipient).filter(Boolean).join(', ') || 'none named'}), not ${sp.samlAcsUrl}.`)
  }
  const destination = responseDestination(profile.getSamlResponseXml?.())
  if (destination !== null && destination !== sp.samlAcsUrl) throw refuse(`the response was sent to ${destination}, not ${sp.samlAcsUrl}.`)

  const assertionId = assertion.$?.ID
  if (!assertionId) throw refuse('the assertion has no ID.')
  await rememberAssertion(services, row.workspace_id, assertionId, [
    ...data.map((d) => d.NotOnOrAfter),
    first(assertion.Conditions)?.$?.NotOnOrAfter,
  ])

  const emailFromNameId = profile.nameIDFormat === EMAIL_FORMAT || /^[^@\s]+@[^@\s]+$/.test(profile.nameID ?? '') ? profile.nameID : null
  const given = attribute(profile, GIVEN_ATTRIBUTES)
  const family = attribute(profile, FAMILY_ATTRIBUTES)
  return {
    issuer: profile.issuer,
    subject: profile.nameID,
    email: attribute(profile, EMAIL_ATTRIBUTES) ?? emailFromNameId,
    emailVerified: row.saml_emails_verified,
    name: attribute(profile, NAME_ATTRIBUTES) ?? ([given, family].filter(Boolean).join(' ') || null),
    username: attribute(profile, USERNAME_ATTRIBUTES),
  }
}

function responseDestination(xml: string | undefined): string | null {
  if (!xml) return null
  const doc = new DOMParser().parseFromString(xml, 'text/xml')
  return doc?.documentElement?.getAttribute('Destination') || null
}

/**
 * Records an assertion as used until it expires (its latest NotOnOrAfter plus the clock skew; a
 * day when it names none). The same assertion a second time is a replay and is refused.
 */
async function rememberAssertion(services: Services, workspaceId: string, id: string, notOnOrAfter: Array<string | undefined>): Promise<void> {
  const times = notOnOrAfter.map((t) => (t ? Date.parse(t) : NaN)).filter((t) => Number.isFinite(t))
  const until = new Date((times.length > 0 ? Math.max(...times) : Date.now() + 86_400_000) + services.config.sso.clockSkewSeconds * 1000)
  const { sql } = services
  await sql`delete from sso_saml_assertions where expires_at < now()`
  const [fresh] = await sql`
    insert into sso_saml_assertions (workspace_id, assertion_id, expires_at) values (${workspaceId}, ${id}, ${until})
    on conflict do nothing returning 1`
  if (!fresh) throw refuse('this assertion was already used (a replay).')
}
