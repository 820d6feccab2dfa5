import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { OCommsError } from '@ocomms/shared'
import type { ServerConfig } from '../config.js'

/**
 * Brute-force protection for the public auth operations: login attempts are counted per
 * account and per address (and given back when they succeed), sign-ups and magic-link requests per address and per account.
 * With Redis the counters are shared by every server process behind the load balancer (an
 * attacker gains nothing by spreading attempts over processes); if Redis stops answering,
 * each process counts in memory until it is back, so sign-in keeps working.
 */
export class Throttle {
  private readonly loginAccount: RateLimiterAbstract
  private readonly loginAddress: RateLimiterAbstract
  private readonly signupAddress: RateLimiterAbstract
  private readonly magicAccount: RateLimiterAbstract

  constructor(config: ServerConfig['throttle'], redis: Redis | null = null) {
    const duration = config.windowSeconds
    const limiter = (keyPrefix: string, points: number): RateLimiterAbstract => {
      if (!redis) return new RateLimiterMemory({ keyPrefix, points, duration })
      return new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `ocomms:${keyPrefix}`,
        points,
        duration,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
      })
    }
    this.loginAccount = limiter('login_acct', config.loginPerAccount)
    this.loginAddress = limiter('login_addr', config.loginPerAddress)
    this.signupAddress = limiter('signup_addr', config.signupPerAddress)
    this.magicAccount = limiter('magic_acct', config.magicLinkPerAccount)
  }

  /**
   * Takes one attempt from the account's and the address's budgets before a password is checked,
   * or refuses when either is spent. Counting first is what makes the limit hold against guesses
   * sent in parallel: each increment is atomic (in memory, or one Redis command shared by every
   * process), so of any number of simultaneous attempts at most the limit get through. The
   * caller gives the attempt back with `succeeded` when the password was right: only failures
   * stay counted, for the rest of the window.
   */
  async reserveLogin(account: string, address: string): Promise<{ succeeded(): Promise<void> }> {
    const taken = await Promise.allSettled([this.loginAccount.consume(account), this.loginAddress.consume(address)])
    const refused = taken.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []))
    if (refused.length > 0) {
      // A refused attempt checks no password: what one budget lent it goes back.
      await Promise.all([
        taken[0].status === 'fulfilled' ? this.loginAccount.reward(account, 1) : null,
        taken[1].status === 'fulfilled' ? this.loginAddress.reward(address, 1) : null,
      ])
      const error = refused.find((e) => !(e instanceof RateLimiterRes))
      if (error) throw error
      throw tooMany(Math.max(...refused.map((e) => (e as RateLimiterRes).msBeforeNext)))
    }
    return {
      succeeded: async () => {
        await Promise.all([this.loginAccount.reward(account, 1), this.loginAddress.reward(address, 1)])
      },
    }
  }

  async signup(address: string): Promise<void> {
    await consume(this.signupAddress, address)
  }

  async magicLink(account: string, address: string): Promise<void> {
    await consume(this.signupAddress, address)
    await consume(this.magicAccount, account)
  }
}

function tooMany(msBeforeNext: number): OCommsError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000))
  return new OCommsError('rate_limited', `Too many attempts; try again in ${seconds} seconds.`, { retryAfter: seconds })
}

async function consume(limiter: RateLimiterAbstract, key: string): Promise<void> {
  try {
    await limiter.consume(key)
  } catch (err) {
    if (err instanceof RateLimiterRes) throw tooMany(err.msBeforeNext)
    throw err
  }
}
