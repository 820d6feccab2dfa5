import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** 256 bits of randomness, URL-safe; shown to its owner once. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/** What the database keeps instead of a token: a stolen backup yields no usable token. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

/** Whether a presented token could be one of ours at all: anything else is refused unhashed and unlooked-up. */
export function plausibleToken(token: string | null | undefined): token is string {
  return !!token && token.length <= 200
}

export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
