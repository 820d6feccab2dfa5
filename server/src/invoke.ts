import { OCommsError, type Operation } from '@ocomms/shared'
import { metricsOf } from './metrics/metrics.js'
import { handlers } from './operations/index.js'
import type { CallContext } from './services.js'

/**
 * Runs an operation for an authenticated (or public) call; REST and sockets both come through
 * here, and so through fair admission (src/admission/admission.ts) before the handler.
 */
export async function invoke(op: Operation, ctx: CallContext, input: unknown): Promise<unknown> {
  if (op.auth === 'session' && !ctx.caller) throw new OCommsError('unauthenticated')
  const handler = handlers[op.name as keyof typeof handlers] as unknown as (c: CallContext, i: unknown) => Promise<unknown>
  const start = process.hrtime.bigint()
  const seconds = () => Number(process.hrtime.bigint() - start) / 1e9
  try {
    const out = await ctx.services.admission.run(op.name, ctx, () => handler(ctx, input))
    metricsOf(ctx.services).operations.observe({ operation: op.name, outcome: 'ok' }, seconds())
    return out
  } catch (err) {
    metricsOf(ctx.services).operations.observe({ operation: op.name, outcome: err instanceof OCommsError ? err.code : 'internal' }, seconds())
    throw err
  }
}
