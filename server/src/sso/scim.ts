import { displayNameFromProvider } from '@ocomms/shared'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { parse as parseFilter, type Filter } from 'scim2-parse-filter'
import { bearerToken } from '../auth/sessions.js'
import { hashToken, plausibleToken } from '../auth/tokens.js'
import type { TxSql } from '../db/connect.js'
import { toError } from '../errors.js'
import { transaction, type Change } from '../events/transaction.js'
import * as load from '../queries.js'
import { recordAudit } from '../audit/record.js'
import { deactivateMember, reactivateMember } from '../workspaces/membership.js'
import type { Services } from '../services.js'
import { addMember, createAccount, domainAllowed, normalizeEmail, refuseDomain } from './accounts.js'
import { serviceProvider } from './connection.js'

/**
 * SCIM 2.0 provisioning (RFC 7643/7644), the Users resource only: an identity provider creates,
 * reads, updates (PUT and PATCH), deactivates (`active: false`, or DELETE) and lists people
 * (`filter=userName eq "..."`) of ONE workspace: the one whose owner created the bearer token.
 * A SCIM user is a member of that workspace; its id is the account id. Deactivation ends the
 * membership's access at once (sockets closed) and the person's sessions (see `deprovision`).
 * Errors answer in SCIM's own format. Groups are not provisioned.
 */

type Fragment = ReturnType<Services['sql']['unsafe']> | ReturnType<Services['sql']>

const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User'
const LIST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse'
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error'
const PATCH_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp'
const MAX_PAGE = 200

export class ScimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly scimType?: string,
  ) {
    super(message)
  }
}

function scimError(err: unknown, services: Services): ScimError {
  if (err instanceof ScimError) return err
  const e = toError(err, services.log)
  const map: Partial<Record<string, [number, string | undefined]>> = {
    invalid_input: [400, 'invalidValue'],
    unauthenticated: [401, undefined],
    forbidden: [403, undefined],
    not_found: [404, undefined],
    conflict: [409, 'uniqueness'],
    payload_too_large: [413, undefined],
  }
  const [status, scimType] = map[e.code] ?? [e.status, undefined]
  return new ScimError(status, e.message, scimType)
}

interface Caller {
  workspaceId: string
  workspaceName: string
}

interface UserRow {
  id: string
  email: string
  name: string
  created_at: Date
  state: 'active' | 'deactivated'
  member_updated_at: Date
  user_name: string | null
  external_id: string | null
  given_name: string | null
  family_name: string | null
  scim_updated_at: Date | null
}

const userColumns = (sql: TxSql | Services['sql']) => sql`
  u.id, u.email, u.name, u.created_at, wm.state, wm.updated_at as member_updated_at,
  su.user_name, su.external_id, su.given_name, su.family_name, su.updated_at as scim_updated_at`

async function findUsers(sql: TxSql | Services['sql'], workspaceId: string, where: Fragment, page?: { offset: number; limit: number }) {
  const base = sql`
    from workspace_members wm join users u on u.id = wm.user_id
    left join scim_users su on su.workspace_id = wm.workspace_id and su.user_id = wm.user_id
    where wm.workspace_id = ${workspaceId} and wm.state <> 'left' and ${where}`
  const rows = await sql<UserRow[]>`select ${userColumns(sql)} ${base} order by u.created_at, u.id
    ${page ? sql`offset ${page.offset} limit ${page.limit}` : sql``}`
  const [{ n }] = page ? await sql<{ n: number }[]>`select count(*)::int as n ${base}` : [{ n: rows.length }]
  return { rows, total: n }
}

async function oneUser(sql: TxSql | Services['sql'], workspaceId: string, userId: string): Promise<UserRow> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(userId)) throw new ScimError(404, `No user ${userId} in this workspace.`)
  const { rows } = await findUsers(sql, workspaceId, sql`u.id = ${userId}`)
  if (!rows[0]) throw new ScimError(404, `No user ${userId} in this workspace.`)
  return rows[0]
}

function resource(services: Services, row: UserRow) {
  const lastModified = [row.member_updated_at, row.scim_updated_at].filter((d): d is Date => d !== null).sort((a, b) => b.getTime() - a.getTime())[0]!
  return {
    schemas: [USER_SCHEMA],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    userName: row.user_name ?? row.email,
    name: {
      formatted: row.name,
      ...(row.given_name ? { givenName: row.given_name } : {}),
      ...(row.family_name ? { familyName: row.family_name } : {}),
    },
    displayName: row.name,
    emails: [{ value: row.email, type: 'work', primary: true }],
    active: row.state === 'active',
    meta: {
      resourceType: 'User',
      created: row.created_at.toISOString(),
      lastModified: lastModified.toISOString(),
      location: `${serviceProvider(services.config, '').scimUrl}/Users/${row.id}`,
    },
  }
}

/** What a request may set on a user, after PUT or PATCH. */
interface Desired {
  userName: string
  externalId: string | null
  givenName: string | null
  familyName: string | null
  displayName: string | null
  active: boolean
  email: string | null
}

const text = (v: unknown, max = 300): string | null => {
  if (v === undefined || v === null) return null
  if (typeof v !== 'string') throw new ScimError(400, 'Expected a string value.', 'invalidValue')
  const t = v.trim()
  if (t.length > max) throw new ScimError(400, `A value is longer than ${max} characters.`, 'invalidValue')
  return t === '' ? null : t
}

const bool = (v: unknown): boolean => {
  if (typeof v === 'boolean') return v
  // Some identity providers (Entra ID) send "True" and "False".
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true'
  throw new ScimError(400, '"active" must be true or false.', 'invalidValue')
}

function primaryEmail(emails: unknown): string | null {
  if (emails === undefined || emails === null) return null
  if (!Array.isArray(emails)) throw new ScimError(400, '"emails" must be a list.', 'invalidValue')
  const list = emails as Array<{ value?: unknown; primary?: unknown }>
  const pick = list.find((e) => e?.primary === true || e?.primary === 'true') ?? list[0]
  return pick ? text(pick.value, 254) : null
}

/** A full user from a POST or PUT body. */
function desiredFrom(body: unknown): Desired {
  if (typeof body !== 'object' || body === null) throw new ScimError(400, 'The body must be a SCIM User (JSON object).', 'invalidSyntax')
  const b = body as Record<string, unknown>
  const name = (b.name ?? {}) as Record<string, unknown>
  const userName = text(b.userName, 254)
  if (!userName) throw new ScimError(400, '"userName" is required.', 'invalidValue')
  return {
    userName,
    externalId: text(b.externalId),
    givenName: text(name.givenName, 80),
    familyName: text(name.familyName, 80),
    displayName: text(b.displayName, 80) ?? text(name.formatted, 80),
    active: b.active === undefined ? true : bool(b.active),
    email: primaryEmail(b.emails),
  }
}

function current(row: UserRow): Desired {
  return {
    userName: row.user_name ?? row.email,
    externalId: row.external_id,
    givenName: row.given_name,
    familyName: row.family_name,
    displayName: row.name,
    active: row.state === 'active',
    email: row.email,
  }
}

/**
 * Applies PatchOp operations (add, replace, remove) to the attributes OComms keeps. Attributes it
 * does not keep (title, phone numbers, enterprise extension, ...) are accepted and ignored, as
 * identity providers send many of them.
 */
function applyPatch(start: Desired, body: unknown): Desired {
  const b = (body ?? {}) as { schemas?: unknown; Operations?: unknown }
  if (!Array.isArray(b.schemas) || !b.schemas.includes(PATCH_SCHEMA) || !Array.isArray(b.Operations)) {
    throw new ScimError(400, `A PATCH body is {"schemas":["${PATCH_SCHEMA}"],"Operations":[...]}.`, 'invalidSyntax')
  }
  const next = { ...start }
  const set = (path: string, value: unknown, remove: boolean) => {
    const p = path.replace(new RegExp(`^${USER_SCHEMA.replace(/[.:]/g, '\\$&')}:`), '')
    switch (p) {
      case 'active':
        if (remove) throw new ScimError(400, '"active" cannot be removed.', 'mutability')
        next.active = bool(value)
        return
      case 'userName':
        if (remove) throw new ScimError(400, '"userName" cannot be removed.', 'mutability')
        next.userName = text(value, 254) ?? next.userName
        return
      case 'externalId':
        next.externalId = remove ? null : text(value)
        return
      case 'displayName':
      case 'name.formatted':
        next.displayName = remove ? null : text(value, 80)
        return
      case 'name.givenName':
        next.givenName = remove ? null : text(value, 80)
        return
      case 'name.familyName':
        next.familyName = remove ? null : text(value, 80)
        return
      case 'name':
        if (remove) {
          next.givenName = next.familyName = null
          return
        }
        for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) set(`name.${k}`, v, false)
        return
      default:
        return // not kept by OComms
    }
  }
  for (const raw of b.Operations as Array<{ op?: unknown; path?: unknown; value?: unknown }>) {
    const op = typeof raw?.op === 'string' ? raw.op.toLowerCase() : ''
    if (op !== 'add' && op !== 'replace' && op !== 'remove') {
      throw new ScimError(400, 'Each operation\'s "op" is add, replace or remove.', 'invalidSyntax')
    }
    const path = typeof raw.path === 'string' ? raw.path.trim() : null
    if (path) set(path, raw.value, op === 'remove')
    else if (op === 'remove') throw new ScimError(400, 'A remove operation needs a path.', 'noTarget')
    else if (typeof raw.value === 'object' && raw.value !== null) {
      for (const [k, v] of Object.entries(raw.value as Record<string, unknown>)) set(k, v, false)
    } else throw new ScimError(400, 'An operation without a path needs an object value.', 'invalidValue')
  }
  return next
}

/** The name OComms shows, from what the identity provider sent. */
function displayName(d: Desired, fallback: string): string {
  return displayNameFromProvider(d.displayName) ?? displayNameFromProvider([d.givenName, d.familyName].filter(Boolean).join(' ')) ?? fallback
}

/**
 * Deprovisioning: the member is deactivated (sockets close after the commit) and their sessions
 * end when this workspace is all they have, or when its identity provider made the account. An
 * account that is also active elsewhere, made by its owner, keeps its sessions: it only loses
 * this workspace, at once.
 */
async function deprovision(change: Change, workspaceId: string, userId: string): Promise<void> {
  await deactivateMember(change, workspaceId, userId)
  const [keep] = await change.sql`
    select 1 where exists (select 1 from workspace_members where user_id = ${userId} and state = 'active' and workspace_id <> ${workspaceId})
               and not exists (select 1 from sso_provisioned_users where user_id = ${userId} and workspace_id = ${workspaceId})`
  if (keep) return
  const ended = await change.sql<{ id: string }[]>`delete from sessions where user_id = ${userId} returning id`
  change.afterCommit(() => {
    for (const { id } of ended) change.services.realtime.disconnectSession(id)
  })
}

/** Writes what PUT or PATCH asked for. */
async function update(change: Change, caller: Caller, row: UserRow, next: Desired): Promise<void> {
  const { sql } = change
  const taken = await sql`
    select 1 from scim_users where workspace_id = ${caller.workspaceId} and lower(user_name) = lower(${next.userName}) and user_id <> ${row.id}`
  if (taken.length > 0) throw new ScimError(409, `Another user of this workspace has the userName ${next.userName}.`, 'uniqueness')
  await sql`
    insert into scim_users (workspace_id, user_id, user_name, external_id, given_name, family_name)
    values (${caller.workspaceId}, ${row.id}, ${next.userName}, ${next.externalId}, ${next.givenName}, ${next.familyName})
    on conflict (workspace_id, user_id) do update
       set user_name = excluded.user_name, external_id = excluded.external_id, given_name = excluded.given_name,
           family_name = excluded.family_name, updated_at = now()`
  // The display name belongs to the account, which may be in other workspaces: only an account
  // this workspace's identity provider made is renamed by it.
  const name = displayName(next, row.name)
  if (name !== row.name) {
    const [renamed] = await sql`
      update users set name = ${name}
       where id = ${row.id} and exists (select 1 from sso_provisioned_users p where p.user_id = ${row.id} and p.workspace_id = ${caller.workspaceId})
      returning id`
    if (renamed) {
      const spaces = await sql<{ workspace_id: string }[]>`select workspace_id from workspace_members where user_id = ${row.id} and state = 'active'`
      for (const { workspace_id } of spaces) {
        const member = await load.member(sql, workspace_id, row.id)
        await change.emit('workspace', workspace_id, 'member.updated', { member }, { workspaceId: workspace_id })
      }
    }
  }
  if (next.active && row.state === 'deactivated') {
    await reactivateMember(change, caller.workspaceId, row.id)
    await recordAudit(sql, { workspaceId: caller.workspaceId, actorId: null, action: 'member.reactivated', target: { type: 'member', id: row.id }, details: { by: 'scim' } })
  }
  if (!next.active && row.state === 'active') {
    await deprovision(change, caller.workspaceId, row.id)
    await recordAudit(sql, { workspaceId: caller.workspaceId, actorId: null, action: 'member.deactivated', target: { type: 'member', id: row.id }, details: { by: 'scim' } })
  }
}

/** Only `attr eq "value"` on userName, externalId, emails.value or id. */
function filterSql(sql: Services['sql'], raw: string): Fragment {
  let f: Filter
  try {
    f = parseFilter(raw)
  } catch {
    throw new ScimError(400, `The filter ${JSON.stringify(raw)} cannot be read.`, 'invalidFilter')
  }
  const unsupported = () =>
    new ScimError(400, 'Only filters of the form userName eq "...", externalId eq "...", emails.value eq "..." or id eq "..." are supported.', 'invalidFilter')
  if (f.op !== 'eq' || !('compValue' in f) || typeof f.compValue !== 'string') throw unsupported()
  const v = f.compValue
  switch (f.attrPath.replace(`${USER_SCHEMA}:`, '').toLowerCase()) {
    case 'username':
      return sql`((su.user_name is not null and lower(su.user_name) = lower(${v})) or (su.user_name is null and u.email_normalized = lower(${v})))`
    case 'externalid':
      return sql`su.external_id = ${v}`
    case 'emails.value':
    case 'emails':
      return sql`u.email_normalized = lower(${v})`
    case 'id':
      return /^[0-9a-f-]{36}$/i.test(v) ? sql`u.id = ${v}` : sql`false`
    default:
      throw unsupported()
  }
}

function page(q: Record<string, unknown>): { offset: number; limit: number; startIndex: number } {
  const num = (v: unknown, d: number) => {
    if (v === undefined || v === '') return d
    const n = Number(v)
    if (!Number.isInteger(n)) throw new ScimError(400, 'startIndex and count must be whole numbers.', 'invalidValue')
    return n
  }
  const startIndex = Math.max(1, num(q.startIndex, 1))
  const count = Math.min(MAX_PAGE, Math.max(0, num(q.count, 100)))
  return { offset: startIndex - 1, limit: count, startIndex }
}

async function authenticateScim(services: Services, req: FastifyRequest): Promise<Caller> {
  const token = bearerToken(req.headers.authorization)
  if (!plausibleToken(token)) throw new ScimError(401, 'A SCIM bearer token is required (Authorization: Bearer ...); an owner creates one with `ocomms sso scim-token create`.')
  const [row] = await services.sql<{ id: string; workspace_id: string; name: string; stale: boolean }[]>`
    select t.id, t.workspace_id, w.name, coalesce(t.last_used_at < now() - interval '1 minute', true) as stale
      from scim_tokens t join workspaces w on w.id = t.workspace_id
     where t.token_hash = ${hashToken(token)} and t.revoked_at is null`
  if (!row) throw new ScimError(401, 'This SCIM token is not valid: it was revoked, or never existed.')
  if (row.stale) services.sql`update scim_tokens set last_used_at = now() where id = ${row.id}`.execute().catch(() => {})
  return { workspaceId: row.workspace_id, workspaceName: row.name }
}

function send(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.status(status).header('content-type', 'application/scim+json; charset=utf-8').send(JSON.stringify(body))
}

export function mountScim(app: FastifyInstance, services: Services): void {
  void app.register(
    async (scope) => {
      scope.addContentTypeParser('application/scim+json', { parseAs: 'string' }, scope.getDefaultJsonParser('error', 'error'))
      scope.setErrorHandler((err, _req, reply) => {
        const e = scimError(err, services)
        return send(reply, e.status, { schemas: [ERROR_SCHEMA], status: String(e.status), ...(e.scimType ? { scimType: e.scimType } : {}), detail: e.message })
      })
      scope.setNotFoundHandler((_req, reply) =>
        send(reply, 404, { schemas: [ERROR_SCHEMA], status: '404', detail: 'This SCIM endpoint does not exist here: only /Users is provisioned.' }),
      )
      scope.decorateRequest('scim', null)
      scope.addHook('onRequest', async (req) => {
        ;(req as FastifyRequest & { scim: Caller }).scim = await authenticateScim(services, req)
      })
      const who = (req: FastifyRequest) => (req as FastifyRequest & { scim: Caller }).scim
      const hide = { schema: { hide: true } }

      scope.get('/ServiceProviderConfig', hide, async (_req, reply) =>
        send(reply, 200, {
          schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
          documentationUri: 'https://github.com/ocomms/ocomms/blob/main/docs/sso.md',
          patch: { supported: true },
          bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
          filter: { supported: true, maxResults: MAX_PAGE },
          changePassword: { supported: false },
          sort: { supported: false },
          etag: { supported: false },
          authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Bearer token', description: 'A token from `ocomms sso scim-token create`.' }],
        }),
      )

      scope.get('/Users', hide, async (req, reply) => {
        const q = req.query as Record<string, unknown>
        const p = page(q)
        const where = typeof q.filter === 'string' && q.filter.trim() !== '' ? filterSql(services.sql, q.filter) : services.sql`true`
        const { rows, total } = await findUsers(services.sql, who(req).workspaceId, where, p)
        return send(reply, 200, {
          schemas: [LIST_SCHEMA],
          totalResults: total,
          startIndex: p.startIndex,
          itemsPerPage: rows.length,
          Resources: rows.map((r) => resource(services, r)),
        })
      })

      scope.get('/Users/:id', hide, async (req, reply) =>
        send(reply, 200, resource(services, await oneUser(services.sql, who(req).workspaceId, (req.params as { id: string }).id))),
      )

      scope.post('/Users', hide, async (req, reply) => {
        const caller = who(req)
        const d = desiredFrom(req.body)
        const email = d.email ?? (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(d.userName) ? d.userName : null)
        if (!email || !/^[^@\s]+@[^@\s]+$/.test(email)) {
          throw new ScimError(400, 'An email address is needed: send emails[].value, or a userName that is an email address.', 'invalidValue')
        }
        const [sso] = await services.sql<{ allowed_domains: string[]; default_role: 'member' | 'admin' }[]>`
          select allowed_domains, default_role from workspace_sso where workspace_id = ${caller.workspaceId}`
        if (sso && !domainAllowed(sso.allowed_domains, email)) {
          throw new ScimError(400, refuseDomain({ allowed_domains: sso.allowed_domains, workspace_name: caller.workspaceName }, email).message, 'invalidValue')
        }
        const userId = await transaction(services, async (change) => {
          const taken = await change.sql`
            select 1 from scim_users where workspace_id = ${caller.workspaceId} and lower(user_name) = lower(${d.userName})`
          if (taken.length > 0) throw new ScimError(409, `A user with the userName ${d.userName} already exists in this workspace.`, 'uniqueness')
          const [existing] = await change.sql<{ id: string; state: string | null; linked: boolean }[]>`
            select u.id, wm.state, su.user_id is not null as linked
              from users u
              left join workspace_members wm on wm.user_id = u.id and wm.workspace_id = ${caller.workspaceId}
              left join scim_users su on su.user_id = u.id and su.workspace_id = ${caller.workspaceId}
             where u.email_normalized = ${normalizeEmail(email)}`
          let id: string
          if (existing) {
            // An account that is already in this workspace is taken over by the identity provider;
            // one that is not is someone else's to bring in (see accountFor in accounts.ts).
            if (existing.linked) throw new ScimError(409, `${email} is already provisioned in this workspace under another userName.`, 'uniqueness')
            if (existing.state !== 'active' && existing.state !== 'deactivated') {
              throw new ScimError(
                409,
                `An account with ${email} exists on this server but is not a member of ${caller.workspaceName}: the person must join (invite) before it can be provisioned.`,
                'uniqueness',
              )
            }
            id = existing.id
          } else {
            const made = await createAccount(change, caller.workspaceId, { email, name: displayName(d, ''), username: d.userName })
            if (!made) throw new ScimError(409, `An account with ${email} was created at the same moment; try again.`, 'uniqueness')
            id = made
            await addMember(change, caller.workspaceId, id, sso?.default_role ?? 'member')
          }
          const row = await oneUser(change.sql, caller.workspaceId, id)
          await update(change, caller, row, { ...d, displayName: d.displayName ?? row.name })
          return id
        })
        const out = resource(services, await oneUser(services.sql, caller.workspaceId, userId))
        reply.header('location', out.meta.location)
        return send(reply, 201, out)
      })

      const change = (mode: 'put' | 'patch') => async (req: FastifyRequest, reply: FastifyReply) => {
        const caller = who(req)
        const id = (req.params as { id: string }).id
        await transaction(services, async (c) => {
          const row = await oneUser(c.sql, caller.workspaceId, id)
          await c.sql`select 1 from workspace_members where workspace_id = ${caller.workspaceId} and user_id = ${id} for update`
          const next = mode === 'put' ? desiredFrom(req.body) : applyPatch(current(row), req.body)
          await update(c, caller, row, next)
        })
        return send(reply, 200, resource(services, await oneUser(services.sql, caller.workspaceId, id)))
      }
      scope.put('/Users/:id', hide, change('put'))
      scope.patch('/Users/:id', hide, change('patch'))

      // DELETE deprovisions as `active: false` does; the member stays listed, deactivated, so
      // messages keep their author and a later re-provisioning finds them.
      scope.delete('/Users/:id', hide, async (req, reply) => {
        const caller = who(req)
        const id = (req.params as { id: string }).id
        await transaction(services, async (c) => {
          const row = await oneUser(c.sql, caller.workspaceId, id)
          if (row.state === 'active') await deprovision(c, caller.workspaceId, id)
        })
        return reply.status(204).send()
      })
    },
    { prefix: '/scim/v2' },
  )
}

