import t from 'tap'
import { parseRichText, type RichBlock, type RichInline } from '../src/index.js'

/** The inline nodes of a one-paragraph message. */
function inline(text: string): RichInline[] {
  const doc = parseRichText(text)
  const first = doc.children[0]
  if (doc.children.length !== 1 || first?.type !== 'paragraph') throw new Error(`not one paragraph: ${JSON.stringify(doc)}`)
  return first.children
}
const blocks = (text: string): RichBlock[] => parseRichText(text).children
const txt = (text: string): RichInline => ({ type: 'text', text })

t.test('emphasis follows chat conventions: *bold*, _italic_, ~strike~, and markdown doubles', async (t) => {
  t.same(inline('*bold*'), [{ type: 'bold', children: [txt('bold')] }], 'single star is bold, as in Slack')
  t.same(inline('**bold**'), [{ type: 'bold', children: [txt('bold')] }])
  t.same(inline('__bold__'), [{ type: 'bold', children: [txt('bold')] }])
  t.same(inline('_italic_'), [{ type: 'italic', children: [txt('italic')] }])
  t.same(inline('~strike~'), [{ type: 'strike', children: [txt('strike')] }], 'single tilde strikes, as in Slack')
  t.same(inline('~~strike~~'), [{ type: 'strike', children: [txt('strike')] }])
  t.same(inline('***both***'), [{ type: 'bold', children: [txt('both')] }], 'bold inside bold collapses')
  t.same(inline('*_both_*'), [{ type: 'bold', children: [{ type: 'italic', children: [txt('both')] }] }])
  t.same(inline('snake_case_name'), [txt('snake_case_name')], 'underscores inside a word are not italics')
  t.same(inline('2 * 3 * 4'), [txt('2 * 3 * 4')], 'spaced stars are arithmetic, not bold')
  t.same(inline('~ 5 min'), [txt('~ 5 min')])
})

t.test('inline code and code blocks are verbatim', async (t) => {
  t.same(inline('run `npm test` now'), [txt('run '), { type: 'inlineCode', text: 'npm test' }, txt(' now')])
  t.same(blocks('```ts\nconst a = *b*\n\n@ana\n```'), [{ type: 'codeBlock', lang: 'ts', text: 'const a = *b*\n\n@ana' }])
  t.same(blocks('```\nplain\n```'), [{ type: 'codeBlock', lang: null, text: 'plain' }])
  t.same(blocks('```js title="x"\n1\n```'), [{ type: 'codeBlock', lang: 'js', text: '1' }], 'lang is the first word of the info string')
  t.same(blocks('```\nnever closed'), [{ type: 'codeBlock', lang: null, text: 'never closed' }], 'an unclosed fence runs to the end')
  t.same(blocks('    four spaces'), [{ type: 'paragraph', children: [txt('four spaces')] }], 'indentation alone does not make code')
})

t.test('a quote ends at the first line without >, as chat people expect', async (t) => {
  t.same(blocks('> quoted\nmy answer'), [
    { type: 'quote', children: [{ type: 'paragraph', children: [txt('quoted')] }] },
    { type: 'paragraph', children: [txt('my answer')] },
  ])
  const two = blocks('> one\n> two\nthree')
  t.same(two.map((b) => b.type), ['quote', 'paragraph'], 'every > line in the quote, the next line after it')
  t.same(two[1], { type: 'paragraph', children: [txt('three')] })
})

t.test('quotes, lists and rules nest', async (t) => {
  t.same(blocks('> one\n> > two'), [
    { type: 'quote', children: [{ type: 'paragraph', children: [txt('one')] }, { type: 'quote', children: [{ type: 'paragraph', children: [txt('two')] }] }] },
  ])
  t.same(blocks('- a\n- b\n  1. c'), [
    {
      type: 'list',
      ordered: false,
      start: 1,
      children: [
        { type: 'listItem', children: [{ type: 'paragraph', children: [txt('a')] }] },
        {
          type: 'listItem',
          children: [
            { type: 'paragraph', children: [txt('b')] },
            { type: 'list', ordered: true, start: 1, children: [{ type: 'listItem', children: [{ type: 'paragraph', children: [txt('c')] }] }] },
          ],
        },
      ],
    },
  ])
  t.match(blocks('3. three\n4. four'), [{ type: 'list', ordered: true, start: 3 }], 'an ordered list keeps its first number')
  t.same(blocks('above\n\n---\n\nbelow').map((b) => b.type), ['paragraph', 'rule', 'paragraph'])
  t.same(blocks('text\n---').map((b) => b.type), ['paragraph', 'rule'], 'no setext heading: a line of dashes is a rule')
})

t.test('newlines are kept as typed: a newline is a break, a blank line a new paragraph', async (t) => {
  t.same(inline('one\ntwo'), [txt('one'), { type: 'break' }, txt('two')])
  t.same(inline('one  \ntwo'), [txt('one'), { type: 'break' }, txt('two')])
  t.same(blocks('one\n\ntwo').map((b) => b.type), ['paragraph', 'paragraph'])
})

t.test('links: written, with a scheme, or www.; bare domains and e-mail addresses stay text', async (t) => {
  t.same(inline('[the docs](https://example.com/docs)'), [
    { type: 'link', url: 'https://example.com/docs', auto: false, children: [txt('the docs')] },
  ])
  t.same(inline('see https://example.com/x?y=1.'), [
    txt('see '),
    { type: 'link', url: 'https://example.com/x?y=1', auto: true, children: [txt('https://example.com/x?y=1')] },
    txt('.'),
  ], 'a sentence-ending dot is not part of the address')
  t.same(inline('<https://example.com>'), [{ type: 'link', url: 'https://example.com', auto: true, children: [txt('https://example.com')] }])
  t.same(inline('(www.example.com/a_(b))'), [
    txt('('),
    { type: 'link', url: 'http://www.example.com/a_(b)', auto: true, children: [txt('www.example.com/a_(b)')] },
    txt(')'),
  ], 'www. links, balanced parentheses kept, the unbalanced one left out')
  t.same(inline('readme.md, example.com, ana@example.com'), [txt('readme.md, example.com, ana@example.com')])
  t.same(inline('[x](javascript:alert(1))'), [txt('[x](javascript:alert(1))')], 'a script address is not a link')
  t.same(inline('https://example.com/ünï cödé'), [
    { type: 'link', url: 'https://example.com/%C3%BCn%C3%AF', auto: true, children: [txt('https://example.com/ünï')] },
    txt(' cödé'),
  ], 'the stored address is percent-encoded')
})

t.test('degradation: headings bold, images as links, raw HTML and tables as text, references visible', async (t) => {
  t.same(blocks('# Release *notes*'), [{ type: 'paragraph', children: [{ type: 'bold', children: [txt('Release notes')] }] }])
  t.same(inline('![a cat](https://example.com/cat.png)'), [
    { type: 'link', url: 'https://example.com/cat.png', auto: false, children: [txt('a cat')] },
  ], 'an image is a link to it, never embedded')
  t.same(inline('<b>hi</b> <script>alert(1)</script>'), [txt('<b>hi</b> <script>alert(1)</script>')])
  t.same(blocks('<div>\nblock\n</div>'), [{ type: 'paragraph', children: [txt('<div>'), { type: 'break' }, txt('block'), { type: 'break' }, txt('</div>')] }])
  t.same(blocks('| a | b |\n|---|---|\n| 1 | 2 |'), [
    { type: 'paragraph', children: [txt('| a | b |'), { type: 'break' }, txt('|---|---|'), { type: 'break' }, txt('| 1 | 2 |')] },
  ])
  t.same(blocks('[1]: https://example.com'), [
    { type: 'paragraph', children: [txt('[1]: '), { type: 'link', url: 'https://example.com', auto: true, children: [txt('https://example.com')] }] },
  ], 'a reference definition is not swallowed')
  t.same(inline('&amp; &copy;'), [txt('& ©')], 'entities are decoded to text')
})

t.test('mentions: @handle lowercased, @channel and @here; not in e-mail-like or path-like text', async (t) => {
  t.same(inline('hi @Ana.Lee-2!'), [txt('hi '), { type: 'mention', handle: 'ana.lee-2' }, txt('!')])
  t.same(inline('thanks @ana.'), [txt('thanks '), { type: 'mention', handle: 'ana' }, txt('.')], 'a sentence-ending dot is not part of the handle')
  t.same(inline('@channel @HERE'), [{ type: 'broadcast', target: 'channel' }, txt(' '), { type: 'broadcast', target: 'here' }])
  t.same(inline('@channels'), [{ type: 'mention', handle: 'channels' }], 'only the exact words broadcast')
  t.same(inline('ana@example.com a/@b @'), [txt('ana@example.com a/@b @')])
  t.same(inline(`@${'a'.repeat(33)}`), [txt(`@${'a'.repeat(33)}`)], 'longer than a handle: text, not a truncated mention')
  t.same(inline(`@${'a'.repeat(32)}`), [{ type: 'mention', handle: 'a'.repeat(32) }])
  t.same(inline('*@ana*'), [{ type: 'bold', children: [{ type: 'mention', handle: 'ana' }] }], 'inside emphasis they count')
  t.same(inline('\\@here'), [txt('@here')], 'a backslash escapes a mention')
})

t.test('mentions, channels and emoji are not found inside code, code blocks or link addresses', async (t) => {
  t.same(inline('`@ana #general :tada:`'), [{ type: 'inlineCode', text: '@ana #general :tada:' }])
  t.same(blocks('```\n@here #general :tada:\n```'), [{ type: 'codeBlock', lang: null, text: '@here #general :tada:' }])
  t.same(inline('https://example.com/@ana#general:tada:'), [
    { type: 'link', url: 'https://example.com/@ana#general:tada:', auto: true, children: [txt('https://example.com/@ana#general:tada:')] },
  ])
  t.same(inline('www.example.com/@ana/#general'), [
    { type: 'link', url: 'http://www.example.com/@ana/#general', auto: true, children: [txt('www.example.com/@ana/#general')] },
  ])
  t.same(inline('[ask @ana in #general](https://example.com)'), [
    { type: 'link', url: 'https://example.com', auto: false, children: [txt('ask @ana in #general')] },
  ], 'nor in a link label: a link is one thing')
})

t.test('channel links: #name lowercased; numbers and glued text are not channels', async (t) => {
  t.same(inline('see #General and #dev-ops_2'), [txt('see '), { type: 'channelLink', name: 'general' }, txt(' and '), { type: 'channelLink', name: 'dev-ops_2' }])
  t.same(inline('fixed in #42, a#b, &#35;x'), [txt('fixed in #42, a#b, #x')])
  t.same(inline('#channel'), [{ type: 'channelLink', name: 'channel' }])
  t.same(inline(`#${'c'.repeat(81)}`), [txt(`#${'c'.repeat(81)}`)], 'longer than a channel name: text')
})

t.test('emoji: known shortcodes become emoji, unknown ones and times stay text', async (t) => {
  t.same(inline(':tada: :+1::THUMBSUP:'), [
    { type: 'emoji', shortcode: 'tada', emoji: '🎉' },
    txt(' '),
    { type: 'emoji', shortcode: '+1', emoji: '👍' },
    { type: 'emoji', shortcode: 'thumbsup', emoji: '👍' },
  ])
  t.same(inline(':no_such_emoji: at 10:30:00 and a:b:c'), [txt(':no_such_emoji: at 10:30:00 and a:b:c')])
  t.same(inline(':constructor: :hasOwnProperty:'), [txt(':constructor: :hasOwnProperty:')])
})

t.test('the tree is plain JSON: it survives serialisation unchanged', async (t) => {
  const doc = parseRichText('# Hi @ana\n\n> *quote* with [link](https://x.io) :tada: #general\n\n1. `a`\n2. ~b~\n\n```sh\nls\n```\n---')
  t.same(JSON.parse(JSON.stringify(doc)), doc)
  t.equal(JSON.stringify(doc).includes('"map"'), false, 'no library fields (positions, tokens) leak')
})

t.test('nesting deeper than the cap is cut, not a crash', async (t) => {
  const doc = parseRichText(`${'>'.repeat(5000)} deep`)
  let depth = 0
  let node: RichBlock | undefined = doc.children[0]
  while (node?.type === 'quote') {
    depth++
    node = node.children[0]
  }
  t.ok(depth > 10 && depth <= 40, `quote depth ${depth} is bounded`)
})
