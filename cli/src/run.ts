import { OCommsError } from '@ocomms/shared/core'
import { openTui } from './tui.js'

function fail(json: boolean, code: string, message: string, exit: number): number {
  if (json) process.stdout.write(JSON.stringify({ error: { code, message } }) + '\n')
  process.stderr.write(`ocomms: ${message}\n`)
  return exit
}

/**
 * `ocomms` with no command: the terminal UI when it is installed and there is a terminal to run
 * it in (keys from one, screen to one), else the help.
 */
async function noCommand(): Promise<number | null> {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return null
  return (await openTui(process.env.OCOMMS_PROFILE || 'default')) ? 0 : null
}

/** Runs one command line; resolves with the exit code (the contract's 0/1/2/3). */
export async function run(argv: string[]): Promise<number> {
  const json = argv.includes('--json')
  if (argv.length === 0) {
    const code = await noCommand()
    if (code !== null) return code
  }
  // Loaded only for a command: the terminal UI (no arguments) starts without them, which
  // counts against its 300 ms to first paint.
  const [{ CommanderError }, { exitCodes, UsageError }, { buildProgram }] = await Promise.all([
    import('commander'),
    import('./context.js'),
    import('./program.js'),
  ])
  const program = buildProgram()
  if (argv.length === 0) {
    program.outputHelp()
    return exitCodes.ok
  }
  try {
    await program.parseAsync(argv, { from: 'user' })
    // A command that reports its own outcome (`server status` of a stopped server) sets the code.
    return typeof process.exitCode === 'number' ? process.exitCode : exitCodes.ok
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.exitCode === 0) return exitCodes.ok
      // commander already printed the reason on stderr.
      if (json) process.stdout.write(JSON.stringify({ error: { code: 'usage', message: err.message.replace(/^error: /, '') } }) + '\n')
      return exitCodes.usage
    }
    if (err instanceof UsageError) return fail(json, 'usage', err.message, exitCodes.usage)
    if (err instanceof OCommsError) {
      const exit = err.code === 'unavailable' ? exitCodes.unreachable : exitCodes.failed
      return fail(json, err.code, err.message, exit)
    }
    return fail(json, 'internal', err instanceof Error ? err.message : String(err), exitCodes.failed)
  }
}
