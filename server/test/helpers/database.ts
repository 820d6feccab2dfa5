import { randomBytes } from 'node:crypto'
import postgres from 'postgres'

/** The PostgreSQL that `npm test` started (or DATABASE_URL); each test file gets its own database on it. */
export function adminUrl(): string {
  const url = process.env.OCOMMS_TEST_DATABASE_URL ?? process.env.DATABASE_URL
  if (!url) throw new Error('Run the tests with `npm test`: it starts PostgreSQL and sets OCOMMS_TEST_DATABASE_URL.')
  return url
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url)
  u.pathname = `/${name}`
  return u.toString()
}

/** Creates an empty database and returns its URL and a function that drops it. */
export async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `ocomms_test_${randomBytes(6).toString('hex')}`
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`create database ${name}`)
  } finally {
    await admin.end()
  }
  return {
    url: withDatabase(adminUrl(), name),
    async drop() {
      const a = postgres(adminUrl(), { max: 1, onnotice: () => {} })
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`)
      } finally {
        await a.end()
      }
    },
  }
}
