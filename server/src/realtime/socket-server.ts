import { operations, OCommsError, type Operation } from '@ocomms/shared'
import { Ajv, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { FastifyInstance } from 'fastify'
import type { IncomingMessage } from 'node:http'
import { Server } from 'socket.io'
import { authenticate } from '../auth/sessions.js'
import { errorBody, toError } from '../errors.js'
import { invoke } from '../invoke.js'
import type { Caller, Services } from '../services.js'
import { rooms } from './rooms.js'

/** What a socket acknowledgement carries back: the operation's output, or an error. */
export type Ack = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } }

function originAllowed(req: IncomingMessage, services: Services): boolean {
  const origin = req.headers.origin
  // Daemons and bots send no Origin; a browser always does, and must be one we serve.
  if (origin === undefined) return true
  const { publicUrl, allowedOrigins } = services.config
  return origin === new URL(publicUrl).origin || allowedOrigins.includes(origin)
}

/** The rooms a socket belongs in: its user and session, active workspaces and their conversations (one query). */
async function roomsFor(services: Services, caller: Caller): Promise<string[]> {
  const rows = await services.sql<{ kind: 'ws' | 'conv'; id: string }[]>`
    select 'ws' as kind, workspace_id as id from workspace_members where user_id = ${caller.userId} and state = 'active'
    union all
    select 'conv', cm.conversation_id
      from conversation_members cm
      join conversations c on c.id = cm.conversation_id
      join workspace_members wm on wm.workspace_id = c.workspace_id and wm.user_id = cm.user_id and wm.state = 'active'
     where cm.user_id = ${caller.userId}`
  return [
    rooms.user(caller.userId),
    rooms.session(caller.sessionId),
    ...rows.map((r) => (r.kind === 'ws' ? rooms.workspace(r.id) : rooms.conversation(r.id))),
  ]
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
    maxHttpBufferSize: services.config.bodyLimit,
    allowRequest: (req, callback) => callback(null, originAllowed(req, services)),
  })

  const ajv = new Ajv({ allErrors: false, coerceTypes: false, useDefaults: true, removeAdditional: false })
  addFormats.default(ajv)
  const validators = new Map<string, { op: Operation; validate: ValidateFunction }>()
  for (const op of Object.values(operations) as Operation[]) validators.set(op.name, { op, validate: ajv.compile(op.input) })

  io.use(async (socket, next) => {
    try {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token
      const caller = await authenticate(services.sql, typeof token === 'string' ? token : null)
      if (!caller) {
        const err = new Error('unauthenticated') as Error & { data: unknown }
        err.data = { code: 'unauthenticated', message: 'Sign in first: the socket needs a valid session token.' }
        return next(err)
      }
      socket.data.caller = caller
      // Join the rooms before the connection completes, so no event committed after the
      // client's first sync can slip past it.
      socket.join(await roomsFor(services, caller))
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
    // One listener for every operation keeps the per-socket footprint small.
    socket.onAny((event: string, ...args: unknown[]) => {
      const ack = args.at(-1)
      if (typeof ack !== 'function') return
      const reply = ack as (a: Ack) => void
      const entry = validators.get(event)
      if (!entry) return reply({ ok: false, error: new OCommsError('not_found', `Unknown operation "${event}".`).toJSON() })
      const input = args.length > 1 ? args[0] : {}
      if (!entry.validate(input)) {
        const first = entry.validate.errors?.[0]
        const where = first?.instancePath ? `${first.instancePath.slice(1)} ` : ''
        return reply({ ok: false, error: { code: 'invalid_input', message: `Invalid input: ${where}${first?.message ?? ''}`.trim() } })
      }
      invoke(entry.op, { services, caller, ip, userAgent, socketId: socket.id }, input).then(
        (data) => reply({ ok: true, data }),
        (err: unknown) => reply({ ok: false, ...errorBody(toError(err, services.log)) }),
      )
    })
  })

  return io
}
