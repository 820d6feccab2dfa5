export { buildProgram, cliVersion } from './program.js'
export { run } from './run.js'
export { CLI_END, CLI_START, renderCliReference } from './docs.js'
