import { OCommsError, operations, type CallInput, type OperationName, type Workspace } from '@ocomms/shared'
import type { ProfileSession } from '../session.js'
import type { Handler } from './handler.js'
import { refresh } from './profile.js'
import { validateParams } from '../validate.js'

/** The current workspace of a profile, or a sentence saying how to get one. */
export function currentWorkspace(session: ProfileSession): string {
  const id = session.profile.workspaceId
  if (!id) throw new OCommsError('not_found', 'You are in no workspace yet: create one (ocomms workspace create NAME) or join with an invite.')
  return id
}

/** After joining or creating a workspace: make it current and start following it. */
async function enter(session: ProfileSession, ws: Workspace): Promise<void> {
  await refresh(session)
  session.profile = { ...session.profile, workspaceId: ws.id }
  try {
    await session.snapshotWorkspace(ws.id, ws.lastSeq)
  } catch {
    // The next sync catches up.
  }
}

export const callHandlers: { call: Handler<'call'> } = {
  call: async (params, { daemon }) => {
    const name = params.operation as OperationName
    const op = Object.hasOwn(operations, name) ? operations[name] : undefined
    if (!op) throw new OCommsError('not_found', `Unknown operation "${params.operation}".`)
    const session = daemon.session(params.profile)
    const input: Record<string, unknown> = { ...params.input }
    // Workspace-scoped operations act on the profile's current workspace unless told otherwise.
    const properties = (op.input as { properties?: Record<string, unknown> }).properties ?? {}
    if ('workspaceId' in properties && input.workspaceId === undefined) input.workspaceId = currentWorkspace(session)
    // The daemon's one socket follows presence for itself and its frontends together.
    if (name === 'presence.subscribe') {
      validateParams(op.input, input)
      return session.subscribePresence((input as CallInput<'presence.subscribe'>).userIds)
    }
    const output = await session.call(name, input as CallInput<typeof name>)
    if (name === 'workspace.create' || name === 'invite.accept') {
      await enter(session, output as Workspace)
      daemon.store.set(session.name, session.profile)
    } else if (name === 'auth.logout') {
      daemon.signOut(session.name)
    }
    return output
  },
}
