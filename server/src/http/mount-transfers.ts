import type { Readable } from 'node:stream'
import { downloadExport, downloadFile, OCommsError, pathParams, uploadFile, type Transfer, type TransferInput } from '@ocomms/shared'
import { Type, type TObject } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { readableFile } from '../access.js'
import { authenticate } from '../auth/sessions.js'
import { openExportArchive } from '../data-transfer/jobs.js'
import { openBlob } from '../files/store.js'
import { upload } from '../files/upload.js'
import type { AuthedContext, Caller, Services } from '../services.js'
import { checkCsrf, requestToken } from './web-session.js'

/**
 * `attachment` with the name twice (RFC 6266): an ASCII fallback for old clients and the exact
 * UTF-8 name percent-encoded (RFC 8187).
 */
export function attachment(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_')
  const exact = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`)
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`
}

/** Route schema (validation + OpenAPI) of a transfer, from its shared declaration. */
function schemaOf(t: Transfer, extra: Record<string, unknown>): Record<string, unknown> {
  const input = t.input as TObject
  const params = pathParams(t.http.path)
  const query = Type.Omit(input, params, { additionalProperties: false })
  return {
    operationId: t.name,
    summary: t.summary,
    tags: [t.name.split('.')[0]],
    security: [{ bearer: [] }],
    params: Type.Pick(input, params, { additionalProperties: false }),
    ...(Object.keys(query.properties).length > 0 ? { querystring: query } : {}),
    ...(t.output !== 'bytes' ? { response: { 200: t.output } } : {}),
    ...extra,
  }
}

const context = (services: Services, req: FastifyRequest): AuthedContext => ({
  services,
  caller: req.caller as Caller,
  ip: req.ip,
  userAgent: req.headers['user-agent'] ?? null,
})

/**
 * The routes that carry bytes (declared in shared/src/transfers.ts). They live in their own
 * Fastify scope whose only body parser hands the request stream through untouched, so an
 * upload is never buffered and the JSON body limit does not apply to it.
 */
export function mountTransfers(app: FastifyInstance, services: Services): void {
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers()
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload))

    const onRequest = async (req: FastifyRequest) => {
      const { token, byCookie } = requestToken(req)
      req.caller = await authenticate(services.sql, token, services.config.sessions)
      if (!req.caller) throw new OCommsError('unauthenticated')
      // An upload by the browser's cookie must come from our page (a download changes nothing).
      if (byCookie) checkCsrf(req, services.config)
    }

    scope.route({
      method: uploadFile.http.method,
      url: uploadFile.http.path,
      schema: schemaOf(uploadFile, { consumes: ['application/octet-stream', '*/*'] }),
      onRequest,
      handler: async (req, reply) => {
        const input = { ...(req.query as object), ...(req.params as object) } as TransferInput<typeof uploadFile>
        const length = req.headers['content-length']
        const ctx = context(services, req)
        try {
          return await services.admission.run(uploadFile.name, ctx, () =>
            upload(ctx, {
              input,
              body: req.body as Readable,
              contentType: req.headers['content-type'],
              headerName: req.headers['x-file-name'] as string | undefined,
              contentLength: length === undefined ? null : Number(length),
            }),
          )
        } catch (err) {
          // Refused before the whole body was read: close the connection rather than read
          // (possibly gigabytes) to the end, once the answer is sent.
          if (!(req.raw as Readable).readableEnded) reply.header('connection', 'close')
          throw err
        }
      },
    })

    scope.route({
      method: downloadFile.http.method,
      url: downloadFile.http.path,
      schema: schemaOf(downloadFile, { produces: ['application/octet-stream'] }),
      onRequest,
      handler: async (req, reply) => {
        const { fileId } = req.params as TransferInput<typeof downloadFile>
        const { file, stream } = await services.admission.run(downloadFile.name, context(services, req), async () => {
          const file = await readableFile(services.sql, fileId, (req.caller as Caller).userId)
          const stream = await openBlob(services, file.sha256).catch((err: unknown) => {
            services.log.error({ err, fileId }, 'the bytes of a file are missing')
            throw new OCommsError('not_found', 'No such file.')
          })
          return { file, stream }
        })
        return reply
          .header('content-type', file.mimeType)
          .header('content-length', file.size)
          .header('content-disposition', attachment(file.name))
          .header('x-content-type-options', 'nosniff')
          // Even if a browser were talked into rendering it, a file gets no script and no origin.
          .header('content-security-policy', "default-src 'none'; sandbox")
          .header('cache-control', 'private, no-cache')
          .send(stream)
      },
    })

    scope.route({
      method: downloadExport.http.method,
      url: downloadExport.http.path,
      schema: schemaOf(downloadExport, { produces: ['application/gzip'] }),
      onRequest,
      handler: async (req, reply) => {
        const { workspaceId, exportId } = req.params as TransferInput<typeof downloadExport>
        const ctx = context(services, req)
        const archive = await services.admission.run(downloadExport.name, ctx, () => openExportArchive(ctx, workspaceId, exportId))
        return reply
          .header('content-type', 'application/gzip')
          .header('content-length', archive.size)
          .header('content-disposition', attachment(archive.name))
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-cache')
          .send(archive.stream)
      },
    })
  })
}
