// @jsxRuntime automatic
// @jsxImportSource react
import { Text } from 'ink'
import type { Row } from './rows.js'

/** One pre-laid-out line. Never wraps: the layout already fit it to the pane. */
export function RowView({ row, gutter, gutterColor, color }: { row: Row; gutter: string; gutterColor?: string; color: boolean }) {
  return (
    <Text wrap="truncate">
      <Text color={color ? gutterColor : undefined}>{gutter}</Text>
      {row.segments.map((s, i) => (
        <Text key={i} color={color ? s.color : undefined} bold={s.bold} dimColor={s.dim} italic={s.italic}>
          {s.text}
        </Text>
      ))}
    </Text>
  )
}
