import { resolveEmoji } from '@ocomms/shared'
import { memberKey } from '@ocomms/shared/client'
import { useClientState } from '../backend/hooks'
import { usePresenceOf } from '../chat/presence'

/**
 * A person's custom status next to their name: its emoji, with the text as its tooltip and
 * accessible name, live from the presence store when the page watches them, else from the member
 * table the engine keeps; nothing when there is none or it has expired. "Do not disturb" shows as
 * a small moon.
 */
export function StatusBadge(props: { conversationId: string; userId: string }) {
  const state = useClientState()
  const live = usePresenceOf(props.userId)
  const workspaceId = state.conversations[props.conversationId]?.workspaceId
  const member = live ?? (workspaceId ? state.members[memberKey(workspaceId, props.userId)] : undefined)
  if (!member) return null
  const status = member.status && (!member.status.expiresAt || Date.parse(member.status.expiresAt) > Date.now()) ? member.status : null
  const emoji = status?.emoji ? (resolveEmoji(status.emoji) ?? status.emoji) : status?.text ? '💬' : null
  return (
    <>
      {emoji && (
        <span className="status-badge" role="img" aria-label={`Status: ${status!.text || emoji}`} title={status!.text}>
          {emoji}
        </span>
      )}
      {member.dnd && (
        <span className="status-badge" role="img" aria-label="Do not disturb" title="Do not disturb">
          🌙
        </span>
      )}
    </>
  )
}
