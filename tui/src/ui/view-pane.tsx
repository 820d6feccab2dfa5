// @jsxRuntime automatic
// @jsxImportSource react
import { Box, Text } from 'ink'
import type { Message } from '@ocomms/shared'
import type { EditorState } from './editor.js'
import { clockTime } from './format.js'
import { useTheme } from './theme.js'

/** One line pair of a view: where and who, then what. Enter opens it. */
export interface ViewEntry {
  key: string
  title: string
  badge?: string
  text?: string
  conversationId?: string
  message?: Message
}

export interface ViewPaneProps {
  title: string
  entries: ViewEntry[]
  cursor: number
  focused: boolean
  loading: boolean
  empty: string
  width: number
  height: number
  /** The search box, when this is the search view. */
  query?: { editor: EditorState; active: boolean }
}

export const entryTitle = (where: string, m: Message) => `${where} · ${m.author.handle} ${clockTime(m.createdAt)}`

export function ViewPane({ title, entries, cursor, focused, loading, empty, width, height, query }: ViewPaneProps) {
  const { color } = useTheme()
  const reserved = 1 + (query ? 1 : 0)
  const perEntry = 2
  const fit = Math.max(1, Math.floor((height - reserved) / perEntry))
  const start = Math.max(0, Math.min(cursor - Math.floor(fit / 2), entries.length - fit))
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold wrap="truncate" color={color ? 'cyan' : undefined}>
        {title}
        {loading ? <Text dimColor> loading…</Text> : null}
      </Text>
      {query ? (
        <Text wrap="truncate">
          {'search: '}
          {query.editor.text}
          {query.active ? (color ? <Text inverse> </Text> : '▏') : null}
          {!query.active && !query.editor.text ? <Text dimColor>press / to search</Text> : null}
        </Text>
      ) : null}
      {entries.length === 0 && !loading ? <Text dimColor>{empty}</Text> : null}
      {entries.slice(start, start + fit).map((e, i) => {
        const selected = focused && start + i === cursor
        return (
          <Box key={e.key} flexDirection="column">
            <Text wrap="truncate" inverse={selected && color} bold>
              {selected ? '> ' : '  '}
              {e.title}
              {e.badge ? <Text color={color ? 'red' : undefined}>{`  ${e.badge}`}</Text> : null}
            </Text>
            <Text wrap="truncate" dimColor>
              {'  ' + (e.text ?? '').replace(/\s+/g, ' ')}
            </Text>
          </Box>
        )
      })}
    </Box>
  )
}
