// @jsxRuntime automatic
// @jsxImportSource react
import { Box, Text } from 'ink'
import { truncate } from './format.js'
import { presenceColor, presenceGlyph, type SidebarItem } from './sidebar-items.js'
import { useTheme } from './theme.js'

export interface SidebarProps {
  workspace: string
  items: SidebarItem[]
  /** Index among selectable items of the cursor (shown when focused). */
  cursor: number
  /** Key of the item that is open. */
  openKey: string | null
  focused: boolean
  width: number
  height: number
}

function badge(item: SidebarItem): string {
  if (item.kind === 'view') return item.count > 0 ? String(item.count) : ''
  if (item.kind !== 'conversation') return ''
  if (item.mentions > 0) return `@${item.mentions}`
  if (item.unread > 0) return String(item.unread)
  return item.draft ? '✎' : ''
}

export function Sidebar({ workspace, items, cursor, openKey, focused, width, height }: SidebarProps) {
  const { color } = useTheme()
  const inner = width - 1 // the right border
  // Keep the cursor in view: scroll the list, the workspace line stays.
  const listHeight = Math.max(1, height - 1)
  const selectableIndex: number[] = []
  items.forEach((it, i) => it.kind !== 'section' && selectableIndex.push(i))
  const cursorRow = selectableIndex[cursor] ?? 0
  const start = Math.max(0, Math.min(cursorRow - Math.floor(listHeight / 2), items.length - listHeight))
  const shown = items.slice(start, start + listHeight)
  return (
    <Box flexDirection="column" width={width} height={height} borderStyle="single" borderTop={false} borderBottom={false} borderLeft={false} borderDimColor>
      <Text bold wrap="truncate" color={color ? 'white' : undefined}>
        {truncate(workspace, inner)}
      </Text>
      {shown.map((item) => {
        if (item.kind === 'section') {
          return (
            <Text key={item.key} dimColor wrap="truncate">
              {truncate(item.label, inner)}
            </Text>
          )
        }
        const isCursor = focused && selectableIndex[cursor] === items.indexOf(item)
        const isOpen = item.key === openKey
        const gutter = isCursor ? '>' : isOpen ? '•' : ' '
        const b = badge(item)
        const prefix = item.kind === 'view' ? '' : item.person ? presenceGlyph(item.person) + ' ' : item.conversation.kind === 'private' ? '* ' : item.conversation.kind === 'group_dm' ? '& ' : '# '
        const unread = item.kind === 'conversation' && item.unread > 0
        const muted = item.kind === 'conversation' && item.muted
        const suffix = muted && !color ? '~' : ''
        const labelWidth = Math.max(1, inner - 1 - prefix.length - (b ? b.length + 1 : 0) - suffix.length)
        const label = truncate(item.label, labelWidth) + suffix
        const pad = ' '.repeat(Math.max(0, inner - 1 - prefix.length - label.length - b.length))
        const mention = item.kind === 'conversation' && item.mentions > 0
        return (
          <Text key={item.key} wrap="truncate" inverse={isCursor && color} dimColor={muted && !unread}>
            <Text color={color && isOpen ? 'cyan' : undefined}>{gutter}</Text>
            <Text color={color && item.kind === 'conversation' && item.person ? presenceColor(item.person) : undefined}>{prefix}</Text>
            <Text bold={unread || isOpen}>{label}</Text>
            {pad}
            <Text color={color ? (mention ? 'red' : 'white') : undefined} bold>
              {b}
            </Text>
          </Text>
        )
      })}
    </Box>
  )
}
