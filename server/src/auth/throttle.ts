import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import { OCommsError } from '@ocomms/shared'
import type { ServerConfig } from '../config.js'

/**
 * Brute-force protection for the public auth operations: failed logins are counted per
 * account and per address, sign-ups and magic-link requests per address and per account.
 */
export class Throttle {
  private readonly loginAccount: RateLimiterMemory
  private readonly loginAddress: RateLimiterMemory
  private readonly signupAddress: RateLimiterMemory
  private readonly magicAccount: RateLimiterMemory

  constructor(config: ServerConfig['throttle']) {
    const duration = config.windowSeconds
    this.loginAccount = new RateLimiterMemory({ keyPrefix: 'login_acct', points: config.loginPerAccount, duration })
    this.loginAddress = new RateLimiterMemory({ keyPrefix: 'login_addr', points: config.loginPerAddress, duration })
    this.signupAddress = new RateLimiterMemory({ keyPrefix: 'signup_addr', points: config.signupPerAddress, duration })
    this.magicAccount = new RateLimiterMemory({ keyPrefix: 'magic_acct', points: config.magicLinkPerAccount, duration })
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

async function consume(limiter: RateLimiterMemory, key: string): Promise<void> {
  try {
    await limiter.consume(key)
  } catch (err) {
    if (err instanceof RateLimiterRes) throw tooMany(err.msBeforeNext)
    throw err
  }
}
