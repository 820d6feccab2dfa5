export { buildProgram, cliVersion } from './program.js'
export { run } from './run.js'
