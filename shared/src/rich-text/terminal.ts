import chalk, { Chalk, type ChalkInstance } from 'chalk'
import stringWidth from 'string-width'
import wrapAnsi from 'wrap-ansi'
import type { RichListItem, RichBlock, RichDoc, RichInline } from './types.js'

export type ColorLevel = 0 | 1 | 2 | 3

export interface TerminalRenderOptions {
  /** Columns to wrap to (default 80; anything under 20 is treated as 20). */
  width?: number
  /**
   * 0 no styles (plain text, markers kept: `*bold*`, `` `code` ``), 1 basic 16 colours,
   * 2 256 colours, 3 truecolor. Default: 0 when NO_COLOR is set, else what the terminal supports.
   */
  color?: ColorLevel
  /** The viewer's handle (`ana` or `@ana`): mentions of it stand out from other mentions. */
  me?: string
}

/** The colour level to use when none is given: NO_COLOR (any non-empty value) wins. */
export function defaultColorLevel(): ColorLevel {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  if (env?.NO_COLOR) return 0
  return chalk.level
}

/**
 * Renders a document for a terminal: ANSI styles, wrapped to `width` columns (every line fits
 * when the width leaves room after quote and list indentation), no trailing newline. Control
 * characters in the message are made visible (`^[`), so a message cannot move the cursor, change the
 * title or write to the clipboard of whoever reads it.
 */
export function renderTerminal(doc: RichDoc, options: TerminalRenderOptions = {}): string {
  const style = styles(options.color ?? defaultColorLevel(), options.me?.replace(/^@/, '').toLowerCase())
  const width = Math.max(MIN_WIDTH, Math.floor(options.width ?? 80))
  return blocks(doc.children, width, style, 0, '').join('\n')
}

const MIN_WIDTH = 20
/** Below this many columns, nested quotes and lists stop indenting further. */
const MIN_INNER = 12

interface Styles {
  me: string | undefined
  bold: (s: string) => string
  italic: (s: string) => string
  strike: (s: string) => string
  code: (s: string) => string
  codeBlock: (s: string) => string
  frame: (s: string) => string
  mention: (s: string) => string
  mentionMe: (s: string) => string
  channel: (s: string) => string
  linkLabel: (s: string) => string
  url: (s: string) => string
}

function styles(level: ColorLevel, me: string | undefined): Styles {
  const c: ChalkInstance = new Chalk({ level })
  const plain = level === 0
  // Without colours the markers are the style: they say what the writer meant.
  const marked = (mark: string, styled: (s: string) => string) => (plain ? (s: string) => mark + s + mark : styled)
  return {
    me,
    bold: marked('*', c.bold),
    italic: marked('_', c.italic),
    strike: marked('~', c.strikethrough),
    code: marked('`', c.yellow),
    codeBlock: c.yellow,
    frame: c.gray,
    mention: c.bold.blueBright,
    mentionMe: c.bold.black.bgYellow,
    channel: c.bold.cyan,
    linkLabel: c.underline,
    url: c.gray,
  }
}

// C0 and C1 control characters (but newline) and DEL: a message must not drive the terminal.
// They are shown the way `cat -v` shows them (ESC as `^[`, C1 as `\x9b`): visible, and ASCII,
// which the wrapper measures fast (a 40,000-character message of them stays cheap to render).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g
function visibleControl(ch: string): string {
  const code = ch.charCodeAt(0)
  if (ch === '\t') return '    '
  if (code === 0x7f) return '^?'
  if (code < 0x20) return '^' + String.fromCharCode(code + 0x40)
  return '\\x' + code.toString(16)
}
// A lone surrogate is not a character: terminals and the wrapper would disagree on its width.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g
const safe = (text: string) => text.replace(CONTROL, visibleControl).replace(LONE_SURROGATE, '\uFFFD')

function blocks(nodes: RichBlock[], width: number, s: Styles, depth: number, separator: string | null): string[] {
  const out: string[] = []
  nodes.forEach((node, i) => {
    if (i > 0 && separator !== null) out.push(separator)
    out.push(...block(node, width, s, depth))
  })
  return out
}

function block(node: RichBlock, width: number, s: Styles, depth: number): string[] {
  switch (node.type) {
    case 'paragraph':
      return wrap(inline(node.children, s), width)
    case 'codeBlock': {
      const lines = safe(node.text)
        .split('\n')
        .flatMap((line) => wrapAnsi(line, width - 2, { hard: true, trim: false, wordWrap: false }).split('\n'))
      return [
        // A long language label is cut at the width like everything else.
        s.frame(wrapAnsi('╭─' + (node.lang ? ' ' + safe(node.lang) : ''), width, { hard: true, wordWrap: false }).split('\n')[0]!),
        ...lines.map((line) => s.frame('│ ') + s.codeBlock(line)),
        s.frame('╰─'),
      ]
    }
    case 'quote':
      return indent(node.children, width, s, depth, '│ ', '│ ', '', s.frame)
    case 'list': {
      const last = node.start + node.children.length - 1
      const numberWidth = String(last).length
      const bullet = ['•', '◦', '▪'][depth % 3]!
      return node.children.flatMap((item: RichListItem, i) => {
        const marker = node.ordered ? `${String(node.start + i).padStart(numberWidth)}. ` : `${bullet} `
        return indent(item.children, width, s, depth + 1, marker, ' '.repeat(stringWidth(marker)), null, (p) => p)
      })
    }
    case 'rule':
      return [s.frame('─'.repeat(Math.min(width, 40)))]
  }
}

/** Child blocks behind a prefix (a quote bar, a list marker), in the columns left over. */
function indent(
  children: RichBlock[],
  width: number,
  s: Styles,
  depth: number,
  first: string,
  rest: string,
  separator: string | null,
  paint: (prefix: string) => string,
): string[] {
  const inner = width - stringWidth(first)
  if (inner < MIN_INNER) return blocks(children, width, s, depth, separator)
  const lines = blocks(children, inner, s, depth, separator)
  if (lines.length === 0) lines.push('')
  return lines.map((line, i) => {
    const prefix = i === 0 ? first : rest
    // An empty line behind a quote bar keeps the bar but no trailing space.
    return line ? paint(prefix) + line : paint(prefix.trimEnd())
  })
}

function wrap(text: string, width: number): string[] {
  return wrapAnsi(text, width, { hard: true }).split('\n')
}

function inline(nodes: RichInline[], s: Styles): string {
  let out = ''
  for (const node of nodes) {
    switch (node.type) {
      case 'text':
        out += safe(node.text)
        break
      case 'bold':
        out += s.bold(inline(node.children, s))
        break
      case 'italic':
        out += s.italic(inline(node.children, s))
        break
      case 'strike':
        out += s.strike(inline(node.children, s))
        break
      case 'inlineCode':
        out += s.code(safe(node.text))
        break
      case 'link': {
        const label = inline(node.children, s)
        const url = safe(node.url)
        // A bare address is its own label; a written label is followed by where it goes.
        const sameAsUrl = node.auto || url === label || url === `mailto:${label}` || url === `http://${label}`
        out += sameAsUrl ? s.linkLabel(label) : `${s.linkLabel(label)} ${s.url(`(${url})`)}`
        break
      }
      case 'break':
        out += '\n'
        break
      case 'mention':
        out += (node.handle === s.me ? s.mentionMe : s.mention)(`@${node.handle}`)
        break
      case 'broadcast':
        // @channel and @here reach the viewer too: shown as a mention of them.
        out += s.mentionMe(`@${node.target}`)
        break
      case 'channelLink':
        out += s.channel(`#${node.name}`)
        break
      case 'emoji':
        out += node.emoji
        break
    }
  }
  return out
}
