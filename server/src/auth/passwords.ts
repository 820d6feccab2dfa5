import { hash, verify, type Algorithm } from '@node-rs/argon2'

/** OWASP's minimum for argon2id: 19 MiB, 2 iterations, parallelism 1. */
// Algorithm.Argon2id is a const enum, which isolated modules cannot read: its value is 2.
export const argon2Options = { algorithm: 2 as Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options)
}

// Verifying against this when the account does not exist keeps the answer time the same.
const decoy = hash('not-a-real-password', argon2Options)

let checks = 0
/** How many passwords this process has checked; the login-throttling test reads it. */
export const passwordChecks = (): number => checks

export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  checks++
  try {
    const ok = await verify(stored ?? (await decoy), password)
    return stored !== null && ok
  } catch {
    return false
  }
}
