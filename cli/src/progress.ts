/**
 * Progress of a long server operation (export, import) on one stderr line that rewrites itself,
 * only on a terminal and never with --json: scripts and logs get the final summary alone.
 */
export function terminalProgress(json: boolean): { update(p: { kind: string; done: number; total?: number }): void; end(): void } {
  const on = !json && process.stderr.isTTY === true
  let last = 0
  let shown = false
  return {
    update({ kind, done, total }) {
      if (!on) return
      const now = Date.now()
      if (now - last < 100) return
      last = now
      shown = true
      process.stderr.write(`\r\x1b[K${kind}: ${done.toLocaleString('en')}${total ? ` of ${total.toLocaleString('en')}` : ''}`)
    },
    end() {
      if (on && shown) process.stderr.write('\r\x1b[K')
    },
  }
}
