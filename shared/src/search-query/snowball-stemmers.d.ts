// snowball-stemmers ships no types; this is the part of its API OComms uses.
declare module 'snowball-stemmers' {
  interface Stemmer {
    stem(word: string): string
  }
  const snowball: { algorithms(): string[]; newStemmer(language: string): Stemmer }
  export default snowball
}
