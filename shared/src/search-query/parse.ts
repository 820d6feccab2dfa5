import { OCommsError } from '../errors.js'
import { channelNamePattern, handlePattern } from '../limits.js'
import { emptySearchQuery, searchHasValues, type SearchHas, type SearchLocation, type SearchQuery } from './ast.js'
import { addDays, isValidDay, isValidMonth, isValidYear, localDay } from './dates.js'
import { tokenize } from './tokenize.js'

export const searchOperators = ['from', 'in', 'has', 'is', 'before', 'after', 'on', 'during'] as const
export type SearchOperator = (typeof searchOperators)[number]

/** Longest query and most clauses accepted: enough for people, bounded for the database. */
export const searchLimits = { queryLength: 1000, clauses: 40 } as const

export interface ParseOptions {
  /** The searcher's "today" as YYYY-MM-DD, for `today`/`yesterday`; else computed from `now` and `timeZone`. */
  today?: string
  now?: Date
  /** IANA time zone of the searcher (default UTC). */
  timeZone?: string
}

const OPERATOR = /^([A-Za-z]+):(.*)$/su
const handleRe = new RegExp(handlePattern)
const channelRe = new RegExp(channelNamePattern)
/** Words that carry no letter or digit cannot match anything: they are dropped, not errors. */
const hasContent = (s: string) => /[\p{L}\p{N}]/u.test(s)

const bad = (sentence: string) => new OCommsError('invalid_input', sentence)
const operatorList = 'from:, in:, has:, is:, before:, after:, on: or during:'

function handle(raw: string, token: string, example: string): string {
  const h = (raw.startsWith('@') ? raw.slice(1) : raw).toLowerCase()
  if (!handleRe.test(h)) throw bad(`"${token}" does not name a person; write it like ${example}.`)
  return h
}

function location(value: string, token: string): SearchLocation {
  if (value.startsWith('@')) {
    const handles = [...new Set(value.split(',').map((h) => handle(h, token, 'in:@alice or in:@alice,@bob')))].sort()
    return { kind: 'dm', handles }
  }
  const name = (value.startsWith('#') ? value.slice(1) : value).toLowerCase()
  if (!channelRe.test(name)) throw bad(`"${token}" does not name a channel or person; write it like in:#general or in:@alice.`)
  return { kind: 'channel', name }
}

function day(value: string, token: string, options: ParseOptions, periods: boolean): string {
  const lower = value.toLowerCase()
  if (lower === 'today' || lower === 'yesterday') {
    const today = options.today ?? localDay(options.now ?? new Date(), options.timeZone)
    return lower === 'today' ? today : addDays(today, -1)
  }
  if (isValidDay(value)) return value
  if (periods && (isValidMonth(value) || isValidYear(value))) return value
  const forms = periods ? 'YYYY, YYYY-MM, YYYY-MM-DD, today or yesterday' : 'YYYY-MM-DD, today or yesterday'
  throw bad(`"${token}" is not a valid date; use ${forms}.`)
}

/**
 * Parses a search query. Throws only OCommsError('invalid_input') with a sentence that names
 * the offending token: unknown operators, bad dates, malformed handles or channel names.
 */
export function parseSearchQuery(input: string, options: ParseOptions = {}): SearchQuery {
  if (input.length > searchLimits.queryLength) throw bad(`A search query can be at most ${searchLimits.queryLength} characters long.`)
  const q = emptySearchQuery()
  const tokens = tokenize(input)
  if (tokens.length > searchLimits.clauses) throw bad(`A search query can have at most ${searchLimits.clauses} terms.`)
  for (const token of tokens) {
    if (token.type === 'phrase') {
      const text = token.text.trim().split(/\s+/u).join(' ')
      if (hasContent(text)) (token.negated ? q.excludedPhrases : q.phrases).push(text)
      continue
    }
    const written = token.negated ? `-${token.text}` : token.text
    const op = OPERATOR.exec(token.text)
    // "re:" or "todo:" with nothing after is a word; so is a link (http://...).
    const isOperator = op !== null && !op[2]!.startsWith('//') && (op[2] !== '' || (searchOperators as readonly string[]).includes(op[1]!.toLowerCase()))
    if (!isOperator) {
      if (hasContent(token.text)) (token.negated ? q.excludedWords : q.words).push(token.text)
      continue
    }
    const name = op[1]!.toLowerCase()
    const value = op[2]!
    if (!(searchOperators as readonly string[]).includes(name)) {
      throw bad(`"${written}" uses an unknown search operator "${op[1]}:"; the operators are ${operatorList}.`)
    }
    if (token.negated) throw bad(`"${written}" cannot be excluded: only words and "phrases" can be excluded with -.`)
    if (value === '') throw bad(`"${written}" needs a value, for example ${name}:${examples[name as SearchOperator]}.`)
    switch (name as SearchOperator) {
      case 'from':
        q.from.push(value.toLowerCase() === 'me' ? { kind: 'me' } : { kind: 'handle', handle: handle(value, written, 'from:@alice') })
        break
      case 'in':
        q.in.push(location(value, written))
        break
      case 'has': {
        const v = value.toLowerCase()
        if (!(searchHasValues as readonly string[]).includes(v)) throw bad(`"${written}" is not something a message can have; use has:link, has:file, has:reaction or has:pin.`)
        if (!q.has.includes(v as SearchHas)) q.has.push(v as SearchHas)
        break
      }
      case 'is':
        if (value.toLowerCase() !== 'thread') throw bad(`"${written}" is not supported; use is:thread.`)
        q.isThread = true
        break
      case 'during':
        q.dates.push({ op: 'during', value: day(value, written, options, true) })
        break
      default:
        q.dates.push({ op: name as 'before' | 'after' | 'on', value: day(value, written, options, false) })
    }
  }
  return q
}

const examples: Record<SearchOperator, string> = {
  from: '@alice',
  in: '#general',
  has: 'link',
  is: 'thread',
  before: '2024-05-01',
  after: '2024-05-01',
  on: '2024-05-01',
  during: '2024-05',
}
