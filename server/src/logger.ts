import { pino, stdSerializers, type DestinationStream, type Logger } from 'pino'

/**
 * Where secrets could sit in a log object: tokens (session, sign-in link, invite), passwords,
 * credentials in headers, a mail's text (a sign-in link), a failed query's parameters. pino
 * replaces them with "[redacted]" before the line is written, whatever code logged them.
 */
export const redactedPaths = [
  'token', '*.token', 'password', '*.password', 'current', '*.current', 'secret', '*.secret',
  'authorization', '*.authorization', 'cookie', '*.cookie',
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]',
  'headers.authorization', 'headers.cookie',
  'mail.text', 'mail.html', 'text', '*.text',
  'err.parameters', 'err.args',
]

/** Query-string parameters whose values are never logged. */
const secretParams = /([?&](?:token|access_token|code|password|secret|key)=)[^&#]*/gi

/** A URL as it may be logged: the values of secret-looking query parameters replaced, the fragment dropped. */
export function redactUrl(url: string): string {
  return url.replace(/#.*$/, '').replace(secretParams, '$1[redacted]')
}

interface RequestLike {
  method?: string
  url?: string
  hostname?: string
  ip?: string
  socket?: { remoteAddress?: string }
}

/**
 * The server's logger. The server never logs a secret on purpose (a mail is not logged at all:
 * see auth/mailer.ts); this is the second line of defence, and server/test/secrets.test.ts
 * checks both by looking for real tokens in every line a whole sign-in round writes.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    serializers: {
      err: stdSerializers.err,
      req: (req: RequestLike) => ({
        method: req.method,
        url: req.url === undefined ? undefined : redactUrl(req.url),
        hostname: req.hostname,
        remoteAddress: req.ip ?? req.socket?.remoteAddress,
      }),
    },
  }
  return destination ? pino(options, destination) : pino(options)
}
