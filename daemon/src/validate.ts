import { OCommsError, schemaFailureInWords } from '@ocomms/shared/core'
import { FormatRegistry, type TSchema } from '@sinclair/typebox'
import { Value, ValueErrorType, type ValueError } from '@sinclair/typebox/value'

// TypeBox checks formats only when told how; these are the ones the protocol uses.
const formats: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  email: /^[^\s@]+@[^\s@]+$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
}
for (const [name, re] of Object.entries(formats)) if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, (v) => re.test(v))

/** TypeBox's error kinds by the JSON Schema keyword they check. */
const keywordOf: Partial<Record<ValueErrorType, string>> = {
  [ValueErrorType.StringMaxLength]: 'maxLength',
  [ValueErrorType.StringMinLength]: 'minLength',
  [ValueErrorType.StringPattern]: 'pattern',
  [ValueErrorType.StringFormat]: 'format',
  [ValueErrorType.String]: 'type',
  [ValueErrorType.Number]: 'type',
  [ValueErrorType.Integer]: 'type',
  [ValueErrorType.Boolean]: 'type',
  [ValueErrorType.Array]: 'type',
  [ValueErrorType.NumberMaximum]: 'maximum',
  [ValueErrorType.IntegerMaximum]: 'maximum',
  [ValueErrorType.NumberMinimum]: 'minimum',
  [ValueErrorType.IntegerMinimum]: 'minimum',
  [ValueErrorType.ArrayMaxItems]: 'maxItems',
  [ValueErrorType.ArrayMinItems]: 'minItems',
  [ValueErrorType.Literal]: 'const',
  [ValueErrorType.Union]: 'anyOf',
  [ValueErrorType.ObjectRequiredProperty]: 'required',
}

function inWords(e: ValueError): string | null {
  const keyword = keywordOf[e.type]
  if (!keyword) return null
  const field = e.path.slice(1).replace(/\//g, '.')
  return schemaFailureInWords({ field, keyword, schema: e.schema as Record<string, unknown>, value: e.value })
}

/** Checks params against a method's declared schema; the first problem becomes the sentence. */
export function validateParams(schema: TSchema, params: unknown): void {
  if (Value.Check(schema, params)) return
  const first = Value.Errors(schema, params).First()
  const words = first ? inWords(first) : null
  if (words) throw new OCommsError('invalid_input', words)
  const where = first?.path ? `${first.path.slice(1).replace(/\//g, '.')}: ` : ''
  throw new OCommsError('invalid_input', `Invalid parameters: ${where}${first?.message ?? 'not accepted'}.`)
}
