import t from 'tap'
import { errorCodes, isErrorCode, OCommsError } from '../src/index.js'

t.test('every code has an HTTP status and a sentence', async (t) => {
  for (const [code, { status, message }] of Object.entries(errorCodes)) {
    t.match(code, /^[a-z_]+$/, `${code} is snake_case`)
    t.ok(status >= 400 && status < 600, `${code} maps to an error status`)
    t.match(message, /^[A-Z].*\.$/, `${code} has a sentence`)
  }
})

t.test('each client error code has its own status, so REST callers can tell them apart', async (t) => {
  const statuses = Object.values(errorCodes).map((e) => e.status)
  t.equal(new Set(statuses).size, statuses.length)
})

t.test('errors round-trip through their wire form', async (t) => {
  const err = new OCommsError('rate_limited', 'Too many attempts; try again in 3 seconds.', { retryAfter: 3 })
  t.equal(err.status, 429)
  const back = OCommsError.from(JSON.parse(JSON.stringify(err)))
  t.equal(back.code, 'rate_limited')
  t.equal(back.message, err.message)
  t.same(back.details, { retryAfter: 3 })
  t.equal(new OCommsError('not_found').message, errorCodes.not_found.message, 'default sentence')
})

t.test('anything that is not a known error body becomes internal', async (t) => {
  for (const junk of [null, undefined, 'boom', 42, {}, { code: 'nope', message: 'x' }, { code: 'toString' }]) {
    t.equal(OCommsError.from(junk).code, 'internal', JSON.stringify(junk) ?? 'undefined')
  }
  t.notOk(isErrorCode('constructor'), 'prototype keys are not codes')
  t.ok(isErrorCode('conflict'))
})
