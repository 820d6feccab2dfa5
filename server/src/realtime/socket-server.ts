import { ajvErrorInWords, operations, OCommsError, tooLargeSentence, type Operation } from '@ocomms/shared'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { Server, type Socket } from 'socket.io'
import { touchSessions } from '../auth/sessions.js'
import { errorBody, toError } from '../errors.js'
import { invoke } from '../invoke.js'
import type { Caller, Services } from '../services.js'
import { cookieToken, originAllowed, ownOrigin } from '../http/web-session.js'
import { endSend, traceSend } from '../trace/send-timeline.js'
import { handshake } from './handshake.js'

/** What a socket acknowledgement carries back: the operation's output, or an error. */
export type Ack = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } }

/** The origin the handshake request was addressed to (scheme and Host). */
function handshakeOwnOrigin(headers: IncomingHttpHeaders, secure: boolean, services: Services): string | null {
  return ownOrigin(headers, secure, services.config.trustProxy)
}

function requestOriginAllowed(req: IncomingMessage, services: Services): boolean {
  const origin = req.headers.origin
  // Daemons and bots send no Origin; a browser always does, and must be one we serve.
  if (origin === undefined) return true
  const encrypted = (req.socket as { encrypted?: boolean }).encrypted === true
  return originAllowed(origin, handshakeOwnOrigin(req.headers, encrypted, services), services.config)
}

/**
 * The session token of a handshake: the one the client passes (CLI, daemon, bots), or else the
 * browser's session cookie. A cookie-borne handshake must name an origin we serve: any page can
 * make a browser open a socket to us with its cookie attached.
 */
function handshakeToken(socket: Socket, services: Services): string | null {
  const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token
  if (typeof token === 'string') return token
  const fromCookie = cookieToken(socket.handshake.headers.cookie)
  if (!fromCookie) return null
  const origin = socket.handshake.headers.origin
  if (!origin || !originAllowed(origin, handshakeOwnOrigin(socket.handshake.headers, socket.handshake.secure, services), services.config)) {
    throw new OCommsError('forbidden', 'A socket signed in by cookie must be opened from a page of this server.')
  }
  return fromCookie
}

/** The largest frame the transport takes: four times the request limit, so oversize requests get an answer. */
export function transportFrameLimit(bodyLimit: number): number {
  return bodyLimit * 4
}

/**
 * One Socket.IO server on the Fastify HTTP server: WebSocket transport only, the session
 * token checked in the handshake, and every operation callable as `emit(name, input, ack)`.
 */
export function attachSocketServer(app: FastifyInstance, services: Services): Server {
  const io = new Server(app.server, {
    path: '/socket.io',
    transports: ['websocket'],
    allowUpgrades: false,
    perMessageDeflate: false,
    serveClient: false,
    // The transport drops a connection whose frame is over this, with no answer: so it leaves
    // room above the request limit, and a frame between the two is refused below, by its ack.
    maxHttpBufferSize: transportFrameLimit(services.config.bodyLimit),
    allowRequest: (req, callback) => callback(null, requestOriginAllowed(req, services)),
  })

  const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: true, removeAdditional: false, verbose: true })
  addFormats.default(ajv)
  const validators = new Map<string, { op: Operation; validate: ValidateFunction }>()
  for (const op of Object.values(operations) as Operation[]) validators.set(op.name, { op, validate: ajv.compile(op.input) })

  io.use(async (socket, next) => {
    try {
      const found = await handshake(services, handshakeToken(socket, services))
      if (!found) {
        const err = new Error('unauthenticated') as Error & { data: unknown }
        err.data = { code: 'unauthenticated', message: 'Sign in first: the socket needs a valid session token.' }
        return next(err)
      }
      services.admission.socketOpening(found.caller.userId)
      // Counted until the connection closes, whether or not the socket gets to connect.
      socket.conn.once('close', () => services.admission.socketClosed(found.caller.userId, socket.id))
      socket.data.caller = found.caller
      // Join the rooms before the connection completes, so no event committed after the
      // client's first sync can slip past it.
      socket.join(found.rooms)
      next()
    } catch (err) {
      const e = toError(err, services.log)
      const wrapped = new Error(e.code) as Error & { data: unknown }
      wrapped.data = e.toJSON()
      next(wrapped)
    }
  })

  io.on('connection', (socket) => {
    const caller = socket.data.caller as Caller
    const ip = socket.handshake.address
    const userAgent = (socket.handshake.headers['user-agent'] as string | undefined) ?? null
    const { presence, typing } = services.attention
    presence.connected(caller.userId, socket.id).catch((err: unknown) => services.log.warn({ err }, 'presence update failed'))
    socket.on('disconnect', () => {
      presence.disconnected(caller.userId, socket.id).catch((err: unknown) => services.log.warn({ err }, 'presence update failed'))
      // Typing state lives in the process that relays it: it ends with the person's last socket here.
      if (!presence.registry.holds(caller.userId)) typing.stopAll(caller.userId)
    })
    // The handshake has copied what it needs; the HTTP upgrade request (headers, its socket
    // wrapper) would otherwise stay referenced for the connection's life: a few KiB per socket.
    ;(socket.conn as unknown as { request: unknown }).request = null
    const who = { caller, ip, socketId: socket.id }
    // The size of the event being handled: engine.io hands over each packet (an event, then any
    // binary attachments) just before Socket.IO decodes it and calls the listener below, in the
    // same tick; the listener takes the count and starts the next one from zero.
    const bodyLimit = services.config.bodyLimit
    let eventBytes = 0
    socket.conn.on('packet', (packet: { type: string; data?: unknown }) => {
      if (packet.type !== 'message') return
      const data = packet.data
      if (typeof data === 'string') eventBytes += data.length * 3 <= bodyLimit ? data.length : Buffer.byteLength(data)
      else eventBytes += (data as { byteLength?: number } | undefined)?.byteLength ?? 0
    })
    // A session renews on use (its idle timeout): a socket in use counts, at most once a minute.
    let touched = Date.now()
    // One listener for every operation keeps the per-socket footprint small.
    socket.onAny((event: string, ...args: unknown[]) => {
      const bytes = eventBytes
      eventBytes = 0
      const ack = args.at(-1)
      if (typeof ack !== 'function') return
      if (Date.now() - touched > 60_000) {
        touched = Date.now()
        touchSessions(services.sql, [caller.sessionId])
      }
      const reply = ack as (a: Ack) => void
      if (bytes > bodyLimit) {
        const error = new OCommsError('payload_too_large', tooLargeSentence(bytes, bodyLimit))
        return reply({ ok: false, error: error.toJSON() })
      }
      const entry = validators.get(event)
      if (!entry) return reply({ ok: false, error: new OCommsError('not_found', `Unknown operation "${event}".`).toJSON() })
      // Over the person's rate: refused before anything else is done with it (a flood costs little).
      const refusal = services.admission.charge(event, who)
      if (refusal) return reply({ ok: false, error: refusal })
      const input = args.length > 1 ? args[0] : {}
      if (!entry.validate(input)) {
        const first = entry.validate.errors?.[0]
        return reply({ ok: false, error: { code: 'invalid_input', message: first ? ajvErrorInWords(first) : 'The request is not valid.' } })
      }
      const call = () =>
        invoke(entry.op, { services, caller, ip, userAgent, socketId: socket.id, charged: true }, input).then(
          (data) => (reply({ ok: true, data }), endSend('answered')),
          (err: unknown) => reply({ ok: false, ...errorBody(toError(err, services.log)) }),
        )
      // OCOMMS_TRACE_SEND: where a send's time goes (src/trace/send-timeline.ts).
      if (event === 'message.send') traceSend(call)
      else call()
    })
  })

  return io
}
