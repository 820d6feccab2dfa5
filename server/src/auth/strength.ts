import { OCommsError } from '@ocomms/shared'
import type { ZxcvbnFactory } from '@zxcvbn-ts/core'

/**
 * Password strength, as OWASP asks (ASVS 2.1.7, NIST 800-63B 5.1.1.2): beyond the length
 * check of the schema, a password must not be one of the passwords people use most, nor a
 * small variation of one ("Password1!", "letmein123"), nor made of the person's own name,
 * handle or email. zxcvbn estimates how many guesses a password takes against lists of
 * common passwords (from breaches), words and names, keyboard patterns, dates and
 * substitutions; a password of fewer than 10^6 guesses (its score 0 or 1: one that even a
 * throttled attacker finds) is refused, with zxcvbn's reason. The lists are its maintained
 * packages (@zxcvbn-ts/language-common and -en), pinned, loaded on first use (~300 ms).
 */
export const MIN_SCORE = 2

let factory: Promise<ZxcvbnFactory> | null = null
function estimator(): Promise<ZxcvbnFactory> {
  factory ??= (async () => {
    const [{ ZxcvbnFactory: Factory }, common, en] = await Promise.all([
      import('@zxcvbn-ts/core'),
      import('@zxcvbn-ts/language-common'),
      import('@zxcvbn-ts/language-en'),
    ])
    return new Factory({
      translations: en.translations,
      graphs: common.adjacencyGraphs,
      dictionary: { ...common.dictionary, ...en.dictionary },
    })
  })()
  return factory
}

/** Refuses (invalid_input, saying why) a password that is too easy to guess. `personal`: the person's name, handle, email. */
export async function checkPasswordStrength(password: string, personal: string[]): Promise<void> {
  const words = personal.flatMap((p) => [p, ...p.split(/[@.\s_-]+/)]).filter((w) => w.length >= 3)
  const result = await (await estimator()).check(password, words)
  if (result.score >= MIN_SCORE) return
  const why = [result.feedback.warning, ...result.feedback.suggestions].filter(Boolean).join(' ')
  throw new OCommsError(
    'invalid_input',
    `This password is too easy to guess${why ? `: ${why}` : '.'} Choose a longer one, for example a few unrelated words.`.replace(/\.\./g, '.'),
  )
}
