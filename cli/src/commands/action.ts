import type { Command } from 'commander'
import { Cli } from '../context.js'

/**
 * Wraps a command body: builds the context from the global options and always closes the
 * daemon connection, so the process ends when the command is done.
 */
export function action<Args extends unknown[]>(fn: (cli: Cli, ...args: Args) => Promise<void>) {
  return async function (this: Command, ...args: unknown[]): Promise<void> {
    const cli = Cli.of(this)
    try {
      await fn(cli, ...(args.slice(0, -1) as Args))
    } finally {
      cli.close()
    }
  }
}
