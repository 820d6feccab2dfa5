import { operations, pathParams, OCommsError, signInOperations, webSession, type Operation } from '@ocomms/shared'
import { Type, type TObject } from '@sinclair/typebox'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { authenticate } from '../auth/sessions.js'
import { invoke } from '../invoke.js'
import type { Caller, Services } from '../services.js'
import { checkCsrf, checkOrigin, clearSessionCookies, requestToken, setSessionCookies, wantsCookie } from './web-session.js'

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
      onRequest: async (req: FastifyRequest, reply) => {
        const { config, sql } = services
        const { token, byCookie } = requestToken(req)
        req.caller = await authenticate(sql, token, config.sessions)
        // A browser's cookie rides along on requests other sites make: those are refused.
        if (byCookie && req.caller) checkCsrf(req, config)
        else if (signInOperations.includes(op.name) && wantsCookie(req)) checkOrigin(req, config)
        // Signing out forgets the cookie even when its session had already ended.
        if (byCookie && op.name === 'auth.logout') clearSessionCookies(reply, req, config)
        if (op.auth === 'session' && !req.caller) throw new OCommsError('unauthenticated')
      },
      handler: async (req, reply) => {
        const payload = (inQuery ? req.query : req.body) ?? {}
        const result = await invoke(op, {
          services,
          caller: req.caller,
          ip: req.ip,
          userAgent: req.headers['user-agent'] ?? null,
        }, { ...(payload as object), ...(req.params as object) })
        if (signInOperations.includes(op.name) && wantsCookie(req)) {
          // The token goes into the HttpOnly cookie only, where no script of the page can read it.
          const { token, ...rest } = result as { token: string }
          setSessionCookies(reply, req, services.config, token)
          reply.serializer(JSON.stringify)
          return rest
        }
        if (req.cookies[webSession.cookie] && endsThisSession(op.name, payload)) clearSessionCookies(reply, req, services.config)
        return result
      },
    })
  }
}

/** Whether a call ends the session it is made with (so a browser's session cookie goes too). */
function endsThisSession(name: string, input: unknown): boolean {
  if (name === 'auth.logout') return true
  return name === 'auth.sessions.revokeAll' && !(input as { keepCurrent?: boolean } | undefined)?.keepCurrent
}
