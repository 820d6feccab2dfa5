import { channelNamePattern, handlePattern } from './limits.js'

/**
 * Schema failures in words. The server (ajv) and the daemon (TypeBox) validate input against the
 * same declared schemas but word their failures for programmers ("must match pattern
 * "^[a-z0-9]..."", "Expected string length greater or equal to 1"); people get these sentences.
 */

/** One failed check: where (a dotted field path), which JSON Schema keyword, the schema that holds it and the value. */
export interface SchemaFailure {
  field: string
  keyword: string
  schema?: Record<string, unknown> | undefined
  value?: unknown
  /** For `required` and `additionalProperties`: the property in question. */
  property?: string | undefined
}

/** What each named pattern allows, in words. */
const patternWords: Record<string, string> = {
  [channelNamePattern]: 'lowercase letters, digits, "-" and "_", starting with a letter or digit',
  [handlePattern]: 'lowercase letters, digits, ".", "_" and "-", starting with a letter or digit',
}

const formatWords: Record<string, string> = {
  email: 'an email address',
  uuid: 'an id (as printed by --json output)',
  'date-time': 'a date and time (ISO 8601, e.g. 2026-01-31T09:00:00Z)',
  uri: 'a URL',
}

const typeWords: Record<string, string> = {
  string: 'a JSON string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  null: 'null',
}

const plural = (n: number, one: string) => `${n.toLocaleString('en')} ${one}${n === 1 ? '' : 's'}`

/** The sentence for one failed check, or null when there is none better than the validator's. */
export function schemaFailureInWords(f: SchemaFailure): string | null {
  const s = f.schema ?? {}
  const field = f.field || 'the input'
  const num = (key: string) => (typeof s[key] === 'number' ? (s[key] as number) : undefined)
  switch (f.keyword) {
    case 'required':
      return `${f.property ?? field} is required.`
    case 'additionalProperties':
      return `${f.property ?? 'a field'} is not something ${f.field || 'this request'} takes.`
    case 'maxLength': {
      const max = num('maxLength')
      if (max === undefined) return null
      const has = typeof f.value === 'string' ? `; this one has ${[...f.value].length.toLocaleString('en')}` : ''
      return `${field} can be at most ${plural(max, 'character')}${has}.`
    }
    case 'minLength': {
      const min = num('minLength')
      if (min === undefined) return null
      return min === 1 ? `${field} cannot be empty.` : `${field} needs at least ${plural(min, 'character')}.`
    }
    case 'pattern': {
      const pattern = typeof s.pattern === 'string' ? s.pattern : ''
      const words = patternWords[pattern]
      const max = num('maxLength')
      if (words) return `${field} may use only ${words}${max ? `, at most ${plural(max, 'character')}` : ''}.`
      if (typeof s.description === 'string') return `${field} is not valid: ${s.description}`
      return `${field} has characters that are not allowed here.`
    }
    case 'format': {
      const format = typeof s.format === 'string' ? s.format : ''
      return `${field} must be ${formatWords[format] ?? `a valid ${format || 'value'}`}.`
    }
    case 'maximum':
    case 'exclusiveMaximum':
      return num(f.keyword) === undefined ? `${field} must be a finite number.` : `${field} can be at most ${num(f.keyword)}.`
    case 'minimum':
    case 'exclusiveMinimum':
      return num(f.keyword) === undefined ? null : `${field} must be at least ${num(f.keyword)}.`
    case 'maxItems':
      return num('maxItems') === undefined ? null : `${field} can hold at most ${plural(num('maxItems')!, 'item')}.`
    case 'minItems':
      return num('minItems') === undefined ? null : `${field} needs at least ${plural(num('minItems')!, 'item')}.`
    case 'uniqueItems':
      return `${field} lists something twice.`
    case 'type': {
      const t = s.type
      const words = typeof t === 'string' ? typeWords[t] : undefined
      return words ? `${field} must be ${words}.` : null
    }
    case 'enum':
    case 'const':
    case 'anyOf': {
      const options = allowedValues(s)
      return options.length ? `${field} must be one of: ${options.join(', ')}.` : null
    }
    default:
      return null
  }
}

function allowedValues(s: Record<string, unknown>): string[] {
  if (Array.isArray(s.enum)) return s.enum.map(String)
  if ('const' in s) return [String(s.const)]
  if (Array.isArray(s.anyOf)) return (s.anyOf as Array<Record<string, unknown>>).flatMap((x) => ('const' in x ? [String(x.const)] : []))
  return []
}

/** An ajv error (the validator was built with `verbose: true`, so it carries its schema and value) in words. */
export function ajvErrorInWords(e: {
  keyword: string
  instancePath: string
  params?: Record<string, unknown>
  parentSchema?: unknown
  data?: unknown
  message?: string
}): string {
  const field = e.instancePath.replace(/^\//, '').replace(/\//g, '.')
  const property =
    typeof e.params?.missingProperty === 'string' ? e.params.missingProperty
    : typeof e.params?.additionalProperty === 'string' ? e.params.additionalProperty
    : undefined
  const words = schemaFailureInWords({
    field,
    keyword: e.keyword,
    schema: e.parentSchema as Record<string, unknown> | undefined,
    value: e.data,
    property,
  })
  return words ?? `${field ? `${field} ` : ''}${e.message ?? 'is not valid'}.`
}
