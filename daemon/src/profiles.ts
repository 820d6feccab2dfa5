import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import type { User, Workspace } from '@ocomms/shared'
import { checkPrivate } from './home.js'

/** One signed-in account on one server. The token lives only in profiles.json (0600). */
export interface StoredProfile {
  server: string
  token: string
  user: User
  /** The current workspace (commands act on it); null when the account has none yet. */
  workspaceId: string | null
  workspaces: Workspace[]
}

interface ProfilesFile {
  version: 1
  profiles: Record<string, StoredProfile>
  /** Where a magic link was last requested, per profile, so `login --link TOKEN` knows the server. */
  pendingLinks?: Record<string, string>
}

export class ProfileStore {
  private data: ProfilesFile

  constructor(private readonly path: string) {
    checkPrivate(path)
    this.data = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ProfilesFile) : { version: 1, profiles: {} }
  }

  names(): string[] {
    return Object.keys(this.data.profiles)
  }

  get(name: string): StoredProfile | undefined {
    return this.data.profiles[name]
  }

  set(name: string, profile: StoredProfile): void {
    this.data.profiles[name] = profile
    this.save()
  }

  remove(name: string): void {
    delete this.data.profiles[name]
    this.save()
  }

  pendingLink(name: string): string | undefined {
    return this.data.pendingLinks?.[name]
  }

  setPendingLink(name: string, server: string | null): void {
    const links = (this.data.pendingLinks ??= {})
    if (server === null) delete links[name]
    else links[name] = server
    this.save()
  }

  /** Written whole to a 0600 temp file and renamed, so a crash never leaves half a file. */
  private save(): void {
    const tmp = `${this.path}.${process.pid}.tmp`
    writeFileSync(tmp, JSON.stringify(this.data, null, 2) + '\n', { mode: 0o600 })
    renameSync(tmp, this.path)
  }
}
