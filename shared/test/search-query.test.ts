import t from 'tap'
import fc from 'fast-check'
import {
  dayRange,
  highlightText,
  matchesQuery,
  OCommsError,
  parseSearchQuery,
  printSearchQuery,
  renderSnippet,
  searchLocally,
  snippetMarks,
  type SearchableMessage,
} from '../src/index.js'

const parse = (q: string) => parseSearchQuery(q, { today: '2024-03-01' })

t.test('every operator parses into the typed query', async (t) => {
  const q = parse(
    'Deploy meetings "release notes" -flaky -"not now" from:@Alice from:me in:#general in:@bob in:@carol,@bob ' +
      'has:link has:file has:reaction has:pin is:thread before:2024-02-10 after:2023-12-31 on:2024-01-15 during:2024-01 during:2024',
  )
  t.same(q, {
    words: ['Deploy', 'meetings'],
    phrases: ['release notes'],
    excludedWords: ['flaky'],
    excludedPhrases: ['not now'],
    from: [{ kind: 'handle', handle: 'alice' }, { kind: 'me' }],
    in: [{ kind: 'channel', name: 'general' }, { kind: 'dm', handles: ['bob'] }, { kind: 'dm', handles: ['bob', 'carol'] }],
    has: ['link', 'file', 'reaction', 'pin'],
    isThread: true,
    dates: [
      { op: 'before', value: '2024-02-10' },
      { op: 'after', value: '2023-12-31' },
      { op: 'on', value: '2024-01-15' },
      { op: 'during', value: '2024-01' },
      { op: 'during', value: '2024' },
    ],
  })
  t.same(parse('in:general from:bob').in, [{ kind: 'channel', name: 'general' }], '# and @ are optional where unambiguous')
  t.same(parse('from:bob').from, [{ kind: 'handle', handle: 'bob' }])
  t.same(parse('on:today before:yesterday during:today').dates, [
    { op: 'on', value: '2024-03-01' },
    { op: 'before', value: '2024-02-29' },
    { op: 'during', value: '2024-03-01' },
  ])
  t.same(parse('FROM:@Bob HAS:LINK IS:Thread').has, ['link'], 'operator names and values are case-insensitive')
  t.same(parse('re: see http://example.com/a:b 10:30 :tada:').words, ['re:', 'see', 'http://example.com/a:b', '10:30', ':tada:'],
    'a trailing colon, links, times and emoji codes are words, not operators')
  t.same(parse('"unclosed phrase').phrases, ['unclosed phrase'], 'an unclosed quote runs to the end')
  t.same(parse('- -- "" "  " ... -"!!"').words, [], 'tokens without letters or digits are dropped')
  t.same(parse('  spaced   "a   b"  ').phrases, ['a b'])
  t.same(parse('has:link has:link').has, ['link'])
  t.same(parse(''), parse('   '))
})

t.test('bad queries are invalid_input with a sentence naming the token', async (t) => {
  const cases: Array<[string, RegExp]> = [
    ['hello foo:bar', /"foo:bar".*unknown search operator "foo:"/],
    ['before:2024-02-30', /"before:2024-02-30" is not a valid date/],
    ['after:2024-13-01', /"after:2024-13-01"/],
    ['on:01/02/2024', /"on:01\/02\/2024"/],
    ['on:2024-01', /"on:2024-01"/],
    ['during:2024-00', /"during:2024-00"/],
    ['during:soon', /"during:soon"/],
    ['before:1900-01-01', /"before:1900-01-01"/],
    ['has:cake', /"has:cake"/],
    ['is:starred', /"is:starred"/],
    ['from:', /"from:" needs a value/],
    ['in:', /"in:" needs a value/],
    ['from:@', /"from:@" does not name a person/],
    ['from:"Bob"', /"from:" needs a value/],
    ['in:#Bad!Name', /"in:#Bad!Name"/],
    ['in:@a,,@b', /"in:@a,,@b"/],
    ['-from:@bob', /"-from:@bob" cannot be excluded/],
    ['x'.repeat(1001), /at most 1000 characters/],
    [Array.from({ length: 41 }, (_, i) => `w${i}`).join(' '), /at most 40 terms/],
  ]
  for (const [query, message] of cases) {
    let caught: unknown = null
    try {
      parse(query)
    } catch (err) {
      caught = err
    }
    t.ok(caught instanceof OCommsError && caught.code === 'invalid_input', `${query.slice(0, 40)} is invalid_input`)
    t.match((caught as Error | null)?.message, message)
  }
})

t.test('date filters become one day range', async (t) => {
  const range = (q: string) => dayRange(parse(q).dates)
  t.same(range('before:2024-02-10'), { from: null, to: '2024-02-10', empty: false })
  t.same(range('after:2024-02-10'), { from: '2024-02-11', to: null, empty: false }, 'after: excludes its day, as in Slack')
  t.same(range('on:2024-02-29'), { from: '2024-02-29', to: '2024-03-01', empty: false })
  t.same(range('during:2024-12'), { from: '2024-12-01', to: '2025-01-01', empty: false })
  t.same(range('during:2024'), { from: '2024-01-01', to: '2025-01-01', empty: false })
  t.same(range('during:2024 before:2024-03-01 after:2024-01-31'), { from: '2024-02-01', to: '2024-03-01', empty: false })
  t.equal(range('before:2024-01-01 after:2024-01-01').empty, true)
})

const message = (over: Partial<SearchableMessage> = {}): SearchableMessage => ({
  text: 'The deployment meetings moved to Friday, see https://example.com/notes',
  createdAt: '2024-01-15T23:30:00Z',
  author: { handle: 'alice' },
  threadRootId: null,
  replyCount: 0,
  reactions: [],
  pinned: false,
  files: [],
  conversation: { kind: 'public', name: 'general' },
  ...over,
})

t.test('the matcher applies every operator to a local message', async (t) => {
  const ctx = { me: 'bob' }
  const m = message()
  const yes = (q: string, msg = m, c: Parameters<typeof matchesQuery>[2] = ctx) => t.ok(matchesQuery(parse(q), msg, c), `${q} matches`)
  const no = (q: string, msg = m, c: Parameters<typeof matchesQuery>[2] = ctx) => t.notOk(matchesQuery(parse(q), msg, c), `${q} does not match`)
  yes('meeting deploy')
  yes('MEETINGS friday')
  no('meeting standup')
  yes('"moved to friday"')
  no('"friday moved"')
  no('"deploy meetings"', m, ctx)
  no('-friday')
  yes('-standup')
  no('-"moved to"')
  yes('-"moved from"')
  yes('from:@alice')
  no('from:me')
  yes('from:me', m, { me: 'alice' })
  yes('from:@carol from:@alice')
  yes('in:#general')
  no('in:#random')
  no('in:@alice')
  const dm = message({ conversation: { kind: 'dm', name: null, members: [{ handle: 'alice' }, { handle: 'bob' }] } })
  yes('in:@alice', dm)
  no('in:#general', dm)
  no('in:@alice,@carol', dm)
  yes('has:link')
  no('has:link', message({ text: 'no links here, wwwx.com' }))
  no('has:file')
  yes('has:file has:reaction has:pin', message({ files: [{}], reactions: [{}], pinned: true }))
  no('is:thread')
  yes('is:thread', message({ replyCount: 2 }))
  yes('is:thread', message({ threadRootId: 'root' }))
  yes('on:2024-01-15')
  no('on:2024-01-16')
  yes('on:2024-01-16', m, { me: 'bob', timeZone: 'Europe/Paris' })
  yes('during:2024-01 after:2024-01-14 before:2024-01-16')
  no('after:2024-01-15')
  no('before:2024-01-15')
  no('during:2023')
  no('meeting', message({ deleted: true }))
})

t.test('local search: matching cached messages, newest first, with snippets', async (t) => {
  const older = message({ text: 'deploy one', createdAt: '2024-01-01T00:00:00Z' })
  const newer = message({ text: 'deploy two', createdAt: new Date('2024-02-01T00:00:00Z') })
  const other = message({ text: 'nothing here' })
  const hits = searchLocally(parse('deploy'), [older, other, newer], { me: 'bob' })
  t.same(hits.map((h) => h.text), ['deploy two', 'deploy one'])
  t.equal(hits[0]!.snippet, `${snippetMarks.start}deploy${snippetMarks.end} two`)
  t.equal(searchLocally(parse('deploy'), [older, newer], { me: 'bob' }, { limit: 1 }).length, 1)
})

t.test('snippets mark hits; marks render to any style', async (t) => {
  const q = parse('meeting "friday"')
  const s = highlightText('The deployment meetings moved to Friday.', q)
  t.equal(s, `The deployment ${snippetMarks.start}meetings${snippetMarks.end} moved to ${snippetMarks.start}Friday${snippetMarks.end}.`)
  t.equal(renderSnippet(s, '<mark>', '</mark>', (x) => x.replace(/</g, '&lt;')), 'The deployment <mark>meetings</mark> moved to <mark>Friday</mark>.')
  t.equal(renderSnippet(`a<b ${snippetMarks.start}x`, '[', ']', (x) => x.replace(/</g, '&lt;')), 'a&lt;b x', 'a stray mark is dropped')
  const long = `${'filler '.repeat(60)}the meeting ${'tail '.repeat(60)}`
  const cut = highlightText(long, q, { maxLength: 80 })
  t.ok(cut.startsWith('…') && cut.endsWith('…') && cut.includes(`${snippetMarks.start}meeting${snippetMarks.end}`))
})

const pieces = fc.oneof(
  fc.constantFrom(
    'from:', 'in:', 'has:', 'is:', 'before:', 'after:', 'on:', 'during:', 'foo:', 'http://', 'me', '@', '#', ',', '-', '"', ' ', '\t', '\n',
    'link', 'file', 'thread', 'general', 'alice', '2024-02-29', '2023-02-29', '2024-01', '2024', 'today', 'yesterday', ':', 'é', '日本', '\u00a0', '\u2028',
  ),
  fc.string({ maxLength: 6 }),
  fc.string({ unit: 'binary', maxLength: 4 }),
)
const queries = fc.array(pieces, { maxLength: 30 }).map((p) => p.join(''))

t.test('fuzz: the parser only ever fails with invalid_input, and print/parse round-trips', async () => {
  fc.assert(
    fc.property(queries, (input) => {
      let q
      try {
        q = parse(input)
      } catch (err) {
        if (err instanceof OCommsError && err.code === 'invalid_input' && err.message.length > 0) return
        throw err
      }
      const printed = printSearchQuery(q)
      const again = parse(printed)
      if (JSON.stringify(again) !== JSON.stringify(q)) throw new Error(`round trip changed ${JSON.stringify(input)} -> ${printed}`)
      if (printSearchQuery(again) !== printed) throw new Error('printing is not stable')
    }),
    { numRuns: 3000 },
  )
})
