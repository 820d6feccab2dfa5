import { Type } from '@sinclair/typebox'
import { defineOperation } from '../operation.js'
import { Count, Email, Id, Member, Ok, Role, Timestamp, Workspace } from '../schemas.js'

const WorkspaceScoped = { workspaceId: Id }

export const createWorkspace = defineOperation({
  name: 'workspace.create',
  summary: 'Create a workspace; you become its owner.',
  http: { method: 'POST', path: '/api/workspaces' },
  auth: 'session',
  input: Type.Object(
    {
      name: Type.String({ minLength: 1, maxLength: 80 }),
      slug: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$', description: 'Defaults to one made from the name.' })),
    },
    { additionalProperties: false },
  ),
  output: Workspace,
})

export const listWorkspaces = defineOperation({
  name: 'workspace.list',
  summary: 'The workspaces you are an active member of.',
  http: { method: 'GET', path: '/api/workspaces' },
  auth: 'session',
  input: Type.Object({}, { additionalProperties: false }),
  output: Type.Array(Workspace),
})

export const getWorkspace = defineOperation({
  name: 'workspace.get',
  summary: 'One workspace you belong to.',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId' },
  auth: 'session',
  input: Type.Object(WorkspaceScoped, { additionalProperties: false }),
  output: Workspace,
})

export const leaveWorkspace = defineOperation({
  name: 'workspace.leave',
  summary: 'Leave a workspace. The last owner cannot leave.',
  http: { method: 'POST', path: '/api/workspaces/:workspaceId/leave' },
  auth: 'session',
  input: Type.Object(WorkspaceScoped, { additionalProperties: false }),
  output: Ok,
})

export const Invite = Type.Object({
  code: Type.String(),
  link: Type.String(),
  role: Role,
  email: Type.Union([Type.String(), Type.Null()]),
  expiresAt: Timestamp,
  maxUses: Type.Union([Count(), Type.Null()]),
})

export const createInvite = defineOperation({
  name: 'invite.create',
  summary: 'Create an invite code that carries a role. Admins invite members and admins; owners may also invite owners.',
  http: { method: 'POST', path: '/api/workspaces/:workspaceId/invites' },
  auth: 'session',
  input: Type.Object(
    {
      ...WorkspaceScoped,
      role: Type.Optional(Role),
      email: Type.Optional(Email),
      expiresInHours: Type.Optional(Count({ minimum: 1, maximum: 24 * 90 })),
      maxUses: Type.Optional(Count({ minimum: 1, maximum: 10_000 })),
    },
    { additionalProperties: false },
  ),
  output: Invite,
})

export const acceptInvite = defineOperation({
  name: 'invite.accept',
  summary: 'Join a workspace with an invite code.',
  http: { method: 'POST', path: '/api/invites/accept' },
  auth: 'session',
  input: Type.Object({ code: Type.String({ minLength: 8, maxLength: 100 }) }, { additionalProperties: false }),
  output: Workspace,
})

export const listMembers = defineOperation({
  name: 'member.list',
  summary: 'Members of a workspace (deactivated ones too, marked as such, with `includeInactive`).',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/members' },
  auth: 'session',
  input: Type.Object({ ...WorkspaceScoped, includeInactive: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  output: Type.Array(Member),
})

export const getMember = defineOperation({
  name: 'member.get',
  summary: 'One member, by handle or id.',
  http: { method: 'GET', path: '/api/workspaces/:workspaceId/members/:member' },
  auth: 'session',
  input: Type.Object(
    { ...WorkspaceScoped, member: Type.String({ minLength: 1, maxLength: 64, description: 'A handle (with or without @) or a user id.' }) },
    { additionalProperties: false },
  ),
  output: Member,
})

export const setRole = defineOperation({
  name: 'member.setRole',
  summary: 'Change a member\'s role. Only owners make or unmake owners; the last owner stays owner.',
  http: { method: 'PUT', path: '/api/workspaces/:workspaceId/members/:userId/role' },
  auth: 'session',
  input: Type.Object({ ...WorkspaceScoped, userId: Id, role: Role }, { additionalProperties: false }),
  output: Member,
})

export const deactivateMember = defineOperation({
  name: 'member.deactivate',
  summary: 'Deactivate a member: their access ends and their sockets close at once.',
  http: { method: 'POST', path: '/api/workspaces/:workspaceId/members/:userId/deactivate' },
  auth: 'session',
  input: Type.Object({ ...WorkspaceScoped, userId: Id }, { additionalProperties: false }),
  output: Member,
})

export const reactivateMember = defineOperation({
  name: 'member.reactivate',
  summary: 'Give a deactivated member access again.',
  http: { method: 'POST', path: '/api/workspaces/:workspaceId/members/:userId/reactivate' },
  auth: 'session',
  input: Type.Object({ ...WorkspaceScoped, userId: Id }, { additionalProperties: false }),
  output: Member,
})

