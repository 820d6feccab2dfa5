import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto'

/** 256 bits of randomness, URL-safe; shown to its owner once. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

const INVITE_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/**
 * An invite code: 16 letters and digits (95 bits). People paste it into a terminal, a chat or a
 * form, so it has no `-` or `_`: one that began with `-` read as an option to `ocomms join`
 * (1 code in 64 with base64url), and either splits a double-click selection.
 */
export function newInviteCode(): string {
  let code = ''
  for (let i = 0; i < 16; i++) code += INVITE_ALPHABET[randomInt(INVITE_ALPHABET.length)]
  return code
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
