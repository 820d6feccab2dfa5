import type { Static, TSchema } from '@sinclair/typebox'
import { OCommsError } from './errors.js'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/**
 * Who may call an operation: `public` needs no session (sign-up, login),
 * `session` needs a valid session token. Finer checks (workspace membership,
 * conversation access, roles) belong to the handler, which knows the resource.
 */
export type AuthLevel = 'public' | 'session'

/**
 * One operation of the protocol, declared once. The server derives its REST route
 * (`http`) and its socket event (`name`) from this object; the daemon and clients
 * derive their calls from it too, so nothing re-declares the shapes.
 */
export interface Operation<
  Name extends string = string,
  Input extends TSchema = TSchema,
  Output extends TSchema = TSchema,
  Auth extends AuthLevel = AuthLevel,
> {
  readonly name: Name
  readonly summary: string
  readonly http: { readonly method: HttpMethod; readonly path: string }
  readonly auth: Auth
  readonly input: Input
  readonly output: Output
}

export function defineOperation<Name extends string, Input extends TSchema, Output extends TSchema, Auth extends AuthLevel>(
  op: Operation<Name, Input, Output, Auth>,
): Operation<Name, Input, Output, Auth> {
  return op
}

export type InputOf<Op> = Op extends Operation<string, infer I, TSchema, AuthLevel> ? Static<I> : never
export type OutputOf<Op> = Op extends Operation<string, TSchema, infer O, AuthLevel> ? Static<O> : never

/** Path parameters named in an HTTP path template such as `/conversations/:conversationId`. */
export function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!)
}

/**
 * A value that goes into a URL (path or query string). Only scalars have one spelling there;
 * anything else is refused before a request is made, rather than sent as whatever `String()`
 * makes of it (or thrown from `String()` as a TypeError).
 */
function urlValue(key: string, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value)
  throw new OCommsError('invalid_input', `${key} must be a string, number or boolean.`)
}

/** Fill a path template from an input object, URL-encoding each value. */
export function fillPath(path: string, input: Record<string, unknown>): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, (_, key: string) => encodeURIComponent(urlValue(key, input[key])))
}

/** The fields of an input that are not parameters of the path template (undefined ones left out). */
export function fieldsBesidePath(path: string, input: Record<string, unknown>): Array<[string, unknown]> {
  const params = new Set(pathParams(path))
  return Object.entries(input).filter(([k, v]) => !params.has(k) && v !== undefined)
}

/** A path template filled from an input, its other fields as the query string. */
export function pathWithQuery(path: string, input: Record<string, unknown>): string {
  const query = new URLSearchParams(fieldsBesidePath(path, input).map(([k, v]): [string, string] => [k, urlValue(k, v)]))
  const filled = fillPath(path, input)
  return query.size > 0 ? `${filled}?${query}` : filled
}
