import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importWorkspace, type ImportSummary } from '../import.js'
import type { Progress } from '../format.js'
import { convertSlackExport } from './convert.js'
import type { ZipLimits } from './zip.js'

export interface SlackImportOptions {
  databaseUrl: string
  dataDir: string
  /** The Slack export ZIP. */
  zip: string
  /** The workspace to import into: created when it does not exist, added to when it does. */
  workspace: string
  /** A folder of file bodies (`<dir>/<file id>/<name>`); without it files are kept as links. */
  filesDir?: string
  limits?: ZipLimits
  actorId?: string | null
  progress?: Progress
}

export interface SlackImportSummary extends ImportSummary {
  /** What the Slack export held that was not imported: a reason → how many. */
  skipped: Record<string, number>
}

/**
 * Imports a Slack export: converted to an OComms export in a private temporary folder first
 * (which also checks all of it before anything is written), then loaded by the ordinary import,
 * in one transaction. Ids derive from the workspace and Slack's ids: running it again adds nothing.
 */
export async function importSlack(options: SlackImportOptions): Promise<SlackImportSummary> {
  const work = await mkdtemp(join(tmpdir(), 'ocomms-slack-'))
  try {
    const { skipped } = await convertSlackExport({
      zip: options.zip,
      out: work,
      slug: options.workspace,
      ...(options.filesDir ? { filesDir: options.filesDir } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.progress ? { progress: options.progress } : {}),
    })
    const summary = await importWorkspace({
      databaseUrl: options.databaseUrl,
      dataDir: options.dataDir,
      from: work,
      workspace: options.workspace,
      intoExisting: true,
      source: 'slack',
      actorId: options.actorId ?? null,
      ...(options.progress ? { progress: options.progress } : {}),
    })
    return { ...summary, skipped }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}
