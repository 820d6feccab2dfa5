import t from 'tap'
import { extractChannelLinks, extractLinks, extractMentions, hasLink, parseRichText, plainText, visitInlines } from '../src/index.js'

const doc = parseRichText

t.test('extractMentions: unique lowercased handles in order, and the broadcast flags', async (t) => {
  t.same(extractMentions(doc('@Bob and @ana, then @bob again. *@carl* > @dan')), {
    handles: ['bob', 'ana', 'carl', 'dan'],
    channel: false,
    here: false,
  })
  t.same(extractMentions(doc('@here')), { handles: [], channel: false, here: true })
  t.same(extractMentions(doc('> @channel\n\n- @eve')), { handles: ['eve'], channel: true, here: false }, 'found in quotes and lists')
  t.same(extractMentions(doc('nobody')), { handles: [], channel: false, here: false })
})

t.test('mentions inside code, code blocks, link labels and addresses do not notify', async (t) => {
  const text = '`@ana` [@bob](https://x.io) https://x.io/@carl mail@dan.org\n```\n@here @channel\n```'
  t.same(extractMentions(doc(text)), { handles: [], channel: false, here: false })
})

t.test('extractChannelLinks: unique lowercased names, not in code', async (t) => {
  t.same(extractChannelLinks(doc('#General, #random and #general; `#secret` #42')), ['general', 'random'])
})

t.test('extractLinks: normalised URLs, unique, in order; hasLink agrees', async (t) => {
  const text = 'see [docs](https://example.com/d) and https://example.com/d, www.example.org. `https://code.example`'
  t.same(extractLinks(doc(text)), ['https://example.com/d', 'http://www.example.org'])
  t.equal(hasLink(text), true)
  t.equal(hasLink(doc(text)), true, 'takes a parsed document too')
  t.equal(hasLink('no links in readme.md or `https://x.io` here'), false)
  t.equal(hasLink('```\nhttps://example.com\n```'), false, 'a URL inside a code block is not a link')
  t.equal(hasLink('![img](https://example.com/i.png)'), true, 'an image counts as a link')
})

t.test('plainText drops markup and keeps what was said', async (t) => {
  t.equal(plainText(doc('*Deploy* is _done_ ~maybe~: `v1.2` by @Ana in #Ops :tada:')), 'Deploy is done maybe: v1.2 by @ana in #ops 🎉')
  t.equal(plainText(doc('[the docs](https://x.io) and https://y.io')), 'the docs and https://y.io', 'a link is its label')
  t.equal(plainText(doc('line one\nline two\n\nnext paragraph')), 'line one\nline two\n\nnext paragraph')
  t.equal(plainText(doc('> quoted\n\n- a\n- b\n\n3. c\n\n```\ncode *x*\n```')), '> quoted\n\n- a\n- b\n\n3. c\n\ncode *x*')
  t.equal(plainText(doc('<b>not html</b>')), '<b>not html</b>')
  t.equal(plainText(doc('')), '')
})

t.test('visitInlines walks every inline node in reading order', async (t) => {
  const seen: string[] = []
  visitInlines(doc('a *b [c](https://x.io)*\n\n> - d'), (node) => seen.push(node.type))
  t.same(seen, ['text', 'bold', 'text', 'link', 'text', 'text'])
})
