import { randomUUID } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Command } from 'commander'
import { textArg, type Cli } from '../context.js'
import { bytes, messageLine, refPrefix } from '../format.js'
import { action } from './action.js'

/** Uploads a file unattached (for `send --file`): the daemon reads it and holds the token. */
export async function uploadUnattached(cli: Cli, conversationId: string, path: string): Promise<string> {
  const res = await cli.rpc('files.upload', { conversationId, path: resolve(path) })
  return res.file.id
}

export function registerFiles(program: Command): void {
  program
    .command('upload')
    .argument('<target>', '#channel, @handle (DM), @a,@b (group DM) or a conversation id')
    .argument('<path>', 'the file to upload')
    .option('--comment <text>', 'a message to go with the file ("-" reads it from stdin)')
    .summary('upload a file into a conversation')
    .description('Upload a file; it is posted as a message carrying the file (printed; --json: the message object).')
    .addHelpText('after', '\nExamples:\n  ocomms upload \'#design\' mockup.png --comment "first draft"\n  ocomms download FILE_ID -o mockup.png')
    .action(
      action(async (cli, target: string, path: string, opts: { comment?: string }) => {
        const comment = opts.comment === undefined ? undefined : textArg(opts.comment)
        const c = await cli.target(target)
        const res = await cli.rpc('files.upload', {
          conversationId: c.id,
          path: resolve(path),
          clientId: randomUUID(),
          ...(comment !== undefined ? { comment } : {}),
        })
        cli.say(`Uploaded ${res.file.name} (${bytes(res.file.size)}): file id ${res.file.id}`)
        const me = cli.globals.json ? undefined : (await cli.rpc('profile.whoami', {})).user.handle
        cli.out(res.message, () => (res.message ? messageLine(res.message, refPrefix(c, me)) : null))
      }),
    )

  program
    .command('download')
    .argument('<file-id>', 'the file\'s id (read shows it next to each file)')
    .option('-o, --output <path>', 'write the bytes here (default: stdout)')
    .summary('download a file (to -o PATH or stdout)')
    .description('Download a file\'s bytes to PATH, or to stdout when -o is not given. Only members of its conversation may.')
    .action(
      action(async (cli, fileId: string, opts: { output?: string }) => {
        if (opts.output) {
          const res = await cli.rpc('files.download', { fileId, path: resolve(opts.output) })
          cli.say(`Saved ${res.name} (${bytes(res.size)}) to ${res.path}`)
          if (cli.globals.json) cli.out(res)
          return
        }
        // To stdout: the daemon writes into a private directory, then the bytes are copied out.
        const dir = await mkdtemp(join(tmpdir(), 'ocomms-download-'))
        try {
          const res = await cli.rpc('files.download', { fileId, path: join(dir, 'file') })
          await pipeline(createReadStream(res.path), process.stdout, { end: false })
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      }),
    )
}
