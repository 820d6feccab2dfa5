import t from 'tap'
import { findMentions as find } from '../src/attention/mentions.js'

/** The mentions alone (the prose is pinned below). */
const findMentions = (text: string) => {
  const { prose: _prose, ...mentions } = find(text)
  return mentions
}

t.test('mentions in text, not in code', async (t) => {
  t.same(findMentions('hi @bob and @Carol.'), { handles: ['bob', 'carol'], channel: false, here: false })
  t.same(findMentions('@channel lunch! @here too'), { handles: [], channel: true, here: true })
  t.same(findMentions('@everyone listen'), { handles: [], channel: true, here: false }, '@everyone is @channel')
  t.same(findMentions('mail bob@example.com or see a/@bob'), { handles: [], channel: false, here: false }, 'emails and paths are not mentions')
  t.same(findMentions('`@bob` and ``code @carol``'), { handles: [], channel: false, here: false }, 'inline code')
  t.same(findMentions('```\n@bob @channel\n```\nthen @dave'), { handles: ['dave'], channel: false, here: false }, 'fenced block')
  t.same(findMentions('~~~js\n@here\n~~~'), { handles: [], channel: false, here: false }, 'tilde fence')
  t.same(findMentions('```\nunclosed @bob'), { handles: [], channel: false, here: false }, 'an unclosed fence runs to the end')
  t.same(findMentions('@bob @bob @BOB'), { handles: ['bob'], channel: false, here: false }, 'each handle once')
  t.same(findMentions('(@a.b-c_d), @x.'), { handles: ['a.b-c_d', 'x'], channel: false, here: false }, 'handle punctuation, trailing dot dropped')
  t.same(findMentions('@@bob'), { handles: [], channel: false, here: false })
  t.same(findMentions('&#64;bob &commat;here'), { handles: [], channel: false, here: false }, 'an entity is text, not a mention (no @, no parse)')
  t.equal(find('&#64;bob likes deploys').prose, '@bob likes deploys', 'the prose still comes from the parse when a keyword asks')
})

t.test('keywords are matched in the prose of the same parse: code and code blocks left out, words kept apart', async (t) => {
  t.equal(find('deploy `deploy now` then *ship* it').prose, 'deploy   then ship it')
  t.equal(find('```\ndeploy\n```\nafter').prose, '\n\nafter', 'a fenced block is left out')
  t.equal(find('a`x`b').prose, 'a b', 'inline code keeps the words on either side apart')
  t.equal(find('see [the deploy](https://example.com/x) @bob #ops').prose, 'see the deploy @bob #ops', 'link labels, mentions and channels as written')
  t.equal(find('> quoted deploy').prose, '> quoted deploy')
})
