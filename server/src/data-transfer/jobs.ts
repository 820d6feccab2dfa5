import { createReadStream } from 'node:fs'
import { chmod, mkdir, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { OCommsError, type ExportJob } from '@ocomms/shared'
import { create as tar } from 'tar'
import { workspaceRole } from '../access.js'
import type { AuthedContext, Services } from '../services.js'
import { exportWorkspace } from './export.js'

/**
 * Exports run by the server for an owner (`export.start`): the export of export.ts, written under
 * <data dir>/exports/<id>/, packed into <id>.tar.gz, then offered for download. The job's row
 * carries its progress; its heartbeat tells a job that died with its process (a restart) from
 * one still running.
 */

/** A running job silent this long died with its process. */
const STALE_SECONDS = 120
/** Progress is written at most this often. */
const PROGRESS_EVERY_MS = 1000

interface JobRow {
  id: string
  workspace_id: string
  state: ExportJob['state']
  progress: ExportJob['progress']
  counts: Record<string, number> | null
  size: number | null
  error: string | null
  created_at: Date
  finished_at: Date | null
  stale: boolean
}

const exportsDir = (services: Services) => join(services.config.dataDir, 'exports')
export const archivePath = (services: Services, id: string) => join(exportsDir(services), `${id}.tar.gz`)

function jobOut(r: JobRow): ExportJob {
  const state = r.state === 'running' && r.stale ? 'failed' : r.state
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    state,
    progress: r.progress,
    counts: r.counts,
    size: r.size,
    error: state === 'failed' && !r.error ? 'the server stopped before the export finished' : r.error,
    createdAt: r.created_at.toISOString(),
    finishedAt: r.finished_at?.toISOString() ?? null,
    download: state === 'ready' ? `/api/workspaces/${r.workspace_id}/exports/${r.id}/content` : null,
  }
}

export async function asExportOwner(ctx: AuthedContext, workspaceId: string): Promise<void> {
  const role = await workspaceRole(ctx.services.sql, workspaceId, ctx.caller.userId)
  if (role !== 'owner') throw new OCommsError('forbidden', 'Only the workspace\'s owners can export it.')
}

async function load(services: Services, workspaceId: string, id: string): Promise<JobRow> {
  const [row] = await services.sql<JobRow[]>`
    select id, workspace_id, state, progress, counts, size::float8 as size, error, created_at, finished_at,
           heartbeat_at < now() - make_interval(secs => ${STALE_SECONDS}) as stale
      from export_jobs where id = ${id} and workspace_id = ${workspaceId}`
  if (!row) throw new OCommsError('not_found', 'No such export.')
  return row
}

export async function getExportJob(ctx: AuthedContext, workspaceId: string, id: string): Promise<ExportJob> {
  await asExportOwner(ctx, workspaceId)
  return jobOut(await load(ctx.services, workspaceId, id))
}

export async function startExportJob(ctx: AuthedContext, workspaceId: string): Promise<ExportJob> {
  await asExportOwner(ctx, workspaceId)
  const { services } = ctx
  const [row] = await services.sql<{ id: string; slug: string }[]>`
    insert into export_jobs (workspace_id, requested_by)
    select ${workspaceId}, ${ctx.caller.userId}
     where not exists (select 1 from export_jobs where workspace_id = ${workspaceId} and state = 'running'
                         and heartbeat_at >= now() - make_interval(secs => ${STALE_SECONDS}))
    returning id, (select slug from workspaces where id = ${workspaceId}) as slug`
  if (!row) throw new OCommsError('conflict', 'An export of this workspace is already running; follow it with export.get.')
  void run(services, row.id, workspaceId, row.slug, ctx.caller.userId)
  return jobOut(await load(services, workspaceId, row.id))
}

async function run(services: Services, id: string, workspaceId: string, slug: string, actorId: string): Promise<void> {
  const dir = join(exportsDir(services), id)
  let last = 0
  const beat = (progress: { kind: string; done: number }) => {
    const now = Date.now()
    if (now - last < PROGRESS_EVERY_MS) return
    last = now
    services.sql`update export_jobs set progress = ${services.sql.json(progress)}, heartbeat_at = now() where id = ${id}`.catch(() => {})
  }
  try {
    await mkdir(exportsDir(services), { recursive: true, mode: 0o700 })
    const manifest = await exportWorkspace({ sql: services.sql, dataDir: services.config.dataDir, workspace: slug, out: dir, actorId, progress: beat })
    beat({ kind: 'archive', done: 0 })
    await tar({ gzip: true, cwd: dir, file: archivePath(services, id), portable: true }, ['.'])
    await chmod(archivePath(services, id), 0o600)
    const { size } = await stat(archivePath(services, id))
    await services.sql`
      update export_jobs set state = 'ready', counts = ${services.sql.json(manifest.counts)}, size = ${size},
             progress = ${services.sql.json({ kind: 'done', done: 0 })}, finished_at = now(), heartbeat_at = now()
       where id = ${id}`
  } catch (err) {
    services.log.error({ err, exportId: id, workspaceId }, 'export failed')
    await services.sql`
      update export_jobs set state = 'failed', error = ${(err as Error).message.slice(0, 500)}, finished_at = now() where id = ${id}`.catch(() => {})
    await rm(archivePath(services, id), { force: true })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The archive of a ready export, for its download. */
export async function openExportArchive(ctx: AuthedContext, workspaceId: string, id: string) {
  await asExportOwner(ctx, workspaceId)
  const job = jobOut(await load(ctx.services, workspaceId, id))
  if (job.state !== 'ready') throw new OCommsError('conflict', job.state === 'running' ? 'The export is not finished yet.' : `The export failed: ${job.error}`)
  const path = archivePath(ctx.services, id)
  const { size } = await stat(path).catch(() => {
    throw new OCommsError('not_found', 'The export\'s archive is gone.')
  })
  return { size, stream: createReadStream(path), name: `ocomms-export-${id}.tar.gz` }
}
