import { ajvErrorInWords, OCommsError, type ErrorBody } from '@ocomms/shared'
import type { Logger } from 'pino'

// PostgreSQL unreachable or restarting: the request may be retried once it is back.
const unavailableCodes = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004',
])

interface FastifyLikeError {
  code?: string
  statusCode?: number
  validation?: unknown
  validationContext?: string
  message: string
}

/** Every failure, from any surface, becomes one of the closed set of error codes. */
export function toError(err: unknown, log: Logger): OCommsError {
  if (err instanceof OCommsError) return err
  const e = (err ?? {}) as FastifyLikeError
  if (e.validation) {
    const first = Array.isArray(e.validation) ? (e.validation[0] as Parameters<typeof ajvErrorInWords>[0] | undefined) : undefined
    if (first && typeof first.keyword === 'string') return new OCommsError('invalid_input', ajvErrorInWords(first))
    return new OCommsError('invalid_input', `Invalid ${e.validationContext ?? 'input'}: ${e.message.replace(/^(body|querystring|params)\/?/, '')}`)
  }
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new OCommsError('payload_too_large')
  if (e.code && unavailableCodes.has(e.code)) {
    log.warn({ err }, 'database unavailable')
    return new OCommsError('unavailable', 'The database is unavailable; try again shortly.')
  }
  if (e.code === '22P02' || e.code === '22023') return new OCommsError('invalid_input')
  // Strings arrive as valid UTF-8, so the one byte sequence PostgreSQL refuses in text is NUL.
  if (e.code === '22021') return new OCommsError('invalid_input', 'Text cannot contain the NUL character (U+0000).')
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 404) return new OCommsError('not_found')
    if (e.statusCode === 413) return new OCommsError('payload_too_large')
    if (e.statusCode === 415) return new OCommsError('invalid_input', 'Send JSON (Content-Type: application/json).')
    return new OCommsError('invalid_input', e.message)
  }
  log.error({ err }, 'unexpected error')
  return new OCommsError('internal')
}

export function errorBody(err: OCommsError): { error: ErrorBody } {
  return { error: err.toJSON() }
}
