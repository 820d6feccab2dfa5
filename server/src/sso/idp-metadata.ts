import { X509Certificate } from 'node:crypto'
import { DOMParser } from '@xmldom/xmldom'
import xpath from 'xpath'
import { OCommsError } from '@ocomms/shared'

/** What a SAML identity provider's metadata tells a service provider. */
export interface IdpMetadata {
  entityId: string
  ssoUrl: string
  binding: 'redirect' | 'post'
  /** Signing certificates, base64 DER. */
  certs: string[]
}

const BINDINGS = {
  redirect: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect',
  post: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST',
} as const

const invalid = (why: string) => new OCommsError('invalid_input', `The identity provider's metadata ${why}`)

/**
 * Reads an identity provider's SAML metadata: its entity id, where sign-in requests go (HTTP-Redirect
 * preferred, else HTTP-POST) and the certificates its assertions are signed with.
 */
export function parseIdpMetadata(xml: string): IdpMetadata {
  let problem: string | null = null
  let doc: Document | undefined
  try {
    doc = new DOMParser({
      errorHandler: {
        warning: () => {},
        error: (msg: string) => (problem ??= msg),
        fatalError: (msg: string) => (problem ??= msg),
      },
    }).parseFromString(xml, 'text/xml')
  } catch (err) {
    problem ??= (err as Error).message
  }
  if (problem || !doc?.documentElement) throw invalid(`is not well-formed XML${problem ? `: ${String(problem).split('\n')[0]}` : '.'}`)

  const select = (expr: string, node: Node) => xpath.select(expr, node) as Node[]
  const entities = select("//*[local-name()='EntityDescriptor'][*[local-name()='IDPSSODescriptor']]", doc)
  if (entities.length === 0) throw invalid('describes no identity provider (no EntityDescriptor with an IDPSSODescriptor).')
  if (entities.length > 1) throw invalid(`describes ${entities.length} identity providers; give the metadata of the one for this workspace.`)
  const entity = entities[0] as Element
  const entityId = entity.getAttribute('entityID')?.trim()
  if (!entityId) throw invalid('has no entityID.')

  const idp = select("*[local-name()='IDPSSODescriptor']", entity)[0] as Element
  const services = select("*[local-name()='SingleSignOnService']", idp) as Element[]
  const pick = (binding: string) => services.find((s) => s.getAttribute('Binding') === binding)?.getAttribute('Location')?.trim()
  const redirect = pick(BINDINGS.redirect)
  const post = pick(BINDINGS.post)
  const ssoUrl = redirect ?? post
  if (!ssoUrl) throw invalid('names no SingleSignOnService with the HTTP-Redirect or HTTP-POST binding.')
  try {
    const u = new URL(ssoUrl)
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error()
  } catch {
    throw invalid(`has a SingleSignOnService location that is not an http(s) URL: ${ssoUrl}`)
  }

  const keyDescriptors = (select("*[local-name()='KeyDescriptor']", idp) as Element[]).filter((k) => {
    const use = k.getAttribute('use')
    return !use || use === 'signing'
  })
  const certs = [
    ...new Set(
      keyDescriptors.flatMap((k) => select(".//*[local-name()='X509Certificate']", k)).map((n) => (n.textContent ?? '').replace(/\s+/g, '')),
    ),
  ].filter(Boolean)
  if (certs.length === 0) throw invalid('holds no signing certificate (KeyDescriptor with an X509Certificate).')
  for (const c of certs) {
    try {
      new X509Certificate(Buffer.from(c, 'base64'))
    } catch {
      throw invalid('holds a signing certificate that cannot be read.')
    }
  }
  return { entityId, ssoUrl, binding: redirect ? 'redirect' : 'post', certs }
}

/** A base64 DER certificate as PEM, as the SAML library takes it. */
export function certPem(base64Der: string): string {
  return `-----BEGIN CERTIFICATE-----\n${base64Der.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`
}

export function describeCert(base64Der: string): { sha256: string; subject: string; notAfter: string } {
  const cert = new X509Certificate(Buffer.from(base64Der, 'base64'))
  return { sha256: cert.fingerprint256, subject: cert.subject.replace(/\n/g, ', '), notAfter: new Date(cert.validTo).toISOString() }
}
