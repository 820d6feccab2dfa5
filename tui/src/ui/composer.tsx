// @jsxRuntime automatic
// @jsxImportSource react
import { Box, Text } from 'ink'
import type { EditorState } from './editor.js'
import type { Suggestion } from './completion.js'
import { useTheme } from './theme.js'

export interface ComposerProps {
  editor: EditorState
  label: string
  placeholder: string
  focused: boolean
  width: number
  suggestions: Suggestion[]
  suggestionIndex: number
}

export const MAX_COMPOSER_LINES = 6

export function composerHeight(editor: EditorState, suggestions: number) {
  return 1 + suggestions + Math.min(MAX_COMPOSER_LINES, editor.text.split('\n').length)
}

/** The message box: a labelled rule, completion choices above the text, then the text with its cursor. */
export function Composer({ editor, label, placeholder, focused, width, suggestions, suggestionIndex }: ComposerProps) {
  const { color } = useTheme()
  const lines = editor.text.split('\n')
  // The line holding the cursor, and the lines around it that fit.
  let offset = 0
  let cursorLine = 0
  for (let i = 0; i < lines.length; i++) {
    if (editor.cursor <= offset + lines[i]!.length) {
      cursorLine = i
      break
    }
    offset += lines[i]!.length + 1
  }
  const cursorCol = editor.cursor - offset
  const first = Math.max(0, Math.min(cursorLine - MAX_COMPOSER_LINES + 1, lines.length - MAX_COMPOSER_LINES))
  const shown = lines.slice(first, first + MAX_COMPOSER_LINES)
  const rule = `── ${label} `
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate" dimColor={!focused} color={color && focused ? 'cyan' : undefined}>
        {rule + '─'.repeat(Math.max(0, width - rule.length))}
      </Text>
      {suggestions.map((s, i) => (
        <Text key={s.insert} wrap="truncate" inverse={color && i === suggestionIndex}>
          {i === suggestionIndex ? '> ' : '  '}
          {s.label}
          {s.detail ? <Text dimColor>{`  ${s.detail}`}</Text> : null}
        </Text>
      ))}
      {editor.text === '' ? (
        <Text wrap="truncate" dimColor>
          {focused ? (color ? <Text inverse> </Text> : '▏') : ' '}
          {placeholder}
        </Text>
      ) : (
        shown.map((line, i) => {
          const lineNo = first + i
          if (!focused || lineNo !== cursorLine) {
            return (
              <Text key={lineNo} wrap="truncate">
                {line || ' '}
              </Text>
            )
          }
          const before = line.slice(0, cursorCol)
          const at = line.slice(cursorCol, cursorCol + 1)
          const after = line.slice(cursorCol + 1)
          return (
            <Text key={lineNo} wrap="truncate">
              {before}
              {color ? <Text inverse>{at || ' '}</Text> : `▏${at}`}
              {after}
            </Text>
          )
        })
      )}
    </Box>
  )
}
