import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { mkdir, open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { OCommsError } from '@ocomms/shared'
import { perServer, type Services } from '../services.js'

/**
 * Secrets the server must use again later (an identity provider's OIDC client secret) are kept
 * encrypted with AES-256-GCM under one server key: `OCOMMS_SECRET_KEY` (32 bytes, base64 or hex),
 * or else `<data dir>/secret.key`, made on first use with mode 0600. A database backup alone
 * does not reveal them. The workspace id is authenticated with each secret, so a ciphertext
 * moved to another workspace's row does not decrypt.
 */

const VERSION = 1
const KEY_FILE = 'secret.key'

function parseKey(text: string, where: string): Buffer {
  const t = text.trim()
  const key = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64')
  if (key.length !== 32) throw new Error(`${where} must hold 32 bytes, base64 or hex (e.g. from \`openssl rand -base64 32\`).`)
  return key
}

async function loadKey(services: Services): Promise<Buffer> {
  const { config } = services
  if (config.sso.secretKey) return parseKey(config.sso.secretKey, 'OCOMMS_SECRET_KEY')
  const file = join(config.dataDir, KEY_FILE)
  try {
    return parseKey(await readFile(file, 'utf8'), file)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 })
  try {
    // 'wx': of two processes starting at once, one writes and the other reads what it wrote.
    const handle = await open(file, 'wx', 0o600)
    try {
      await handle.writeFile(randomBytes(32).toString('base64') + '\n')
    } finally {
      await handle.close()
    }
    services.log.info({ file }, 'created the key that encrypts identity-provider secrets; back it up with the data dir')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
  }
  return parseKey(await readFile(file, 'utf8'), file)
}

const keyOf = perServer((services) => {
  let key: Promise<Buffer> | null = null
  return () => {
    key ??= loadKey(services).catch((err: unknown) => {
      key = null
      throw err
    })
    return key
  }
})

export async function encryptSecret(services: Services, plaintext: string, workspaceId: string): Promise<Buffer> {
  const key = await keyOf(services)()
  const iv = randomBytes(12)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(Buffer.from(workspaceId))
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body])
}

export async function decryptSecret(services: Services, stored: Buffer, workspaceId: string): Promise<string> {
  const key = await keyOf(services)()
  try {
    if (stored[0] !== VERSION) throw new Error('unknown format')
    const decipher = createDecipheriv('aes-256-gcm', key, stored.subarray(1, 13))
    decipher.setAAD(Buffer.from(workspaceId))
    decipher.setAuthTag(stored.subarray(13, 29))
    return Buffer.concat([decipher.update(stored.subarray(29)), decipher.final()]).toString('utf8')
  } catch {
    throw new OCommsError(
      'unavailable',
      'The identity provider\'s client secret cannot be read with this server\'s key (OCOMMS_SECRET_KEY or secret.key in the data dir changed). ' +
        'Restore the key, or have an owner connect the identity provider again.',
    )
  }
}
