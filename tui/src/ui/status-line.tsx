// @jsxRuntime automatic
// @jsxImportSource react
import { Box, Text } from 'ink'
import type { ChatState } from '../state/types.js'
import { clockTime } from './format.js'
import { useTheme } from './theme.js'

/** The connection as a person needs to know it: can I trust what I see, will my message go out. */
export function connectionLabel(s: ChatState): { text: string; color: string } {
  if (s.link === 'closed' || s.phase === 'unreachable') return { text: '○ daemon unreachable, showing what was loaded', color: 'red' }
  switch (s.connection) {
    case 'connected':
      return { text: '● connected', color: 'green' }
    case 'connecting':
      return { text: '◌ reconnecting…', color: 'yellow' }
    case 'offline':
      return { text: '○ offline, from cache', color: 'red' }
    case 'signed_out':
      return { text: '○ signed out: run ocomms login', color: 'red' }
    default:
      return { text: '◌ starting…', color: 'yellow' }
  }
}

export function StatusLine({ state, width }: { state: ChatState; width: number }) {
  const { color } = useTheme()
  const conn = connectionLabel(state)
  const me = state.me ? state.people[state.me.id] : undefined
  const parts: Array<{ text: string; color?: string }> = [{ text: conn.text, color: conn.color }]
  const dndActive = state.dnd?.active ?? me?.dnd ?? false
  if (dndActive) parts.push({ text: `z DND${state.dnd?.until ? ` until ${clockTime(state.dnd.until)}` : ''}`, color: 'magenta' })
  if (me?.status) parts.push({ text: `${me.status.emoji ? me.status.emoji + ' ' : ''}${me.status.text}` })
  if (state.me) parts.push({ text: `@${state.me.handle}` })
  const right = state.notice ? state.notice.text : 'Ctrl+K switch · ? help'
  const rightColor = state.notice?.kind === 'error' ? 'red' : state.notice ? 'cyan' : undefined
  return (
    <Box width={width} height={1} justifyContent="space-between">
      <Text wrap="truncate">
        {parts.map((p, i) => (
          <Text key={i} color={color ? p.color : undefined}>
            {(i ? ' · ' : '') + p.text}
          </Text>
        ))}
      </Text>
      <Text wrap="truncate" color={color ? rightColor : undefined} dimColor={!state.notice}>
        {' ' + right}
      </Text>
    </Box>
  )
}
