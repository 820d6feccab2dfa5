import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks'
import { OCommsError, type ErrorBody } from '@ocomms/shared'
import type { ServerConfig } from '../config.js'
import { classOf, classWords, expensiveClasses, operationClasses, type OperationClass } from './classes.js'
import { FairLane } from './lane.js'

export type AdmissionConfig = ServerConfig['admission']

/** Who an operation is counted against: the person, or the address of an anonymous caller. */
export interface Admittee {
  caller: { userId: string } | null
  ip: string
  /** The socket it came over; REST calls share one slot per person. */
  socketId?: string
  /** Its rate was already charged (the socket path charges before validating, see socket-server.ts). */
  charged?: boolean
}

/**
 * A fixed-window counter per key: `count` per `ms`. Written here rather than taken from
 * rate-limiter-flexible (which the login throttle uses) because this one sits on the path of
 * every operation and of every refused one in a flood: it answers synchronously, allocates
 * nothing to refuse, and needs no timer per key (expired windows are swept in one pass).
 */
class Windows {
  private readonly windows = new Map<string, { start: number; used: number }>()
  constructor(
    readonly count: number,
    private readonly ms: number,
  ) {}

  /** Takes one from `key`'s window: 0 when allowed, else the milliseconds until the window ends. */
  take(key: string, now: number): number {
    let w = this.windows.get(key)
    if (!w || now - w.start >= this.ms) this.windows.set(key, (w = { start: now, used: 0 }))
    if (w.used >= this.count) return this.ms - (now - w.start)
    w.used++
    return 0
  }

  sweep(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.ms) this.windows.delete(key)
  }
}

interface Waiter {
  socket: string
  start(): void
  fail(err: OCommsError): void
}

/** One person's operations in this process: running (per socket too) and waiting, in order. */
interface Person {
  running: number
  bySocket: Map<string, number>
  queue: Waiter[]
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`

/**
 * Fair admission: what one person can make the server do at once, so that nobody's flood
 * delays anyone else's work. Every operation, over REST or a socket, passes here (invoke.ts,
 * and the file transfers) before its handler runs:
 *
 *  1. its class's rate limit for the person (a fixed window per class, see classes.ts): over
 *     it, `rate_limited` at once, saying the limit and when to retry (`details.retryAfter`);
 *  2. then a slot: at most `perSocket` operations of one socket and `perUser` of one person
 *     run at once; the rest wait in order, up to `queuePerUser`, beyond which `rate_limited`;
 *  3. expensive classes (search) take a slot on the expensive lane instead: `expensive`
 *     running at once in the whole process, served in turn person by person, so one
 *     person's searches wait behind their own, not everyone's.
 *
 * Counted per process: with several processes behind a load balancer, each applies the limits
 * to what it serves. Sockets per person are capped at `socketsPerUser`.
 */
export class Admission {
  private readonly limiters: Record<OperationClass, Windows | null>
  private readonly people = new Map<string, Person>()
  private readonly sockets = new Map<string, number>()
  private readonly lane: FairLane
  private readonly delay: IntervalHistogram
  private readonly sampler: NodeJS.Timeout
  private delayMs = 0
  private running = 0
  private queued = 0

  constructor(private readonly config: AdmissionConfig) {
    this.limiters = Object.fromEntries(
      operationClasses.map((c) => {
        const { count, seconds } = config.rates[c]
        return [c, count > 0 && seconds > 0 ? new Windows(count, seconds * 1000) : null]
      }),
    ) as Record<OperationClass, Windows | null>
    this.lane = new FairLane(config.expensive, config.expensivePerUser, config.expensiveQueue)
    this.delay = monitorEventLoopDelay({ resolution: 10 })
    this.delay.enable()
    // The event loop's delay over the last few seconds: how late everything this process does is.
    this.sampler = setInterval(() => {
      this.delayMs = this.delay.count > 0 ? this.delay.percentile(99) / 1e6 : 0
      this.delay.reset()
      const now = Date.now()
      for (const limiter of Object.values(this.limiters)) limiter?.sweep(now)
    }, 2_000)
    this.sampler.unref()
  }

  stop(): void {
    clearInterval(this.sampler)
    this.delay.disable()
  }

  /** Runs `fn` (one operation named `name`) once admitted; refuses with `rate_limited` when it may not run. */
  async run<T>(name: string, who: Admittee, fn: () => Promise<T>): Promise<T> {
    const kind = classOf(name)
    const key = who.caller ? who.caller.userId : `address ${who.ip}`
    if (!who.charged) {
      const refusal = this.charge(name, who)
      if (refusal) throw new OCommsError(refusal.code, refusal.message, refusal.details)
    }
    const release = expensiveClasses.has(kind) ? await this.lane.acquire(key) : await this.enter(key, who.socketId ?? 'rest')
    try {
      return await fn()
    } finally {
      release()
    }
  }

  /**
   * Runs background work that is as heavy as a search (an export job) on the expensive lane, so
   * it shares that lane's few slots instead of adding to them; it waits for its turn as long as
   * that takes, since nobody is there to be told to try again.
   */
  async background<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let release: () => void
    for (;;) {
      try {
        release = await this.lane.acquire(key)
        break
      } catch (err) {
        if (!(err instanceof OCommsError) || err.code !== 'rate_limited') throw err
        await new Promise((resolve) => setTimeout(resolve, 1_000))
      }
    }
    try {
      return await fn()
    } finally {
      release()
    }
  }

  /**
   * Counts one operation against its class's rate for the person: null when it may go on, else
   * the refusal (as plain data: a flood is refused thousands of times a second, and an Error
   * with its stack trace each time would cost more than the rest of the refusal).
   */
  charge(name: string, who: Admittee): ErrorBody | null {
    const kind = classOf(name)
    const limiter = this.limiters[kind]
    if (!limiter) return null
    const wait = limiter.take(who.caller ? who.caller.userId : `address ${who.ip}`, Date.now())
    if (wait === 0) return null
    const { seconds } = this.config.rates[kind]
    const retryAfter = Math.max(1, Math.ceil(wait / 1000))
    return {
      code: 'rate_limited',
      message: `Too many ${classWords[kind]}: at most ${limiter.count} every ${plural(seconds, 'second')}. Try again in ${plural(retryAfter, 'second')}.`,
      details: { retryAfter, limit: limiter.count, windowSeconds: seconds, kind },
    }
  }

  private enter(key: string, socket: string): Promise<() => void> {
    let person = this.people.get(key)
    if (!person) this.people.set(key, (person = { running: 0, bySocket: new Map(), queue: [] }))
    const p = person
    const release = () => {
      p.running--
      this.running--
      const left = (p.bySocket.get(socket) ?? 1) - 1
      if (left > 0) p.bySocket.set(socket, left)
      else p.bySocket.delete(socket)
      this.dispatch(key, p)
    }
    const start = () => {
      p.running++
      this.running++
      p.bySocket.set(socket, (p.bySocket.get(socket) ?? 0) + 1)
    }
    // In order per socket; another socket's waiting (at its own limit) does not hold this one back.
    if (this.fits(p, socket) && !p.queue.some((w) => w.socket === socket)) {
      start()
      return Promise.resolve(release)
    }
    const { perUser, queuePerUser } = this.config
    if (p.queue.length >= queuePerUser) {
      return Promise.reject(
        new OCommsError(
          'rate_limited',
          `Too many requests at once: ${perUser} run at a time for one person and ${queuePerUser} more may wait. Wait for answers before sending more.`,
          { retryAfter: 1, running: p.running, waiting: p.queue.length },
        ),
      )
    }
    this.queued++
    return new Promise((resolve, reject) => {
      p.queue.push({
        socket,
        start: () => {
          start()
          resolve(release)
        },
        fail: reject,
      })
    })
  }

  private fits(p: Person, socket: string): boolean {
    return p.running < this.config.perUser && (p.bySocket.get(socket) ?? 0) < this.config.perSocket
  }

  /** Starts what waits and now fits, in order (a socket at its own limit lets the next socket's go first). */
  private dispatch(key: string, p: Person): void {
    for (let i = 0; i < p.queue.length && p.running < this.config.perUser; ) {
      const w = p.queue[i]!
      if (!this.fits(p, w.socket)) {
        i++
        continue
      }
      p.queue.splice(i, 1)
      this.queued--
      w.start()
    }
    if (p.running === 0 && p.queue.length === 0) this.people.delete(key)
  }

  /** A socket closed: what it still had waiting will never be answered, so it does not run. */
  socketClosed(userId: string, socketId: string): void {
    const count = (this.sockets.get(userId) ?? 1) - 1
    if (count > 0) this.sockets.set(userId, count)
    else this.sockets.delete(userId)
    const p = this.people.get(userId)
    if (!p) return
    const gone = p.queue.filter((w) => w.socket === socketId)
    if (gone.length === 0) return
    p.queue = p.queue.filter((w) => w.socket !== socketId)
    this.queued -= gone.length
    for (const w of gone) w.fail(new OCommsError('unavailable', 'The connection closed before this request ran.'))
    this.dispatch(userId, p)
  }

  /** Counts a socket opening for `userId`, or refuses when the person has the most allowed. */
  socketOpening(userId: string): void {
    const count = this.sockets.get(userId) ?? 0
    const max = this.config.socketsPerUser
    if (max > 0 && count >= max) {
      throw new OCommsError(
        'rate_limited',
        `This account already has ${plural(count, 'connection')} open to this server, the most allowed. Close one (another terminal, daemon or browser tab) and try again.`,
        { retryAfter: 5, limit: max },
      )
    }
    this.sockets.set(userId, count + 1)
  }

  /** What /health and /ready report. */
  stats() {
    return {
      running: this.running,
      waiting: this.queued,
      people: this.people.size,
      sockets: [...this.sockets.values()].reduce((a, b) => a + b, 0),
      expensive: { running: this.lane.running, waiting: this.lane.waiting },
      eventLoopDelayMs: Math.round(this.delayMs * 10) / 10,
    }
  }

  /** Why this process should not be sent more work right now, or null when it is fine. */
  busy(): string | null {
    const { readyMaxDelayMs, readyMaxWaiting, expensiveQueue } = this.config
    if (readyMaxDelayMs > 0 && this.delayMs > readyMaxDelayMs) return `the event loop runs ${Math.round(this.delayMs)} ms late`
    if (readyMaxWaiting > 0 && this.queued > readyMaxWaiting) return `${this.queued} requests are waiting`
    if (this.lane.waiting >= expensiveQueue) return 'the expensive lane is full'
    return null
  }
}
