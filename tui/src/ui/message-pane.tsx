// @jsxRuntime automatic
// @jsxImportSource react
import { Box, Text } from 'ink'
import type { ReactNode } from 'react'
import { RowView } from './row-view.js'
import { visibleWindow, type Row, type Segment } from './rows.js'
import { useTheme } from './theme.js'

export interface MessagePaneProps {
  title: Segment[]
  rows: Row[]
  /** Shown above the messages when there is no older history, or while it loads. */
  topRow?: Row
  width: number
  height: number
  selectedId: string | null
  focused: boolean
  /** Open at the "new messages" line (this row's key) rather than at the newest (rows.ts, `visibleWindow`). */
  lineKey?: string | null
  typing: string
  composer: ReactNode
  composerHeight: number
}

/** Lines for the messages in a pane of `height` lines: the title and the typing line go too. */
export const listHeightOf = (height: number, composerHeight: number) => Math.max(0, height - 1 - 1 - composerHeight)

/** A conversation or a thread: title, the messages that fit, who is typing, the composer. */
export function MessagePane({ title, rows, topRow, width, height, selectedId, focused, lineKey = null, typing, composer, composerHeight }: MessagePaneProps) {
  const { color } = useTheme()
  const listHeight = listHeightOf(height, composerHeight)
  const all = topRow ? [topRow, ...rows] : rows
  const { start, end } = visibleWindow(all, listHeight, focused ? selectedId : null, lineKey)
  const shown = all.slice(start, end)
  const filler = Math.max(0, listHeight - shown.length)
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text wrap="truncate" bold>
        {title.map((s, i) => (
          <Text key={i} color={color ? s.color : undefined} bold={s.bold} dimColor={s.dim}>
            {s.text}
          </Text>
        ))}
      </Text>
      {filler > 0 ? <Box height={filler} /> : null}
      {shown.map((row) => {
        const selected = focused && !!selectedId && row.messageId === selectedId
        return <RowView key={row.key} row={row} gutter={selected ? (color ? '▌' : '>') : ' '} gutterColor="cyan" color={color} />
      })}
      <Text wrap="truncate" dimColor italic>
        {typing || ' '}
      </Text>
      {composer}
    </Box>
  )
}
