import t from 'tap'
import type { Key } from 'ink'
import { keyPress } from '../src/ui/keys.js'

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
  t.same(keyPress('héllo\r\nworld', key({})), { name: 'text', text: 'héllo\nworld' }, 'a paste keeps its lines')
})

t.test('escape sequences Ink does not know are dropped, text that looks like them is kept', async (t) => {
  t.same(keyPress('[200~', key({})), { name: 'unknown' }, 'bracketed paste start')
  t.same(keyPress('[3~', key({})), { name: 'unknown' })
  t.same(keyPress('[link](https://example.com)', key({})), { name: 'text', text: '[link](https://example.com)' })
  t.same(keyPress('[', key({})), { name: 'text', text: '[' })
})
