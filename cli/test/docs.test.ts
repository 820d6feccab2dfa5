import t from 'tap'
import { readFile } from 'node:fs/promises'
import { METHODS_END, METHODS_START, renderMethods, withGenerated } from '../../daemon/src/api-doc.js'
import { daemonMethods } from '@ocomms/shared'
import { CLI_END, CLI_START, renderCliReference } from '../src/docs.js'
import { buildProgram } from '../src/program.js'

const doc = (name: string) => readFile(new URL(`../../docs/${name}`, import.meta.url), 'utf8')

t.test('docs/cli.md and docs/daemon-api.md are generated from the current definitions', async (t) => {
  const cli = await doc('cli.md')
  t.equal(withGenerated(cli, CLI_START, CLI_END, renderCliReference()), cli, 'docs/cli.md is current (npm run docs)')
  const api = await doc('daemon-api.md')
  t.equal(withGenerated(api, METHODS_START, METHODS_END, renderMethods()), api, 'docs/daemon-api.md is current (npm run docs)')
  for (const name of Object.keys(daemonMethods)) t.match(api, `### \`${name}\``, `${name} is documented`)
})

t.test('every command has a description, and every option and argument says what it is', async (t) => {
  const walk = (cmd: ReturnType<typeof buildProgram>, path: string[]): void => {
    for (const sub of cmd.commands) {
      const name = [...path, sub.name()].join(' ')
      t.ok(sub.description().length > 10, `${name} has a description`)
      for (const opt of sub.options) t.ok(opt.description.length > 3, `${name} ${opt.flags} is described`)
      for (const arg of sub.registeredArguments) t.ok(arg.description.length > 3, `${name} <${arg.name()}> is described`)
      walk(sub, [...path, sub.name()])
    }
  }
  walk(buildProgram(), ['ocomms'])
})

t.test('the contract\'s commands of this release all exist', async (t) => {
  const program = buildProgram()
  const find = (words: string[]) => words.reduce<ReturnType<typeof buildProgram> | undefined>((c, w) => c?.commands.find((s) => s.name() === w), program)
  for (const cmd of [
    'server start', 'signup', 'login', 'logout', 'whoami', 'workspace list', 'workspace use', 'workspace create', 'invite', 'members', 'whois', 'role',
    'deactivate', 'daemon start', 'daemon stop', 'daemon status', 'channel create', 'channel list', 'channel join', 'channel leave', 'channel invite',
    'channel kick', 'channel topic', 'channel describe', 'channel info', 'channel archive', 'dm', 'send', 'read', 'edit', 'delete', 'tail',
  ]) {
    t.ok(find(cmd.split(' ')), `ocomms ${cmd}`)
  }
})
