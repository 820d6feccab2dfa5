import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/**
 * The settings `install.sh` chose for this checkout's server (address, port, data directory,
 * database), kept in `server.env` at the top of the checkout so that `npm start` and every
 * `ocomms server` command find the same data directory and port each time. `OCOMMS_SERVER_ENV`
 * names another file. Set in the environment (or as options), a setting wins over the file.
 */
export function serverSettingsFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.OCOMMS_SERVER_ENV || fileURLToPath(new URL('../../server.env', import.meta.url))
}

const settingName = /^(OCOMMS_[A-Z0-9_]+|DATABASE_URL|REDIS_URL)$/

/** `KEY=VALUE` lines (a value may be single- or double-quoted); `#` starts a comment line. */
export function parseSettings(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim()
    if (!line || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq < 1) continue
    const key = line.slice(0, eq).trim()
    let value = line.slice(eq + 1).trim()
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) value = value.slice(1, -1)
    if (settingName.test(key)) out[key] = value
  }
  return out
}

/** The environment with the installed settings under it: what a server started here runs with. */
export function withInstalledSettings(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  let text: string
  try {
    text = readFileSync(serverSettingsFile(env), 'utf8')
  } catch {
    return env
  }
  const merged: NodeJS.ProcessEnv = { ...parseSettings(text) }
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') merged[key] = value
  return merged
}
