// @jsxRuntime automatic
// @jsxImportSource react
import { Box, Text } from 'ink'
import { useTheme } from './theme.js'

/** The key map, as shown on `?`. docs/tui.md lists the same. */
export const helpSections: Array<[string, Array<[string, string]>]> = [
  [
    'Anywhere',
    [
      ['Ctrl+K', 'quick switcher (fuzzy: channels, people, views)'],
      ['Alt+↑ / Alt+↓', 'previous / next conversation'],
      ['Alt+Shift+↑↓', 'previous / next unread conversation'],
      ['Tab / Shift+Tab', 'move between sidebar, messages, thread, composer'],
      ['? or Ctrl+/', 'this help (? outside the composer)'],
      ['Ctrl+C', 'quit'],
    ],
  ],
  [
    'Composer',
    [
      ['Enter', 'send (or pick the highlighted completion)'],
      ['Alt+Enter, Ctrl+J', 'new line (Shift+Enter where the terminal reports it)'],
      ['@ # :', 'complete people, channels, emoji; Tab or Enter picks'],
      ['↑ (empty box)', 'edit my last message'],
      ['Esc', 'close completion, cancel edit, then select messages'],
    ],
  ],
  [
    'Selected message (↑↓ j k, PgUp loads older)',
    [
      ['Enter or t', 'reply in thread'],
      ['r', 'react (type an emoji name)'],
      ['p / s', 'pin / save (again: undo)'],
      ['u', 'mark unread from here'],
      ['c', 'copy its reference (#channel/SEQ)'],
      ['e', 'edit (my messages)'],
      ['Esc / i', 'back to the composer'],
    ],
  ],
  [
    'Views',
    [
      ['U T M S P', 'unreads, threads, mentions, saved items, pins'],
      ['/', 'search (from: in: has: before: after: "phrase" -word)'],
    ],
  ],
]

export function Help({ width, height }: { width: number; height: number }) {
  const { color } = useTheme()
  const lines: Array<{ key: string; text: string; title?: boolean; k?: string }> = []
  for (const [title, keys] of helpSections) {
    lines.push({ key: title, text: title, title: true })
    for (const [k, what] of keys) lines.push({ key: title + k, k, text: what })
  }
  return (
    <Box flexDirection="column" width={width} height={height}>
      <Text bold color={color ? 'cyan' : undefined}>
        Keyboard shortcuts (Esc or ? to close)
      </Text>
      {lines.slice(0, Math.max(0, height - 1)).map((l) =>
        l.title ? (
          <Text key={l.key} bold wrap="truncate">
            {l.text}
          </Text>
        ) : (
          <Text key={l.key} wrap="truncate">
            <Text color={color ? 'yellow' : undefined}>{`  ${(l.k ?? '').padEnd(18)}`}</Text>
            {l.text}
          </Text>
        ),
      )}
    </Box>
  )
}
