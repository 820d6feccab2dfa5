import { run } from './run.js'

// A reader that stops early (`ocomms --help | head -5`) closes the pipe: the output is simply
// done, which is no error and no reason for a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
}

process.exitCode = await run(process.argv.slice(2))
