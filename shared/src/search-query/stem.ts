import snowball from 'snowball-stemmers'

/**
 * Snowball stemmers: the same algorithms PostgreSQL's text search configurations use
 * (english_stem is Snowball English), so a word stems alike on the server and offline.
 */
export type Stem = (word: string) => string

const cache = new Map<string, Stem>()

/** The stemmer of a PostgreSQL text search configuration name; `simple` and unknown ones do not stem. */
export function stemmerFor(config: string): Stem {
  const name = config.toLowerCase()
  let stem = cache.get(name)
  if (!stem) {
    if (snowball.algorithms().includes(name)) {
      const s = snowball.newStemmer(name)
      stem = (word) => s.stem(word.toLowerCase())
    } else {
      stem = (word) => word.toLowerCase()
    }
    cache.set(name, stem)
  }
  return stem
}
