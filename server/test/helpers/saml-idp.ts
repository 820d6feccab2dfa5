import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inflateRawSync } from 'node:zlib'
import { DOMParser, XMLSerializer } from '@xmldom/xmldom'
import { SignedXml } from 'xml-crypto'

/**
 * A SAML 2.0 identity provider for the tests, on loopback: it receives the service provider's
 * AuthnRequest (HTTP-Redirect binding), and answers with a Response whose assertion it signs for
 * real (xml-crypto, RSA-SHA256, exclusive C14N), posted back through an auto-submitting form as a
 * browser would. What the next answer says, and how it is signed, is set per test (`next`) to
 * produce every kind of bad answer: wrong audience, expired, not yet valid, unsigned, signed with
 * another key, signature wrapping, replayed assertion ids.
 */

const fixture = (name: string) => readFileSync(new URL(`../fixtures/saml/${name}`, import.meta.url), 'utf8')
export const idpKey = fixture('idp.key')
export const idpCert = fixture('idp.crt')
export const otherKey = fixture('other.key')
export const otherCert = fixture('other.crt')

const certBody = (pem: string) => pem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '')

export interface SamlPerson {
  /** NameID (persistent, unless it is an email). */
  nameId: string
  email?: string
  name?: string
}

export interface SamlAnswer {
  /** Who signs in; defaults to the last `login`. */
  person?: SamlPerson
  audience?: string
  recipient?: string
  destination?: string
  issuer?: string
  inResponseTo?: string
  assertionId?: string
  /** Seconds from now. */
  notBefore?: number
  notOnOrAfter?: number
  /** What carries the signature. */
  sign?: 'assertion' | 'response' | 'none'
  /** Sign with a key the service provider does not know. */
  wrongKey?: boolean
  /** Signature wrapping: the signed assertion is hidden and an unsigned one (for `evil`) is used. */
  wrap?: 'advice' | 'same-id' | 'sibling'
  evil?: SamlPerson
}

export interface SamlIdp {
  url: string
  entityId: string
  ssoUrl: string
  metadata: string
  /** Who signs in next (and after, until changed). */
  login(person: SamlPerson): void
  /** How the next answer deviates; cleared after one use. */
  next: SamlAnswer
  /** The last request the service provider sent. */
  lastRequest: { id: string; acsUrl: string; issuer: string; relayState: string | null } | null
  /** Builds a signed response as the IdP would answer a request, without the HTTP round trip. */
  respond(request: { id: string; acsUrl: string; issuer: string }, answer?: SamlAnswer): string
  close(): Promise<void>
}

const iso = (secondsFromNow: number) => new Date(Date.now() + secondsFromNow * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z')
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
const newId = () => `_${randomBytes(16).toString('hex')}`

function assertionXml(entityId: string, request: { id: string; acsUrl: string; issuer: string }, a: SamlAnswer, person: SamlPerson, id: string): string {
  const nameIdFormat = person.nameId.includes('@')
    ? 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'
    : 'urn:oasis:names:tc:SAML:2.0:nameid-format:persistent'
  const attrs = [
    person.email ? `<saml:Attribute Name="email"><saml:AttributeValue>${esc(person.email)}</saml:AttributeValue></saml:Attribute>` : '',
    person.name ? `<saml:Attribute Name="displayName"><saml:AttributeValue>${esc(person.name)}</saml:AttributeValue></saml:Attribute>` : '',
  ].join('')
  return (
    `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${iso(0)}">` +
    `<saml:Issuer>${esc(a.issuer ?? entityId)}</saml:Issuer>` +
    `<saml:Subject><saml:NameID Format="${nameIdFormat}">${esc(person.nameId)}</saml:NameID>` +
    `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">` +
    `<saml:SubjectConfirmationData InResponseTo="${esc(a.inResponseTo ?? request.id)}" Recipient="${esc(a.recipient ?? request.acsUrl)}" NotOnOrAfter="${iso(a.notOnOrAfter ?? 300)}"/>` +
    `</saml:SubjectConfirmation></saml:Subject>` +
    `<saml:Conditions NotBefore="${iso(a.notBefore ?? -30)}" NotOnOrAfter="${iso(a.notOnOrAfter ?? 300)}">` +
    `<saml:AudienceRestriction><saml:Audience>${esc(a.audience ?? request.issuer)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
    `<saml:AuthnStatement AuthnInstant="${iso(0)}" SessionIndex="${newId()}"><saml:AuthnContext>` +
    `<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef>` +
    `</saml:AuthnContext></saml:AuthnStatement>` +
    (attrs ? `<saml:AttributeStatement>${attrs}</saml:AttributeStatement>` : '') +
    `</saml:Assertion>`
  )
}

/** Signs the element with this ID (enveloped signature placed after its Issuer, as SAML's schema orders it). */
function sign(xml: string, id: string, key: string, cert: string): string {
  const sig = new SignedXml({
    privateKey: key,
    publicCert: cert,
    signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
  })
  sig.addReference({
    xpath: `//*[@ID='${id}']`,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
  })
  sig.computeSignature(xml, { location: { reference: `//*[@ID='${id}']/*[local-name(.)='Issuer']`, action: 'after' } })
  return sig.getSignedXml()
}

export function buildResponse(entityId: string, request: { id: string; acsUrl: string; issuer: string }, a: SamlAnswer, person: SamlPerson): string {
  const assertionId = a.assertionId ?? newId()
  const responseId = newId()
  const [key, cert] = a.wrongKey ? [otherKey, otherCert] : [idpKey, idpCert]
  const signWhat = a.sign ?? 'assertion'
  let assertion = assertionXml(entityId, request, a, person, assertionId)
  if (signWhat === 'assertion') assertion = sign(assertion, assertionId, key, cert)

  if (a.wrap) {
    // The genuine signed assertion stays in the document, but the one a careless reader would take
    // (the Response's own Assertion child) is an unsigned one naming someone else.
    const evilId = a.wrap === 'same-id' ? assertionId : newId()
    const evil = assertionXml(entityId, request, a, a.evil ?? { nameId: 'mallory@evil.test', email: 'mallory@evil.test' }, evilId)
    if (a.wrap === 'advice') {
      assertion = evil.replace('<saml:AuthnStatement', `<saml:Advice>${assertion}</saml:Advice><saml:AuthnStatement`)
    } else if (a.wrap === 'same-id') {
      const doc = new DOMParser().parseFromString(evil, 'text/xml')
      const signed = new DOMParser().parseFromString(assertion, 'text/xml')
      // The evil assertion carries the genuine signature (which references the shared ID).
      const signature = signed.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0]!
      const issuer = doc.documentElement!.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]!
      doc.documentElement!.insertBefore(doc.importNode(signature, true), issuer.nextSibling)
      assertion = new XMLSerializer().serializeToString(doc) + `<samlp:Extensions>${assertion}</samlp:Extensions>`
    } else {
      assertion = evil + assertion
    }
  }

  let response =
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ` +
    `ID="${responseId}" Version="2.0" IssueInstant="${iso(0)}" Destination="${esc(a.destination ?? request.acsUrl)}" InResponseTo="${esc(a.inResponseTo ?? request.id)}">` +
    `<saml:Issuer>${esc(a.issuer ?? entityId)}</saml:Issuer>` +
    `<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
    assertion +
    `</samlp:Response>`
  if (signWhat === 'response') response = sign(response, responseId, key, cert)
  return Buffer.from(response).toString('base64')
}

/** Decodes an HTTP-Redirect AuthnRequest. */
export function readRequest(samlRequest: string): { id: string; acsUrl: string; issuer: string } {
  const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8')
  const doc = new DOMParser().parseFromString(xml, 'text/xml')
  const root = doc.documentElement!
  const issuer = root.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:assertion', 'Issuer')[0]?.textContent ?? ''
  return { id: root.getAttribute('ID') ?? '', acsUrl: root.getAttribute('AssertionConsumerServiceURL') ?? '', issuer }
}

/** The identity provider's SAML metadata: its entity id, sign-in address and signing certificate. */
export function idpMetadata(entityId: string, ssoUrl: string): string {
  return (
    `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${esc(entityId)}">` +
    `<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${certBody(idpCert)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${esc(ssoUrl)}"/>` +
    `<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${esc(ssoUrl)}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>`
  )
}

export function autoPostForm(action: string, fields: Record<string, string>): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}"/>`)
    .join('')
  return `<!doctype html><html><body onload="document.forms[0].submit()"><form method="post" action="${esc(action)}">${inputs}<noscript><button>Continue</button></noscript></form></body></html>`
}

export async function startSamlIdp(t: { teardown(fn: () => unknown): void }): Promise<SamlIdp> {
  let person: SamlPerson = { nameId: 'nobody', email: 'nobody@example.test' }
  const idp = {} as SamlIdp
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', idp.url)
    if (url.pathname === '/metadata') {
      res.writeHead(200, { 'content-type': 'application/samlmetadata+xml' })
      res.end(idp.metadata)
      return
    }
    if (url.pathname !== '/sso') {
      res.writeHead(404).end()
      return
    }
    const request = readRequest(url.searchParams.get('SAMLRequest') ?? '')
    const relayState = url.searchParams.get('RelayState')
    idp.lastRequest = { ...request, relayState }
    const answer = idp.next
    idp.next = {}
    const SAMLResponse = buildResponse(idp.entityId, request, answer, answer.person ?? person)
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
    res.end(autoPostForm(request.acsUrl, { SAMLResponse, ...(relayState ? { RelayState: relayState } : {}) }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  Object.assign(idp, {
    url,
    entityId: `${url}/metadata`,
    ssoUrl: `${url}/sso`,
    next: {},
    lastRequest: null,
    login: (p: SamlPerson) => (person = p),
    respond: (request: { id: string; acsUrl: string; issuer: string }, answer: SamlAnswer = {}) => buildResponse(idp.entityId, request, answer, answer.person ?? person),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  })
  idp.metadata = idpMetadata(idp.entityId, idp.ssoUrl)
  t.teardown(() => idp.close())
  return idp
}
