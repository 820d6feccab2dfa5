import stringWidth from 'string-width'
import t from 'tap'
import { stripVTControlCharacters as strip } from 'node:util'
import { defaultColorLevel, parseRichText, renderTerminal } from '../src/index.js'

const render = (text: string, options: Parameters<typeof renderTerminal>[1] = {}) => renderTerminal(parseRichText(text), { width: 80, color: 1, ...options })
const ESC = '\u001b'

t.test('without colour there are no escape codes, and markers carry the style', async (t) => {
  const out = render('*bold* _it_ ~gone~ `code` @ana #general', { color: 0 })
  t.equal(out, '*bold* _it_ ~gone~ `code` @ana #general')
})

t.test('with colour, styles are ANSI and the text is unchanged', async (t) => {
  const out = render('*bold* _it_ ~gone~ `code`')
  t.match(out, `${ESC}[1mbold`)
  t.match(out, `${ESC}[3mit`)
  t.match(out, `${ESC}[9mgone`)
  t.equal(strip(out), 'bold it gone code')
})

t.test('NO_COLOR turns colour off by default', async (t) => {
  const saved = process.env.NO_COLOR
  t.teardown(() => {
    if (saved === undefined) delete process.env.NO_COLOR
    else process.env.NO_COLOR = saved
  })
  process.env.NO_COLOR = '1'
  t.equal(defaultColorLevel(), 0)
  t.notMatch(renderTerminal(parseRichText('*x* @ana')), ESC)
})

t.test("mentions are highlighted; the viewer's own handle and broadcasts differently", async (t) => {
  const out = render('@bob @ana @here', { me: 'Ana' })
  const [bob, ana, here] = out.split(' ')
  t.not(bob, '@bob', 'another person is styled')
  t.not(ana!.replace('@ana', '@bob'), bob, 'me is styled differently from another person')
  t.equal(here!.replace('@here', '@ana'), ana, '@here reaches me: styled like my own handle')
  t.not(render('#general'), '#general', 'a channel link is styled')
})

t.test('links show their text and where they go', async (t) => {
  t.equal(strip(render('[the docs](https://example.com/docs) and https://x.io')), 'the docs (https://example.com/docs) and https://x.io')
})

t.test('lines wrap to the width, inside quotes and lists too', async (t) => {
  const words = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ')
  const text = `${words}\n\n> ${words}\n\n- ${words}\n  1. ${words}\n\n\`\`\`\n${'x'.repeat(200)}\n\`\`\`\n\nhttps://example.com/${'p'.repeat(150)}`
  for (const width of [20, 33, 80]) {
    const lines = render(text, { width }).split('\n')
    const widest = Math.max(...lines.map((line) => stringWidth(line)))
    t.ok(widest <= width, `widest line ${widest} <= ${width}`)
    t.ok(lines.length > 10, 'it did wrap')
  }
  const wide = render('日本語のテキスト '.repeat(20), { width: 21 }).split('\n')
  t.ok(wide.every((line) => stringWidth(line) <= 21), 'double-width characters are measured as two columns')
})

t.test('quotes have a bar, lists bullets or numbers, code blocks a frame', async (t) => {
  t.equal(strip(render('> quoted\n> > deeper')), '│ quoted\n│\n│ │ deeper')
  t.equal(strip(render('- a\n- b\n  - c\n\n9. x\n10. y')), '• a\n• b\n  ◦ c\n\n 9. x\n10. y')
  t.equal(strip(render('```sh\nls -l\n\techo\n```')), '╭─ sh\n│ ls -l\n│     echo\n╰─')
  t.equal(strip(render('before\n\n---\n\nafter', { width: 30 })), `before\n\n${'─'.repeat(30)}\n\nafter`)
})

t.test('control characters in a message cannot drive the terminal', async (t) => {
  const out = render('hi \u001b]52;c;ZXZpbA==\u0007 \u001b[2J \u009b31m `\u001b[31m`', { color: 0 })
  // eslint-disable-next-line no-control-regex
  t.notMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no control characters survive')
  t.match(out, '^[]52;c;ZXZpbA==^G', 'they are shown as cat -v shows them')
  t.match(out, '\\x9b31m')
  t.equal(render('a \ud800 b', { color: 0 }), 'a \uFFFD b', 'a lone surrogate becomes the replacement character')
})

t.test('a code block label longer than the width is cut to it', async (t) => {
  const lines = render('```www.x.ioa@b.cohttp://', { width: 20 }).split('\n')
  t.equal(lines.length, 3)
  for (const line of lines) t.ok(stringWidth(line) <= 20, `${JSON.stringify(line)} fits`)
})
