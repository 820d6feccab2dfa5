import fc from 'fast-check'
import stringWidth from 'string-width'
import t from 'tap'
import { stripVTControlCharacters as strip } from 'node:util'
import {
  extractChannelLinks,
  extractLinks,
  extractMentions,
  limits,
  parseRichText,
  plainText,
  renderHtml,
  renderTerminal,
  type RichDoc,
} from '../src/index.js'
import { parseMarkup } from '../src/rich-text/parse.js'
import { htmlProblems } from './helpers/safe-html.js'

// Property tests of the rich text pipeline. Each property runs a few hundred generated inputs:
// enough to find the classic failures (a throw, an escape, a lost character) in seconds.

/** Every UTF-16 code unit, lone surrogates and control characters included. */
const anyCodeUnits = fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)), maxLength: 200 })
const anyUnicode = fc.string({ unit: 'binary', maxLength: 200 })

/** Pieces of markup and chat syntax, glued at random: what breaks a parser. */
const markupPiece = fc.constantFrom(
  '*', '**', '_', '__', '~', '~~', '`', '```', '```js\n', '>', '> ', '- ', '* ', '1. ', '12) ', '#', '# ', '[', ']', '(', ')', '](', '![',
  '<', '>', '</', '&', '&amp;', '&#0;', '&#x110000;', '\\', '\n', '\n\n', ' ', '  \n', '    ', '\t', '|', '---', '===', ':', '@', '@here',
  '@channel', '@ana', '@Ana.', ':tada:', ':+1:', ':nope:', '#general', '#42', 'http://', 'https://x.io/', 'www.', 'www.x.io', 'mailto:',
  'a@b.co', '.', ',', '!', '?', '"', "'", 'a', 'Z', '9', 'é', '日本', '😀', '\u200d', '\u202e', '\u0000', '\u001b[31m', '\u0085', '\ud800',
)
const markup = fc.array(markupPiece, { maxLength: 120 }).map((parts) => parts.join(''))

/** Constructs repeated to depth: nesting is where recursive code dies. */
const deep = fc
  .tuple(fc.constantFrom('>', '> ', '- ', '* ', '1. ', '*', '_', '~', '[', '(', '`', '> - ', '**a', '[a](', '![', '<', '\\', '\n'), fc.integer({ min: 1, max: 2000 }), fc.string({ maxLength: 10 }))
  .map(([unit, n, tail]) => unit.repeat(n) + tail)

/** Everything a renderer or helper does with a document; none of it may throw. */
function useEverything(doc: RichDoc, width: number) {
  renderTerminal(doc, { width, color: 3, me: 'ana' })
  renderTerminal(doc, { width, color: 0 })
  renderHtml(doc, { me: 'ana' })
  plainText(doc)
  extractMentions(doc)
  extractChannelLinks(doc)
  extractLinks(doc)
  JSON.stringify(doc)
}

t.test('parsing and rendering never throw, whatever the input', async (t) => {
  for (const [name, arbitrary] of [
    ['any code units', anyCodeUnits],
    ['any unicode', anyUnicode],
    ['markup soup', markup],
    ['deep nesting', deep],
  ] as const) {
    fc.assert(
      fc.property(arbitrary, fc.integer({ min: 1, max: 200 }), (text, width) => {
        useEverything(parseRichText(text), width)
      }),
      { numRuns: name === 'deep nesting' ? 30 : 200 },
    )
    t.pass(name)
  }
})

t.test('messages at the length limit parse and render', async (t) => {
  const fill = (unit: string) => unit.repeat(Math.ceil(limits.messageText / unit.length)).slice(0, limits.messageText)
  // (Rendered once, in colour: wrapping long non-ASCII runs is slow in the wrapping library, see
  // docs/rich-text.md; the \u0001 run stays ASCII once made visible, so it is fast.)
  for (const unit of ['*', '_a', '`a', '~a', '[', '[a](', '>', '- ', '@', ':', '#a ', 'a\n', '<a ', '&amp;', 'www.', 'http://a.b/', '> - *_~', '\u0001\u001b']) {
    const text = fill(unit)
    const doc = parseRichText(text)
    renderTerminal(doc, { width: 80, color: 3, me: 'ana' })
    renderHtml(doc)
    plainText(doc)
    extractMentions(doc)
    t.pass(`${JSON.stringify(unit)} x ${text.length}`)
  }
})

/** Words made only of characters that are never markup, in lines and paragraphs. */
const plainWord = fc.string({
  unit: fc.constantFrom(...'abcxyzABCXYZ0189éßøДжя日本語中文😀👍🏽,;?\'"%$£€/'.match(/./gu)!),
  minLength: 1,
  maxLength: 12,
})
const plainLine = fc.array(plainWord, { minLength: 1, maxLength: 10 }).map((words) => words.join(' '))
const plainParagraph = fc.array(plainLine, { minLength: 1, maxLength: 4 }).map((lines) => lines.join('\n'))
const plainMessage = fc.array(plainParagraph, { minLength: 1, maxLength: 4 }).map((paragraphs) => paragraphs.join('\n\n'))

t.test('text without markup survives a round trip: plainText(parse(text)) === text', async (t) => {
  fc.assert(
    fc.property(plainMessage, (text) => plainText(parseRichText(text)) === text),
    { numRuns: 300 },
  )
  t.pass('300 messages')
})

/** Text built to attack the HTML renderer. */
const hostilePiece = fc.constantFrom(
  '<script>', '</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">', 'javascript:', 'JaVaScRiPt:', 'java\tscript:',
  'vbscript:', 'data:text/html,<b>', '&#106;avascript:', '%6A', '"', "'", '`', '<', '>', '&', '[x](', '](', ')', '[', ']', '![x](',
  '<javascript:alert(1)>', '<https://x.io/"onclick="a>', 'https://x.io/', 'www.x.io/', '" onmouseover="', ' onload=', '\n', ' ', '*', '_',
  '```', '@ana', '#general', ':tada:', '<!--', '-->', '<![CDATA[', '<svg/onload=alert(1)>', '\u0000', '\u2028',
)
const hostile = fc.array(hostilePiece, { maxLength: 60 }).map((parts) => parts.join(''))

t.test('the HTML renderer never emits a script, an event handler or a script address', async (t) => {
  for (const [name, arbitrary] of [
    ['hostile pieces', hostile],
    ['markup soup', markup],
    ['any unicode', anyUnicode],
  ] as const) {
    fc.assert(
      fc.property(arbitrary, (text) => {
        const problems = htmlProblems(renderHtml(parseRichText(text)))
        if (problems.length) throw new Error(`${JSON.stringify(text)}: ${problems.join('; ')}`)
      }),
      { numRuns: 250 },
    )
    t.pass(name)
  }
})

t.test('terminal output carries no control characters but its own styles', async (t) => {
  fc.assert(
    fc.property(fc.oneof(anyCodeUnits, markup), fc.integer({ min: 20, max: 120 }), (text, width) => {
      const out = strip(renderTerminal(parseRichText(text), { width, color: 3 }))
      // eslint-disable-next-line no-control-regex
      return !/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/.test(out)
    }),
    { numRuns: 250 },
  )
  t.pass('no stray control characters')
})

t.test('terminal lines fit the width', async (t) => {
  fc.assert(
    fc.property(markup, fc.integer({ min: 20, max: 120 }), (text, width) => {
      const lines = renderTerminal(parseRichText(text), { width, color: 1 }).split('\n')
      const widest = Math.max(...lines.map((line) => stringWidth(line)))
      if (widest > width) throw new Error(`${JSON.stringify(text)} at ${width}: a line of ${widest}`)
    }),
    { numRuns: 200 },
  )
  t.pass('every line fits')
})

t.test('plain words are parsed as markdown-it parses them, without asking it', async (t) => {
  // Words with and without what the shortcut refuses: markup, links, chat tokens, odd spacing.
  const piece = fc.constantFrom('a', 'Z', '9', 'deploy', ',', '?', "'", ' ', '  ', '\n', '\t', '.', ':', '@', '#', '*', '_', '~', '`', '-', '1.', '12)', '>', '<', '&', '[', ']', '!', 'www.', 'http://', ':tada:', '@ana', '#ops', 'é')
  const same = (text: string) => JSON.stringify(parseRichText(text)) === JSON.stringify(parseMarkup(text))
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 30 }).map((parts) => parts.join('')), same),
    { numRuns: 2000 },
  )
  t.pass('2000 texts')
})

t.test('a long message parses quickly', async (t) => {
  const sentence = 'Morning @ana, the *deploy* of `api` is done: see https://example.com/runs/42 and #ops :tada:\n'
  const text = sentence.repeat(Math.ceil(limits.messageText / sentence.length)).slice(0, limits.messageText)
  parseRichText(text) // warm up
  let best = Infinity
  for (let i = 0; i < 3; i++) {
    const start = performance.now()
    parseRichText(text)
    best = Math.min(best, performance.now() - start)
  }
  t.comment(`40,000 characters parsed in ${best.toFixed(1)} ms`)
  // A generous bound (the test machine is shared): it catches super-linear behaviour, which
  // would take seconds at this size, not a slow minute. bench/rich-text.ts prints real numbers.
  t.ok(best < 1000, `${best.toFixed(1)} ms < 1000 ms`)
})
