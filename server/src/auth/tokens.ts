import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

/** 256 bits of randomness, URL-safe; shown to its owner once. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/** What the database keeps instead of a token: a stolen backup yields no usable token. */
export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest()
}

export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b)
}
