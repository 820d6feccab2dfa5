import { getExportJob, startExportJob } from '../../data-transfer/jobs.js'
import type { HandlersFor } from '../handler.js'

export const exportHandlers: HandlersFor<'export'> = {
  'export.start': (ctx, input) => startExportJob(ctx, input.workspaceId),
  'export.get': (ctx, input) => getExportJob(ctx, input.workspaceId, input.exportId),
}
