import type { SeedPlan } from './seed.js'

/** Sizes of a run. `short` is what `npm run bench` runs (under two minutes); `full` is the table. */
export interface Scale {
  name: 'short' | 'full'
  seed: SeedPlan
  p1: { clients: number; rate: number; seconds: number }
  p2: { members: number }
  p3: { clients: number; inFlight: number; seconds: number }
  p4: { sockets: number }
  p5: { clients: number }
  p7: { calls: number; concurrency: number }
  p8: { steps: number[]; seconds: number; thinkMs: number }
  /** The noisy neighbour: P1's chat, and one member flooding this much every 50 ms. */
  p9: { reactions: number; searches: number; typing: number }
  /** Small rooms: `clients` in rooms of 10, open loop, each rate of `steps` (msg/s) for `seconds`. */
  p10: { clients: number; steps: number[]; seconds: number }
}

export const scales: Record<Scale['name'], Scale> = {
  short: {
    name: 'short',
    seed: { users: 2_000, p1: { channels: 50, members: 10 }, p3: { channels: 25, members: 20 }, p10: { channels: 20, members: 10 }, big: 1_000, mixSize: 50, mixPerUser: 3, history: 2_000 },
    p1: { clients: 500, rate: 100, seconds: 5 },
    p2: { members: 1_000 },
    p3: { clients: 500, inFlight: 64, seconds: 5 },
    p4: { sockets: 2_000 },
    p5: { clients: 500 },
    p7: { calls: 500, concurrency: 8 },
    p8: { steps: [250, 500], seconds: 10, thinkMs: 5_000 },
    p9: { reactions: 20, searches: 10, typing: 200 },
    p10: { clients: 200, steps: [100, 500, 1_000, 2_000, 3_000], seconds: 3 },
  },
  full: {
    name: 'full',
    seed: { users: 10_000, p1: { channels: 200, members: 10 }, p3: { channels: 100, members: 20 }, p10: { channels: 20, members: 10 }, big: 5_000, mixSize: 50, mixPerUser: 3, history: 10_000 },
    p1: { clients: 2_000, rate: 200, seconds: 20 },
    p2: { members: 5_000 },
    p3: { clients: 2_000, inFlight: 256, seconds: 20 },
    p4: { sockets: 10_000 },
    p5: { clients: 2_000 },
    p7: { calls: 5_000, concurrency: 8 },
    p8: { steps: [1_000, 2_000, 3_000, 4_000, 6_000, 8_000], seconds: 20, thinkMs: 5_000 },
    p9: { reactions: 20, searches: 10, typing: 200 },
    p10: { clients: 200, steps: [100, 250, 500, 1_000, 1_500, 2_000, 2_500, 3_000], seconds: 20 },
  },
}
