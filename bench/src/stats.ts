import hdr from 'hdr-histogram-js'

/**
 * Latencies are recorded in microseconds into HDR histograms (3 significant digits, up to
 * 2 minutes), so workers ship a compact encoding instead of every sample.
 */
export type Histogram = hdr.Histogram

export function histogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 })
}

export const encode = (h: Histogram): string => hdr.encodeIntoCompressedBase64(h)

export function merge(encoded: string[]): Histogram {
  const total = histogram()
  for (const e of encoded) total.add(hdr.decodeFromCompressedBase64(e))
  return total
}

/** Monotonic nanoseconds, comparable across processes on one Linux machine (CLOCK_MONOTONIC). */
export const nowNs = (): bigint => process.hrtime.bigint()

export const usSince = (startNs: bigint): number => Number((nowNs() - startNs) / 1000n)

export const ms = (us: number): number => us / 1000

export interface Summary {
  count: number
  p50: number
  p99: number
  max: number
  mean: number
}

/** Milliseconds. */
export function summary(h: Histogram): Summary {
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p99: ms(h.getValueAtPercentile(99)),
    max: ms(h.maxValue),
    mean: ms(h.mean),
  }
}
