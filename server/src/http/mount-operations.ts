import { operations, pathParams, OCommsError, type Operation } from '@ocomms/shared'
import { Type, type TObject } from '@sinclair/typebox'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { authenticate, bearerToken } from '../auth/sessions.js'
import { invoke } from '../invoke.js'
import type { Caller, Services } from '../services.js'

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null
  }
}

type Validate = ((data: unknown) => boolean) & { errors?: ValidateFunction['errors'] }

/**
 * Ajv's coercion turns text that overflows a double ("1e400", "Infinity") into Infinity and then
 * skips `minimum` and `maximum` (ajv-validator/ajv#2212, still open): such a query or path value
 * would reach a handler unbounded. Path and query values are flat, so checking them after is cheap.
 */
function finiteOnly(validate: ValidateFunction): Validate {
  const wrapped: Validate = (data) => {
    const ok = validate(data)
    wrapped.errors = validate.errors
    if (!ok || data === null || typeof data !== 'object') return ok
    for (const [key, value] of Object.entries(data)) {
      const values: unknown[] = Array.isArray(value) ? value : [value]
      if (values.some((v) => typeof v === 'number' && !Number.isFinite(v))) {
        wrapped.errors = [{ instancePath: `/${key}`, schemaPath: '', keyword: 'maximum', params: {}, message: 'must be a finite number' }]
        return false
      }
    }
    return true
  }
  return wrapped
}

/**
 * Serves every operation as a REST route derived from its declaration: path parameters
 * from the path template, the rest of the input from the query string (GET, DELETE) or
 * the JSON body. The input and output schemas double as the OpenAPI document.
 */
export function mountOperations(app: FastifyInstance, services: Services): void {
  app.decorateRequest('caller', null)
  // Query strings and path parameters are text, so they are coerced to the declared types
  // (`?limit=5`). JSON bodies are not: a number where text is due is an error, never "42".
  const options = { allErrors: false, useDefaults: true, removeAdditional: false, verbose: true } as const
  const coercing = new Ajv({ ...options, coerceTypes: 'array' })
  const strict = new Ajv({ ...options, coerceTypes: false })
  addFormats.default(coercing)
  addFormats.default(strict)
  const validatorCompiler = ({ schema, httpPart }: { schema: object; httpPart?: string }) =>
    httpPart === 'body' ? strict.compile(schema) : finiteOnly(coercing.compile(schema))
  for (const op of Object.values(operations) as Operation[]) {
    const input = op.input as TObject
    const params = pathParams(op.http.path)
    const rest = Type.Omit(input, params, { additionalProperties: false })
    const hasRest = Object.keys(rest.properties).length > 0
    const inQuery = op.http.method === 'GET' || op.http.method === 'DELETE'
    const schema: Record<string, unknown> = {
      operationId: op.name,
      summary: op.summary,
      tags: [op.name.split('.')[0]],
      response: { 200: op.output },
      ...(op.auth === 'session' ? { security: [{ bearer: [] }] } : {}),
    }
    if (params.length > 0) schema.params = Type.Pick(input, params, { additionalProperties: false })
    if (hasRest) schema[inQuery ? 'querystring' : 'body'] = rest

    app.route({
      method: op.http.method,
      url: op.http.path,
      schema,
      validatorCompiler,
      // Authenticate before the input is even validated: anonymous callers learn nothing.
      onRequest: async (req: FastifyRequest) => {
        req.caller = await authenticate(services.sql, bearerToken(req.headers.authorization), services.config.sessions)
        if (op.auth === 'session' && !req.caller) throw new OCommsError('unauthenticated')
      },
      handler: async (req) => {
        const payload = (inQuery ? req.query : req.body) ?? {}
        return invoke(op, {
          services,
          caller: req.caller,
          ip: req.ip,
          userAgent: req.headers['user-agent'] ?? null,
        }, { ...(payload as object), ...(req.params as object) })
      },
    })
  }
}
