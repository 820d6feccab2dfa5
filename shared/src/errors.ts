/**
 * The closed set of error codes every OComms surface speaks (REST, socket acks,
 * daemon JSON-RPC, CLI). Adding a code is a protocol change: keep this list short.
 */
export const errorCodes = {
  invalid_input: { status: 400, message: 'The request is not valid.' },
  unauthenticated: { status: 401, message: 'You are not signed in, or your session has ended.' },
  forbidden: { status: 403, message: 'You are not allowed to do that.' },
  not_found: { status: 404, message: 'Not found.' },
  conflict: { status: 409, message: 'That conflicts with the current state.' },
  payload_too_large: { status: 413, message: 'The request is too large.' },
  rate_limited: { status: 429, message: 'Too many attempts; try again later.' },
  unavailable: { status: 503, message: 'The service is temporarily unavailable; try again shortly.' },
  internal: { status: 500, message: 'Something went wrong on the server.' },
} as const satisfies Record<string, { status: number; message: string }>

export type ErrorCode = keyof typeof errorCodes

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(errorCodes, value)
}

/** The wire shape of an error, identical over REST, socket acks and the daemon. */
export interface ErrorBody {
  code: ErrorCode
  message: string
  details?: Record<string, unknown>
}

export class OCommsError extends Error {
  readonly code: ErrorCode
  readonly details?: Record<string, unknown>

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? errorCodes[code].message)
    this.name = 'OCommsError'
    this.code = code
    this.details = details
  }

  get status(): number {
    return errorCodes[this.code].status
  }

  toJSON(): ErrorBody {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details }
  }

  static from(body: unknown): OCommsError {
    if (body !== null && typeof body === 'object') {
      const { code, message, details } = body as Partial<ErrorBody>
      if (isErrorCode(code)) return new OCommsError(code, typeof message === 'string' ? message : undefined, details)
    }
    return new OCommsError('internal')
  }
}
