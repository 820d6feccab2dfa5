// Loaded into every test file's process (package.json "tap" node-arg).
//
// tap records each process a test starts by loading its process tracker into every child
// Node.js process: it puts its own `--import` into NODE_OPTIONS and re-adds it on every spawn,
// whatever environment the test passes. The tracker serves coverage and `tap --changed`, which
// this repository does not use ("disable-coverage"), and it costs each child about 0.7 s of CPU
// before its first line runs — and the tests start hundreds of children (every `ocomms` command,
// daemon and server process). So the children of a test start as they do for a user: without it.
// The test process itself keeps it; tap's runner needs it there.
const onSpawn = globalThis[Symbol.for('process-on-spawn@*:singletonId')]
if (onSpawn && Array.isArray(onSpawn.listeners)) onSpawn.listeners = []
if (process.env.NODE_OPTIONS) {
  const kept = process.env.NODE_OPTIONS.split(/\s+/).filter((o) => o && !o.includes('@tapjs/processinfo'))
  if (kept.length > 0) process.env.NODE_OPTIONS = kept.join(' ')
  else delete process.env.NODE_OPTIONS
}
