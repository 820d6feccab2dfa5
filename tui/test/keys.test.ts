import t from 'tap'
import type { Key } from 'ink'
import { KeyDecoder, keyPress } from '../src/ui/keys.js'

const key = (k: Partial<Key>): Key =>
  ({ upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false, ...k }) as Key

t.test('terminal quirks map to one key name', async (t) => {
  t.same(keyPress('', key({ return: true })), { name: 'enter' })
  t.same(keyPress('', key({ return: true, meta: true })), { name: 'newline' }, 'Alt+Enter')
  t.same(keyPress('', key({ return: true, shift: true })), { name: 'newline' }, 'Shift+Enter (kitty)')
  t.same(keyPress('\n', key({})), { name: 'newline' }, 'Ctrl+J')
  t.same(keyPress('', key({ delete: true })), { name: 'backspace' }, 'DEL is Backspace on most terminals')
  t.same(keyPress('k', key({ ctrl: true })), { name: 'ctrl+k' })
  t.same(keyPress('', key({ upArrow: true, meta: true })), { name: 'alt+up' })
  t.same(keyPress('', key({ upArrow: true, meta: true, shift: true })), { name: 'alt+shift+up' })
  t.same(keyPress('', key({ tab: true, shift: true })), { name: 'shift+tab' })
  t.same(keyPress('\u001f', key({})), { name: 'ctrl+/' })
  t.same(keyPress('héllo\r\nworld', key({})), { name: 'text', text: 'héllo\nworld' }, 'one read of text keeps its lines as text')
})

t.test('escape sequences Ink does not know are dropped, text that looks like them is kept', async (t) => {
  t.same(keyPress('[200~', key({})), { name: 'unknown' }, 'bracketed paste start')
  t.same(keyPress('[3~', key({})), { name: 'unknown' })
  t.same(keyPress('[link](https://example.com)', key({})), { name: 'text', text: '[link](https://example.com)' })
  t.same(keyPress('[', key({})), { name: 'text', text: '[' })
})

// What Ink hands the input handler for one read: the read with its leading ESC removed.
const read = (decoder: KeyDecoder, raw: string) => decoder.decode(raw.startsWith('\u001b') ? raw.slice(1) : raw, key({}))
const text = (t: string) => ({ name: 'text', text: t })
const enter = { name: 'enter' }

t.test('text typed ahead with Enter in one read is text, then Enter (it sends)', async (t) => {
  const d = new KeyDecoder()
  t.same(read(d, 'hi\r'), [text('hi'), enter], 'hi + Enter')
  t.same(read(d, 'one\rtwo\r'), [text('one'), enter, text('two'), enter], 'two lines typed ahead are two sends')
  t.same(read(d, 'a\nb'), [text('a\nb')], 'Ctrl+J among typed keys stays a line break')
  t.same(read(d, 'a\nb\r'), [text('a'), { name: 'newline' }, text('b'), enter], 'and with an Enter after it')
  t.same(read(d, 'plain'), [text('plain')], 'text alone is unchanged')
})

t.test('a bracketed paste is text with its line breaks, never Enter', async (t) => {
  const d = new KeyDecoder()
  t.same(read(d, '\u001b[200~line one\r\nline two\rthree\u001b[201~'), [text('line one\nline two\nthree')], 'one read')
  t.same(read(d, 'after'), [text('after')], 'typing after the paste is typing again')

  t.same(read(d, '\u001b[200~first half\r'), [text('first half\n')], 'a paste split over reads: the first read')
  t.same(read(d, 'second\r'), [text('second\n')], 'a read in the middle of the paste is pasted, its CR a line break')
  t.same(read(d, 'end\u001b[201~'), [text('end')], 'the read with the end marker')
  t.same(d.decode('', key({ return: true })), [enter], 'Enter after the paste sends')

  t.same(read(d, 'x\u001b[200~p\rq\u001b[201~\r'), [text('x'), text('p\nq'), enter], 'typed, pasted and typed again in one read')
  t.same(read(d, '\u001b[200~'), [], 'a start marker alone')
  t.same(read(d, '\u001b[201~'), [], 'an end marker alone')
  t.same(read(d, '\u001b[201~'), [], 'a stray end marker is dropped, not typed')
  t.same(read(d, 'ok\r'), [text('ok'), enter], 'and typing is not taken for pasting after it')
})
