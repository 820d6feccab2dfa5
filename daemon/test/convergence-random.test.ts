import t from 'tap'
import fc from 'fast-check'
import { OCommsError, type Message } from '@ocomms/shared'
import { cacheView, caughtUp, randomUUID, serverView, startObserver, startTestServer, type Observer, type TestUser } from './convergence-world.js'

/**
 * Random sequences of operations by three members, each with a daemon, some of them offline
 * part of the time: at the end every member's cache equals what the server says.
 */

const kinds = ['send', 'reply', 'edit', 'delete', 'react', 'unreact', 'pin', 'unpin', 'join', 'leave', 'offline', 'online'] as const
const step = fc.record({ kind: fc.constantFrom(...kinds), who: fc.integer({ min: 0, max: 2 }), pick: fc.nat(), emoji: fc.constantFrom(':+1:', ':tada:', '👀') })

t.test('three members, random operations, some offline: every cache ends equal to the server', async (t) => {
  const server = await startTestServer(t)
  let run = 0
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 8, maxLength: 24 }), async (steps) => {
      run++
      const { ws, people } = await server.team(`a${run}`, `b${run}`, `c${run}`)
      const general = (await people[0].call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!.id
      const side = await people[0].call('channel.create', { workspaceId: ws.id, name: `side-${run}` })
      const observers: Observer[] = []
      for (const p of people) observers.push(await startObserver(t, server, p))
      const offline = new Set<number>()
      const messages: Message[] = []
      const channels = [general, side.id]
      const pickMessage = (n: number) => (messages.length ? messages[n % messages.length] : undefined)
      for (const s of steps) {
        const who: TestUser = people[s.who]
        const m = pickMessage(s.pick)
        try {
          switch (s.kind) {
            case 'send':
              messages.push(await who.call('message.send', { conversationId: channels[s.pick % 2]!, text: `m${messages.length} @${people[(s.who + 1) % 3].handle}`, clientId: randomUUID() }))
              break
            case 'reply':
              if (m) messages.push(await who.call('message.send', { conversationId: m.conversationId, text: 'reply', threadRootId: m.threadRootId ?? m.id, clientId: randomUUID() }))
              break
            case 'edit':
              if (m) await who.call('message.edit', { messageId: m.id, text: `edited ${s.pick}` })
              break
            case 'delete':
              if (m) await who.call('message.delete', { messageId: m.id })
              break
            case 'react':
              if (m) await who.call('reaction.add', { messageId: m.id, emoji: s.emoji })
              break
            case 'unreact':
              if (m) await who.call('reaction.remove', { messageId: m.id, emoji: s.emoji })
              break
            case 'pin':
              if (m) await who.call('pin.add', { messageId: m.id })
              break
            case 'unpin':
              if (m) await who.call('pin.remove', { messageId: m.id })
              break
            case 'join':
              await who.call('conversation.join', { conversationId: side.id })
              break
            case 'leave':
              await who.call('conversation.leave', { conversationId: side.id })
              break
            case 'offline':
              if (!offline.has(s.who)) {
                observers[s.who]!.stop()
                offline.add(s.who)
              }
              break
            case 'online':
              if (offline.has(s.who)) {
                offline.delete(s.who)
                await observers[s.who]!.restart()
              }
              break
          }
        } catch (err) {
          // Refusals (someone else's message, not in the channel, already deleted) change nothing.
          if (!(err instanceof OCommsError) || err.code === 'internal') throw err
        }
      }
      for (const i of offline) await observers[i]!.restart()
      for (const o of observers) {
        await caughtUp(o)
        let equal = false
        for (let i = 0; i < 80 && !equal; i++) {
          const cache = cacheView(o, ws)
          const view = await serverView(o, ws, cache.messages)
          equal = JSON.stringify(sorted(cache)) === JSON.stringify(sorted(view))
          if (!equal && i === 79) t.same(sorted(cache), sorted(view), `${o.user.handle}'s cache equals the server`)
          if (!equal) await new Promise((r) => setTimeout(r, 50))
        }
        if (!equal) return false
        o.stop()
      }
      return true
    }),
    { numRuns: Number(process.env.CONVERGENCE_RUNS ?? 4), seed: process.env.CONVERGENCE_SEED ? Number(process.env.CONVERGENCE_SEED) : undefined, endOnFailure: true },
  )
})

/** The value with object keys in order (JSON of equal values is then equal). */
function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted)
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sorted(x)]))
  return v
}
