import { createInterface } from 'node:readline'
import type { Socket } from 'node:net'

/** Longest line either side accepts: a message is at most 40k characters, plus its envelope. */
export const MAX_LINE = 4 * 1024 * 1024

/**
 * Newline-delimited framing over a stream socket: one JSON value per line (JSON never
 * contains a raw newline, so no escaping is needed). Calls `onLine` for each complete line;
 * a peer that sends an endless line is cut off.
 */
export function readLines(socket: Socket, onLine: (line: string) => void): void {
  let pending = 0
  socket.on('data', (chunk: Buffer) => {
    const nl = chunk.lastIndexOf(10)
    pending = nl === -1 ? pending + chunk.length : chunk.length - nl - 1
    if (pending > MAX_LINE) socket.destroy(new Error('line too long'))
  })
  const rl = createInterface({ input: socket, crlfDelay: Infinity })
  // readline passes the socket's errors on (a peer that reset the connection, a write after it
  // left); unheard, they would end the process. The socket's own error handler deals with them.
  rl.on('error', () => {})
  rl.on('line', (line) => {
    if (line.trim() !== '') onLine(line)
  })
  socket.on('close', () => rl.close())
}

export function writeLine(socket: Socket, value: unknown): void {
  if (!socket.destroyed && socket.writable) socket.write(JSON.stringify(value) + '\n')
}
