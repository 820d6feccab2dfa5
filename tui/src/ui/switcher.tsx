// @jsxRuntime automatic
// @jsxImportSource react
import { Box, Text } from 'ink'
import type { EditorState } from './editor.js'
import type { SwitcherItem } from './switcher-items.js'
import { useTheme } from './theme.js'

export function Switcher({ editor, items, index, width, height }: { editor: EditorState; items: SwitcherItem[]; index: number; width: number; height: number }) {
  const { color } = useTheme()
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color={color ? 'cyan' : undefined}>
        Jump to… (↑↓ choose, Enter open, Esc close)
      </Text>
      <Text wrap="truncate">
        {'> '}
        {editor.text}
        {color ? <Text inverse> </Text> : '▏'}
      </Text>
      {items.length === 0 ? <Text dimColor>No match</Text> : null}
      {items.slice(0, Math.max(0, height - 2)).map((item, i) => (
        <Text key={item.key} wrap="truncate" inverse={color && i === index}>
          {i === index ? '> ' : '  '}
          {item.label}
          {item.detail ? <Text dimColor>{`  ${item.detail}`}</Text> : null}
        </Text>
      ))}
    </Box>
  )
}
