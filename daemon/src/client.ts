import { createConnection, type Socket } from 'node:net'
import type { DaemonMethodMap, DaemonMethodName, EventNotification, ParamsOf, ResultOf } from '@ocomms/shared'
import { DAEMON_EVENT_NOTIFICATION, OCommsError } from '@ocomms/shared/core'
import type { Static } from '@sinclair/typebox'
import { JSONRPCClient, type JSONRPCResponse } from 'json-rpc-2.0'
import { readLines, writeLine } from './lines.js'
import { fromRpcError } from './rpc-errors.js'

export type EventNotificationParams = Static<typeof EventNotification>

/**
 * A frontend's connection to the daemon: typed calls from the declarations in shared/, and
 * the `event` notifications of its subscriptions.
 */
export class DaemonClient {
  private readonly rpc: JSONRPCClient
  private readonly listeners = new Set<(params: EventNotificationParams) => void>()
  private readonly closeListeners = new Set<() => void>()
  private closed = false

  private constructor(private readonly socket: Socket) {
    this.rpc = new JSONRPCClient((request) => {
      if (this.closed) throw new Error('closed')
      writeLine(socket, request)
    })
    readLines(socket, (line) => {
      let message: { id?: unknown; method?: unknown; params?: unknown }
      try {
        message = JSON.parse(line) as typeof message
      } catch {
        return
      }
      if (message.method === DAEMON_EVENT_NOTIFICATION && message.id === undefined) {
        for (const l of this.listeners) l(message.params as EventNotificationParams)
      } else {
        this.rpc.receive(message as JSONRPCResponse)
      }
    })
    socket.on('close', () => {
      this.closed = true
      this.rpc.rejectAllPendingRequests('The daemon closed the connection.')
      for (const l of this.closeListeners) l()
    })
  }

  static connect(socketPath: string): Promise<DaemonClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(socketPath)
      socket.once('connect', () => {
        socket.removeAllListeners('error')
        socket.on('error', () => socket.destroy())
        resolve(new DaemonClient(socket))
      })
      socket.once('error', reject)
    })
  }

  async request<N extends DaemonMethodName>(method: N, params: ParamsOf<DaemonMethodMap[N]>): Promise<ResultOf<DaemonMethodMap[N]>> {
    if (this.closed) throw new OCommsError('unavailable', 'The daemon is not running.')
    let response: JSONRPCResponse
    try {
      response = await this.rpc.requestAdvanced({ jsonrpc: '2.0', id: this.nextId++, method, params: params as object })
    } catch {
      throw new OCommsError('unavailable', 'The daemon closed the connection.')
    }
    if (response.error) {
      if (this.closed && response.error.data === undefined) throw new OCommsError('unavailable', 'The daemon closed the connection.')
      throw fromRpcError(response.error)
    }
    return response.result as ResultOf<DaemonMethodMap[N]>
  }

  private nextId = 1

  onEvent(listener: (params: EventNotificationParams) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  onClose(listener: () => void): void {
    this.closeListeners.add(listener)
  }

  close(): void {
    this.closed = true
    this.socket.end()
  }
}
