/** What the orchestrator and its worker processes say to each other over IPC. */

export interface Client {
  userId: string
  token: string
  workspaceId: string
  /** The conversations this client sends to and syncs. */
  conversations: string[]
}

export type Command =
  | { cmd: 'connect'; url: string; clients: Client[]; concurrency: number }
  | { cmd: 'disconnect' }
  /** Closes every connection but keeps the clients and their cursors, for reconnectSync. */
  | { cmd: 'dropAll' }
  /** Starts counting deliveries and their latency (send time is in the message text). */
  | { cmd: 'record' }
  | { cmd: 'collect' }
  /** Deliveries counted so far, without stopping. */
  | { cmd: 'progress' }
  /**
   * Open-loop sends at `rate` per second over `durationMs`, from random clients of this worker.
   * `paced`: each send goes out when it is due (to the millisecond) instead of on a 5 ms tick,
   * so a high rate is not sent in bursts of a tick's worth.
   */
  | { cmd: 'send'; rate: number; durationMs: number; paced?: boolean }
  /** Closed-loop sends: `inFlight` outstanding at any time, for `durationMs`. */
  | { cmd: 'saturate'; inFlight: number; durationMs: number }
  /** One send from the first client to its first conversation; used by the fan-out scenario. */
  | { cmd: 'sendOne'; tag: string }
  | { cmd: 'history'; calls: number; concurrency: number; limit: number; conversationId: string }
  /** Drops every connection, then reconnects all at once and syncs from the cursors. */
  | { cmd: 'reconnectSync'; url: string }
  | { cmd: 'cursors' }
  | { cmd: 'mix'; durationMs: number; thinkMs: number; ops: string[] }
  /** Calls each operation of the mix once; answers the error of those that refused their input. */
  | { cmd: 'probe'; ops: string[] }
  /**
   * The noisy neighbour: the first client emits, every `everyMs` for `durationMs` and without
   * waiting for answers, `reactions` reaction toggles, `searches` searches and `typing`
   * typing.start; answers how many of each answer code came back.
   */
  | { cmd: 'flood'; durationMs: number; everyMs: number; reactions: number; searches: number; typing: number }

export interface Collected {
  deliveries: number
  /** Send→deliver latency, encoded histogram (µs). */
  deliver: string
  /** Send→ack latency, encoded histogram (µs). */
  ack: string
  /** Per tag: how many deliveries and when the last one arrived (ns, monotonic). */
  tags: Record<string, { count: number; lastNs: string }>
  errors: number
  errorSamples: string[]
  /** Per operation of the mix: encoded histogram (µs) and error count. */
  ops: Record<string, { h: string; errors: number }>
}

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string }
