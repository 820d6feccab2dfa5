/**
 * Display names are what people recognise each other by, so characters that change how a name
 * looks without showing themselves are refused: with them, "alice" and "ali\u200Bce" are two
 * different accounts that look the same, and a right-to-left override can make "ecila" show as
 * "alice". Refused rather than silently stripped, so a person never sees a name other than the
 * one they typed; the message says which character and where. See docs/security.md.
 *
 *  - direction controls: U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069;
 *  - invisible characters: U+00AD, U+034F, U+115F, U+1160, U+17B4, U+17B5, U+180B–U+180F,
 *    U+200B, U+2060–U+2064, U+206A–U+206F, U+3164, U+FEFF, U+FFA0, U+FFF9–U+FFFB, tags
 *    (U+E0000–U+E007F, but see below), variation selectors U+E0100–U+E01EF, and control characters;
 *  - the joiners U+200C and U+200D, the emoji variation selectors U+FE0E and U+FE0F and tags
 *    only where they do their job: a zero-width joiner between two emoji (👩‍💻), either joiner
 *    between two letters of a script that uses them (Persian, the Indic scripts: not Latin, Greek
 *    or Cyrillic, where they only hide), a variation selector after an emoji, tags after 🏴.
 * Names are also stored in NFC, so "é" typed two ways is one name.
 */

/** Code point ranges (inclusive) never allowed in a display name. */
const refusedRanges: ReadonlyArray<readonly [number, number]> = [
  [0x0000, 0x001f], [0x007f, 0x009f], [0x00ad, 0x00ad], [0x034f, 0x034f], [0x061c, 0x061c], [0x115f, 0x1160],
  [0x17b4, 0x17b5], [0x180b, 0x180f], [0x200b, 0x200b], [0x200e, 0x200f], [0x202a, 0x202e], [0x2060, 0x2064],
  [0x2066, 0x206f], [0x3164, 0x3164], [0xfe00, 0xfe0d], [0xfeff, 0xfeff], [0xffa0, 0xffa0], [0xfff9, 0xfffb],
  [0xe0000, 0xe007f], [0xe0100, 0xe01ef], [0x1d173, 0x1d17a],
]
const alwaysRefused = (ch: string) => {
  const cp = ch.codePointAt(0)!
  return refusedRanges.some(([from, to]) => cp >= from && cp <= to)
}

/** What a zero-width joiner may stand between: emoji (with their skin tones and presentation selector). */
const joinsAfter = /[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F]/u
const joinsBefore = /\p{Extended_Pictographic}/u
/** What an emoji presentation selector may follow. */
const emoji = /\p{Emoji}/u
/** Letters (and their marks) of the scripts that use the joiners: not Latin, Greek or Cyrillic, where they only hide. */
const joinedLetter = /(?![\p{Script=Latin}\p{Script=Greek}\p{Script=Cyrillic}])[\p{L}\p{M}]/u
const tag = /[\u{E0020}-\u{E007F}]/u
/** Tag characters spell a flag (🏴 followed by tags, e.g. Scotland's) and nothing else. */
function flagTag(chars: readonly string[], i: number): boolean {
  let j = i
  while (j > 0 && tag.test(chars[j]!)) j--
  return chars[j] === '\u{1F3F4}'
}

const hex = (ch: string) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`

const names: Record<string, string> = {
  '\u200B': 'zero-width space',
  '\u200C': 'zero-width non-joiner',
  '\u200D': 'zero-width joiner',
  '\u200E': 'left-to-right mark',
  '\u200F': 'right-to-left mark',
  '\u202A': 'left-to-right embedding',
  '\u202B': 'right-to-left embedding',
  '\u202C': 'pop directional formatting',
  '\u202D': 'left-to-right override',
  '\u202E': 'right-to-left override',
  '\u2066': 'left-to-right isolate',
  '\u2067': 'right-to-left isolate',
  '\u2068': 'first strong isolate',
  '\u2069': 'pop directional isolate',
  '\uFEFF': 'zero-width no-break space',
  '\u00AD': 'soft hyphen',
  '\u2060': 'word joiner',
}

/** Where the first character that may not stand where it stands is, or -1 when none. */
function refusedAt(chars: readonly string[]): number {
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!
    const before = chars[i - 1] ?? ''
    const after = chars[i + 1] ?? ''
    let bad = alwaysRefused(ch)
    if (ch === '\u200D') bad = !((joinsAfter.test(before) && joinsBefore.test(after)) || (joinedLetter.test(before) && joinedLetter.test(after)))
    else if (ch === '\u200C') bad = !(joinedLetter.test(before) && joinedLetter.test(after))
    else if (ch === '\uFE0E' || ch === '\uFE0F') bad = !emoji.test(before)
    else if (tag.test(ch)) bad = !flagTag(chars, i)
    if (bad) return i
  }
  return -1
}

/**
 * Why `name` cannot be a display name, in words, or null when it can. `name` is as the person
 * typed it; the server stores `normalizeDisplayName(name)`.
 */
export function displayNameProblem(name: string): string | null {
  const text = normalizeDisplayName(name)
  if (text.length === 0) return 'A display name needs at least one visible character.'
  const chars = [...text]
  const i = refusedAt(chars)
  if (i < 0) return null
  const ch = chars[i]!
  const what = names[ch] ? `the invisible ${names[ch]} (${hex(ch)})` : `the invisible character ${hex(ch)}`
  return `A display name cannot contain ${what}: it changes how the name looks without showing, so one person could pass for another (character ${i + 1}).`
}

/**
 * A display name from an identity provider (single sign-on, SCIM), as stored: nobody is there to
 * be told to type it again, so the characters `displayNameProblem` refuses are dropped instead,
 * by the same rule, and the result is cut to `maxLength` characters. Null when nothing visible is
 * left (the caller falls back, e.g. to the email's local part).
 */
export function displayNameFromProvider(name: string | null | undefined, maxLength = 80): string | null {
  const clean = (chars: string[]) => {
    for (let i = refusedAt(chars); i >= 0; i = refusedAt(chars)) chars.splice(i, 1)
    return chars
  }
  // Cut after cleaning (so dropped characters do not count), then clean again: the cut may
  // leave a joiner with nothing after it.
  const text = normalizeDisplayName(clean(clean([...normalizeDisplayName(name ?? '')]).slice(0, maxLength)).join(''))
  return text.length > 0 && displayNameProblem(text) === null ? text : null
}

/** How a display name is stored: NFC, without spaces at either end. */
export function normalizeDisplayName(name: string): string {
  return name.normalize('NFC').trim()
}
