import t from 'tap'
import { decideNotification, effectiveLevel, type MessageFacts, type RecipientFacts, type RecipientPrefs } from '../src/attention/routing.js'
import { matchKeyword } from '../src/attention/keywords.js'

const AUTHOR = 'author'
const ME = 'me'

type Kind = MessageFacts['conversationKind']
const msg = (kind: Kind, opts: { reply?: boolean; also?: boolean } = {}): MessageFacts => ({
  authorId: AUTHOR,
  conversationKind: kind,
  threadRootId: opts.reply ? 'root' : null,
  alsoInChannel: opts.also ?? false,
})
const none: Omit<RecipientFacts, 'userId'> = { mentioned: false, channelMention: false, hereMention: false, keyword: null, followsThread: false }
const who = (facts: Partial<RecipientFacts> = {}): RecipientFacts => ({ userId: ME, ...none, ...facts })
const prefs = (p: Partial<RecipientPrefs> = {}): RecipientPrefs => ({ level: null, muted: false, ignoreChannelMentions: false, ...p })

// [description, message, recipient facts, prefs, expected reason (null: no notification)]
const table: Array<[string, MessageFacts, RecipientFacts, RecipientPrefs, string | null]> = [
  // the author
  ['own message in a DM', msg('dm'), who({ userId: AUTHOR }), prefs(), null],
  ['own @mention of oneself', msg('public'), who({ userId: AUTHOR, mentioned: true }), prefs({ level: 'all' }), null],
  // DMs
  ['DM, default', msg('dm'), who(), prefs(), 'dm'],
  ['group DM, default', msg('group_dm'), who(), prefs(), 'dm'],
  ['DM at level mentions, no mention', msg('dm'), who(), prefs({ level: 'mentions' }), null],
  ['DM at level mentions, mentioned', msg('dm'), who({ mentioned: true }), prefs({ level: 'mentions' }), 'mention'],
  ['DM at level none, mentioned', msg('dm'), who({ mentioned: true }), prefs({ level: 'none' }), null],
  ['muted DM', msg('dm'), who(), prefs({ muted: true }), null],
  ['DM thread reply not followed', msg('dm', { reply: true }), who(), prefs(), null],
  ['DM thread reply followed', msg('dm', { reply: true }), who({ followsThread: true }), prefs(), 'thread'],
  // channels, default level (mentions)
  ['channel message, default', msg('public'), who(), prefs(), null],
  ['private channel message, default', msg('private'), who(), prefs(), null],
  ['@handle in a channel', msg('public'), who({ mentioned: true }), prefs(), 'mention'],
  ['@channel', msg('public'), who({ channelMention: true }), prefs(), 'channel'],
  ['@here while online', msg('public'), who({ hereMention: true }), prefs(), 'here'],
  ['keyword', msg('public'), who({ keyword: 'deploy' }), prefs(), 'keyword'],
  ['@handle and @channel: the personal mention wins', msg('public'), who({ mentioned: true, channelMention: true }), prefs(), 'mention'],
  // level all
  ['channel message at level all', msg('public'), who(), prefs({ level: 'all' }), 'all'],
  ['thread reply at level all, not followed', msg('public', { reply: true }), who(), prefs({ level: 'all' }), null],
  ['reply also sent to channel at level all', msg('public', { reply: true, also: true }), who(), prefs({ level: 'all' }), 'all'],
  // level none
  ['level none silences @handle', msg('public'), who({ mentioned: true }), prefs({ level: 'none' }), null],
  ['level none silences @channel', msg('public'), who({ channelMention: true }), prefs({ level: 'none' }), null],
  ['level none silences followed threads', msg('public', { reply: true }), who({ followsThread: true }), prefs({ level: 'none' }), null],
  // mute
  ['muted: @handle still notifies', msg('public'), who({ mentioned: true }), prefs({ muted: true }), 'mention'],
  ['muted: @channel does not', msg('public'), who({ channelMention: true }), prefs({ muted: true }), null],
  ['muted: keyword does not', msg('public'), who({ keyword: 'deploy' }), prefs({ muted: true }), null],
  ['muted: followed thread does not', msg('public', { reply: true }), who({ followsThread: true }), prefs({ muted: true }), null],
  ['muted at level all: plain message does not', msg('public'), who(), prefs({ muted: true, level: 'all' }), null],
  // ignore @channel
  ['ignore @channel: @channel silent', msg('public'), who({ channelMention: true }), prefs({ ignoreChannelMentions: true }), null],
  ['ignore @channel: @here silent', msg('public'), who({ hereMention: true }), prefs({ ignoreChannelMentions: true }), null],
  ['ignore @channel: @handle still notifies', msg('public'), who({ mentioned: true, channelMention: true }), prefs({ ignoreChannelMentions: true }), 'mention'],
  ['ignore @channel: a keyword in it still notifies', msg('public'), who({ channelMention: true, keyword: 'deploy' }), prefs({ ignoreChannelMentions: true }), 'keyword'],
  ['ignore @channel at level all: still an ordinary message', msg('public'), who({ channelMention: true }), prefs({ ignoreChannelMentions: true, level: 'all' }), 'all'],
  // threads
  ['reply in a followed thread', msg('public', { reply: true }), who({ followsThread: true }), prefs(), 'thread'],
  ['reply in a thread not followed', msg('public', { reply: true }), who(), prefs(), null],
  ['top-level message, followsThread is meaningless', msg('public'), who({ followsThread: true }), prefs(), null],
  ['@handle in a thread not followed', msg('private', { reply: true }), who({ mentioned: true }), prefs(), 'mention'],
]

t.test('routing table: who is notified, and why', async (t) => {
  for (const [description, message, recipient, p, expected] of table) {
    const decision = decideNotification(message, recipient, p)
    t.same(decision, { notify: expected !== null, reason: expected }, description)
  }
})

t.test('default levels: all for DMs, mentions for channels', async (t) => {
  t.equal(effectiveLevel('dm', null), 'all')
  t.equal(effectiveLevel('group_dm', null), 'all')
  t.equal(effectiveLevel('public', null), 'mentions')
  t.equal(effectiveLevel('private', null), 'mentions')
  t.equal(effectiveLevel('public', 'none'), 'none')
})

t.test('keywords match whole words in any case', async (t) => {
  t.equal(matchKeyword('Deploy failed', ['deploy']), 'deploy')
  t.equal(matchKeyword('the DEPLOY.', ['Deploy']), 'deploy')
  t.equal(matchKeyword('redeployed it', ['deploy']), null)
  t.equal(matchKeyword('deploy_script ran', ['deploy']), null)
  t.equal(matchKeyword('über-Straße heute', ['straße']), 'straße', 'letters beyond ASCII')
  t.equal(matchKeyword('Ärger', ['rger']), null, 'a non-ASCII letter is a word character')
  t.equal(matchKeyword('is on-call now', ['on-call']), 'on-call')
  t.equal(matchKeyword('costs $5 (c++)', ['c++']), 'c++', 'regex characters are literal')
  t.equal(matchKeyword('release  notes', ['release notes']), null, 'spaces are literal after normalising the keyword')
  t.equal(matchKeyword('release notes', ['  Release   Notes ']), 'release notes')
  t.equal(matchKeyword('anything', []), null)
})
