import t from 'tap'
import { emojiShortcode, resolveEmoji, searchEmoji } from '../src/emoji.js'

t.test('shortcodes and characters resolve to the same emoji', async (t) => {
  t.equal(resolveEmoji(':+1:'), '👍')
  t.equal(resolveEmoji('+1'), '👍')
  t.equal(resolveEmoji(':thumbsup:'), '👍')
  t.equal(resolveEmoji('👍'), '👍')
  t.equal(resolveEmoji(':TADA:'), '🎉')
  t.equal(resolveEmoji('❤'), '❤️', 'a heart without the presentation selector is the same heart')
  t.equal(resolveEmoji('👍🏽'), '👍🏽', 'a skin tone is kept')
})

t.test('what is not an emoji is refused', async (t) => {
  t.equal(resolveEmoji(':no_such_emoji_here:'), null)
  t.equal(resolveEmoji('hello'), null)
  t.equal(resolveEmoji('<script>'), null)
  t.equal(resolveEmoji(''), null)
  t.equal(resolveEmoji('__proto__'), null)
  t.equal(resolveEmoji(':constructor:'), null)
})

t.test('shortcode of a character and completion', async (t) => {
  t.equal(emojiShortcode('🎉'), 'tada')
  t.equal(emojiShortcode('x'), null)
  const matches = searchEmoji(':tad')
  t.equal(matches[0]?.shortcode, 'tada')
  t.ok(searchEmoji('smile', 5).length <= 5)
  t.same(searchEmoji(''), [])
})
