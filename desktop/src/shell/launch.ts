import { join } from 'node:path'
import { daemonMethods } from '@ocomms/shared/daemon'
import { validateParams } from '@ocomms/daemon'

export interface Launch {
  /** Which signed-in account this instance shows (as `--profile` in the CLI). */
  profile: string
  /** An `ocomms://` link to open, when the system started the app for one. */
  link: string | null
}

/** A profile name is checked by the daemon's own declaration of it. */
export function checkProfile(profile: string): string {
  validateParams(daemonMethods['profile.whoami'].params, { profile })
  return profile
}

/**
 * Reads what the app was started with: `--profile NAME` (or `--profile=NAME`, else
 * OCOMMS_PROFILE, else `default`) and an `ocomms://` link anywhere in argv (how Windows and
 * Linux hand over a clicked link; macOS sends `open-url` instead).
 */
export function parseLaunch(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Launch {
  let profile = env.OCOMMS_PROFILE || 'default'
  let link: string | null = null
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--profile' && argv[i + 1] !== undefined) profile = argv[++i]!
    else if (arg.startsWith('--profile=')) profile = arg.slice('--profile='.length)
    else if (/^ocomms:\/\//i.test(arg)) link = arg
  }
  return { profile: checkProfile(profile), link }
}

/**
 * Electron keeps its single-instance lock, cache and storage in `userData`: one folder per
 * profile makes "one instance per profile" (a second start of the same profile hands its link to
 * the first; another profile runs beside it).
 */
export function profileDataDir(base: string, profile: string): string {
  return join(base, 'profiles', checkProfile(profile))
}

/** The arguments that start this app for another profile (a link of a server signed in there). */
export function relaunchArgs(profile: string, link: string | null): string[] {
  return ['--profile', checkProfile(profile), ...(link ? [link] : [])]
}
