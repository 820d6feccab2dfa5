import t from 'tap'
import { escapeHtml, parseRichText, renderHtml, safeHref, type RichDoc } from '../src/index.js'
import { htmlProblems } from './helpers/safe-html.js'

const html = (text: string, me?: string) => renderHtml(parseRichText(text), me ? { me } : {})

t.test('markup becomes a fixed set of tags', async (t) => {
  t.equal(html('*b* _i_ ~s~ `c`\nnext'), '<p><strong>b</strong> <em>i</em> <del>s</del> <code>c</code><br>next</p>')
  t.equal(html('> q\n\n- a\n\n3. b\n\n---'), '<blockquote><p>q</p></blockquote><ul><li><p>a</p></li></ul><ol start="3"><li><p>b</p></li></ol><hr>')
  t.equal(html('```ts\nif (a < b) {}\n```'), '<pre><code class="language-ts">if (a &lt; b) {}</code></pre>')
})

t.test('raw HTML in a message is shown as text, never parsed', async (t) => {
  t.equal(html('<script>alert(1)</script> <img src=x onerror=alert(1)>'), '<p>&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt;</p>')
  t.equal(html('&lt;b&gt; "quotes" \'too\''), '<p>&lt;b&gt; &quot;quotes&quot; &#39;too&#39;</p>', 'decoded entities are escaped again')
})

t.test('links open safely, only to http, https and mailto', async (t) => {
  t.equal(
    html('[docs](https://example.com/a?b=1&c="2")'),
    '<p><a href="https://example.com/a?b=1&amp;c=%222%22" rel="noopener noreferrer nofollow" target="_blank">docs</a></p>',
  )
  t.equal(html('<mailto:ana@example.com>'), '<p><a href="mailto:ana@example.com" rel="noopener noreferrer nofollow" target="_blank">mailto:ana@example.com</a></p>')
  t.equal(html('[files](ftp://example.com/f)'), '<p>files (ftp://example.com/f)</p>', 'another scheme: text with its address, no link')
  t.equal(html('[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](data:text/html,<b>)'), '<p>[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](data:text/html,&lt;b&gt;)</p>')
  t.equal(safeHref('java\tscript:alert(1)'), null)
  t.equal(safeHref('/relative'), null)
  t.equal(safeHref('HTTPS://Example.com'), 'https://example.com/')
})

t.test('mentions, channels and emoji are spans with classes', async (t) => {
  t.equal(
    html('@ana @bob @here #general :tada:', 'ana'),
    '<p><span class="oc-mention oc-mention-me" data-handle="ana">@ana</span> <span class="oc-mention" data-handle="bob">@bob</span> ' +
      '<span class="oc-mention oc-broadcast" data-broadcast="here">@here</span> <span class="oc-channel" data-channel="general">#general</span> ' +
      '<span class="oc-emoji" role="img" aria-label="tada" title=":tada:">🎉</span></p>',
  )
  t.match(html('@ana', '@Ana'), 'oc-mention-me', 'me may be given with its @ and in any case')
})

t.test('a hostile document (not from the parser, e.g. received as JSON) cannot inject either', async (t) => {
  const doc = {
    type: 'doc',
    children: [
      { type: 'codeBlock', lang: '"><script>x</script>', text: '</code><script>' },
      { type: 'list', ordered: true, start: '1" onclick="x', children: [] },
      {
        type: 'paragraph',
        children: [
          { type: 'mention', handle: '"><img src=x onerror=alert(1)>' },
          { type: 'channelLink', name: '<x>' },
          { type: 'broadcast', target: '"><script>' },
          { type: 'emoji', shortcode: '" onmouseover="x', emoji: '<svg onload=x>' },
          { type: 'link', url: 'javascript:alert(1)', auto: false, children: [{ type: 'text', text: '<i>' }] },
          { type: 'link', url: 'https://x.io/"onmouseover="x', auto: true, children: [] },
          { type: 'unknown', text: '<script>' },
        ],
      },
      { type: 'mystery', html: '<script>' },
    ],
  } as unknown as RichDoc
  const out = renderHtml(doc)
  t.same(htmlProblems(out), [], out)
})

t.test('escapeHtml escapes the five characters that matter', async (t) => {
  t.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;')
})

t.test('the safety checker itself catches what it must', async (t) => {
  t.not(htmlProblems('<p onclick="x">').length, 0)
  t.not(htmlProblems('<script>').length, 0)
  t.not(htmlProblems('<a href="javascript:x" rel="noopener noreferrer nofollow" target="_blank">').length, 0)
  t.not(htmlProblems('<a href="https://x">').length, 0)
  t.not(htmlProblems('<img src=x>').length, 0)
  t.not(htmlProblems('a > b').length, 0)
  t.same(htmlProblems('<p>ok &lt;b&gt;</p>'), [])
})
