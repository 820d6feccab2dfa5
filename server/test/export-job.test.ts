import t from 'tap'
import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { x as untar } from 'tar'
import { startTeam } from './helpers/team.js'

t.test('export through the API: a background job with progress, a download when ready, an audit entry; owners only', async (t) => {
  const { server, ws, alice, bob, eve, general, send } = await startTeam(t)
  for (let i = 0; i < 30; i++) await send(i % 2 ? alice : bob, general.id, `message ${i}`)
  await t.rejects(bob.call('export.start', { workspaceId: ws.id }), { code: 'forbidden' }, 'a member may not')
  await t.rejects(eve.call('export.start', { workspaceId: ws.id }), { code: 'not_found' }, 'an outsider does not see the workspace')

  const job = await alice.call('export.start', { workspaceId: ws.id })
  t.match(job, { workspaceId: ws.id, state: 'running', download: null })
  let now = job
  for (let i = 0; i < 200 && now.state === 'running'; i++) {
    await new Promise((r) => setTimeout(r, 50))
    now = await alice.call('export.get', { workspaceId: ws.id, exportId: job.id })
  }
  t.match(now, { state: 'ready', counts: { messages: 30, members: 3 }, size: Number, download: `/api/workspaces/${ws.id}/exports/${job.id}/content` })
  await t.rejects(bob.call('export.get', { workspaceId: ws.id, exportId: job.id }), { code: 'forbidden' })
  await t.rejects(alice.call('export.get', { workspaceId: ws.id, exportId: randomUUID() }), { code: 'not_found' })

  const refused = await fetch(server.url + now.download!, { headers: { authorization: `Bearer ${bob.token}` } })
  t.equal(refused.status, 403, 'a member cannot download it')
  const res = await fetch(server.url + now.download!, { headers: { authorization: `Bearer ${alice.token}` } })
  t.equal(res.status, 200)
  t.equal(res.headers.get('content-type'), 'application/gzip')
  const bytes = Buffer.from(await res.arrayBuffer())
  t.equal(bytes.length, now.size)
  const dir = await mkdtemp(join(tmpdir(), 'ocomms-export-job-'))
  t.teardown(() => import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true, force: true })))
  await new Promise<void>((resolve, reject) => {
    const x = untar({ cwd: dir })
    x.on('finish', resolve).on('error', reject)
    x.end(bytes)
  })
  t.ok((await readdir(dir)).includes('messages.jsonl'), 'the archive holds the export format')
  t.equal((await readFile(join(dir, 'messages.jsonl'), 'utf8')).trim().split('\n').length, 30)
  t.match(JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')), { format: 'ocomms-export', workspace: { id: ws.id } })
  t.match((await alice.call('audit.list', { workspaceId: ws.id, action: 'workspace.exported' }))[0], { actor: { handle: 'alice' } }, 'audited with its owner')
})
