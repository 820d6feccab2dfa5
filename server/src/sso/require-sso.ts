import { OCommsError } from '@ocomms/shared'
import type { Sql, TxSql } from '../db/connect.js'
import type { ServerConfig } from '../config.js'

/**
 * "Require SSO": password and magic-link sign-in are refused for anyone who is an active member
 * of a workspace that requires single sign-on, unless they are one of its owners. Owners keep
 * them as the break-glass path (docs/sso.md): when the identity provider is down or wrongly set
 * up, an owner signs in with a password and fixes or disconnects it.
 */
export async function refuseWhenSsoRequired(sql: Sql | TxSql, config: Pick<ServerConfig, 'publicUrl'>, userId: string): Promise<void> {
  const [ws] = await sql<{ slug: string; name: string; provider: string }[]>`
    select w.slug, w.name, s.display_name as provider
      from workspace_members wm
      join workspace_sso s on s.workspace_id = wm.workspace_id and s.require_sso and s.protocol is not null
      join workspaces w on w.id = wm.workspace_id
     where wm.user_id = ${userId} and wm.state = 'active' and wm.role <> 'owner'
     order by w.name limit 1`
  if (!ws) return
  throw new OCommsError(
    'forbidden',
    `${ws.name} requires single sign-on: sign in through ${ws.provider || 'its identity provider'} instead ` +
      `(ocomms login --sso --server ${config.publicUrl} --workspace ${ws.slug}).`,
    { sso: { workspace: ws.slug } },
  )
}
