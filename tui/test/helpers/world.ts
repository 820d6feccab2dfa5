import { ScriptedDaemon, channel, dm, message, person } from './scripted-daemon.js'

/** A small workspace most tests start from: me (maria), bob (away) and ana; #general with a few messages. */
export function world() {
  const me = person('maria')
  const bob = person('bob', { presence: 'away' })
  const ana = person('ana', { presence: 'online', status: { text: 'on holiday', emoji: '🌴', expiresAt: null }, dnd: true })
  const d = new ScriptedDaemon(me)
  d.members.push(bob, ana)
  const general = channel('general', { topic: 'company-wide' })
  const random = channel('random')
  const ops = channel('ops')
  const withBob = dm(me, bob)
  const withAna = dm(me, ana)
  d.conversations.push(general, random, ops, withBob, withAna)
  const [hello, mine, fine] = d.add(message(general, bob, 'hello there'), message(general, me, 'hi bob, how are you?'), message(general, bob, 'fine!'))
  return { d, me, bob, ana, general, random, ops, withBob, withAna, hello: hello!, mine: mine!, fine: fine! }
}
