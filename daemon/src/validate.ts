import { OCommsError } from '@ocomms/shared/core'
import { FormatRegistry, type TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

// TypeBox checks formats only when told how; these are the ones the protocol uses.
const formats: Record<string, RegExp> = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  email: /^[^\s@]+@[^\s@]+$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
}
for (const [name, re] of Object.entries(formats)) if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, (v) => re.test(v))

/** Checks params against a method's declared schema; the first problem becomes the sentence. */
export function validateParams(schema: TSchema, params: unknown): void {
  if (Value.Check(schema, params)) return
  const first = Value.Errors(schema, params).First()
  const where = first?.path ? `${first.path.slice(1).replace(/\//g, '.')}: ` : ''
  throw new OCommsError('invalid_input', `Invalid parameters: ${where}${first?.message ?? 'not accepted'}.`)
}
