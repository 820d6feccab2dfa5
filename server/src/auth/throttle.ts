import type { Redis } from 'ioredis'
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible'
import { OCommsError } from '@ocomms/shared'
import type { ServerConfig } from '../config.js'

/**
 * Brute-force protection for the public auth operations: failed logins are counted per
 * account and per address, sign-ups and magic-link requests per address and per account.
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

  /** Refuses before any password is checked when either budget is spent. */
  async checkLogin(account: string, address: string): Promise<void> {
    const [a, b] = await Promise.all([this.loginAccount.get(account), this.loginAddress.get(address)])
    const spent = (res: RateLimiterRes | null, limit: number) => res !== null && res.consumedPoints >= limit
    if (spent(a, this.loginAccount.points) || spent(b, this.loginAddress.points)) {
      const wait = Math.max(a?.msBeforeNext ?? 0, b?.msBeforeNext ?? 0)
      throw tooMany(wait)
    }
  }

  async loginFailed(account: string, address: string): Promise<void> {
    await Promise.all([
      this.loginAccount.penalty(account, 1),
      this.loginAddress.penalty(address, 1),
    ])
  }

  async loginSucceeded(account: string): Promise<void> {
    await this.loginAccount.delete(account)
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
