import { mkdir, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { limits, type Message } from '@ocomms/shared'
import { cannotRun, pasteImage } from '../../gui/test/helpers/browser.js'
import { FileTransfers, type FileDialogs } from '../src/index.js'
import { openRenderer } from './renderer-page.js'
import { bridgeFor, startTestServer, team, until, type Person } from './helpers.js'

process.env.OCOMMS_NOTIFY = 'off'

const skip = cannotRun()

/** The page's `window.ocomms.call`, answered as its result or its refusal's code. */
type PageCall = (method: string, params: object) => Promise<{ ok: true; result: unknown } | { ok: false; code: string }>

/**
 * Files in the desktop app: the web app's build in Chromium through the bridge, with Electron's
 * dialogs replaced by scripted answers. Files chosen in the open dialog, dropped and pasted are
 * uploaded by the daemon and seen by the other person; a file is saved where the save dialog
 * says with the same bytes; previews come through the daemon; the page never names a path.
 */
t.test('the desktop app: upload through the open dialog, drop and paste; download through the save dialog', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t)
  const [ann, bob] = (await team(t, server.url, ['ann', 'bob'])) as [Person, Person]
  const bridge = bridgeFor(t, bob)
  const here = await mkdtemp(join(tmpdir(), 'ocomms-desktop-files-'))
  const stagingRoot = join(here, 'staging')
  await mkdir(stagingRoot)
  t.teardown(() => rm(here, { recursive: true, force: true }))

  // Electron's dialogs, answering what the test scripted (null: the person cancelled).
  const openAnswers: Array<string[] | null> = []
  const saveAnswers: Array<string | null> = []
  const asked: Array<{ kind: 'open' | 'save'; options: unknown }> = []
  const dialogs: FileDialogs = {
    showOpenDialog: async (options) => {
      asked.push({ kind: 'open', options })
      const answer = openAnswers.shift() ?? null
      return answer ? { canceled: false, filePaths: answer } : { canceled: true, filePaths: [] }
    },
    showSaveDialog: async (options) => {
      asked.push({ kind: 'save', options })
      const answer = saveAnswers.shift() ?? null
      return answer ? { canceled: false, filePath: answer } : { canceled: true }
    },
  }
  const files = new FileTransfers({ dialogs, daemon: bridge.session('shell'), tempRoot: stagingRoot })
  t.teardown(() => files.close())
  // Every shell method the page called, in order.
  const shellCalls: string[] = []
  bridge.serveShellMethods({
    call: (owner, method, params) => (shellCalls.push(method), files.call(owner, method, params)),
    release: (owner) => files.release(owner),
  })

  const tab = await openRenderer(t, bridge)
  const { page } = tab
  await page.goto('/')
  await page.getByRole('heading', { name: '#general', level: 1 }).waitFor({ timeout: 30_000 })
  const log = page.getByRole('log', { name: 'Messages in general' })
  const attach = page.getByRole('form', { name: 'Send a message' }).getByRole('button', { name: 'Attach files' })
  const annSees = async () => (await ann.json<Message[]>(['read', '#general'])).flatMap((m) => m.files)
  /** The bytes of a file as ann downloads it from the server. */
  const annDownloads = async (name: string) => {
    const file = (await annSees()).find((f) => f.name === name)!
    const path = join(here, `ann-${name}`)
    await ann.rpc('files.download', { fileId: file.id, path })
    return readFile(path)
  }
  const pageCall = (method: string, params: object) =>
    page.evaluate<Awaited<ReturnType<PageCall>>, [string, object]>(
      ([m, p]) =>
        (window as unknown as { ocomms: { call(m: string, p: object): Promise<unknown> } }).ocomms.call(m, p).then(
          (result) => ({ ok: true as const, result }),
          (e: { code: string }) => ({ ok: false as const, code: e.code }),
        ),
      [method, params],
    )

  const png = await page.screenshot({ clip: { x: 0, y: 0, width: 120, height: 80 } })
  const notes = Buffer.from('first line\nsecond line\n')
  await writeFile(join(here, 'chart.png'), png)
  await writeFile(join(here, 'notes.txt'), notes)

  // 1. The attach button opens the system's dialog; the daemon uploads what was chosen.
  openAnswers.push([join(here, 'chart.png'), join(here, 'notes.txt')])
  await attach.click()
  await log.getByRole('link', { name: 'notes.txt', exact: true }).waitFor({ timeout: 20_000 })
  await log.getByRole('img', { name: 'chart.png' }).waitFor()
  await page.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>('img[alt="chart.png"]')
    return img !== null && img.complete && img.naturalWidth > 0
  })
  t.equal(await log.getByRole('img', { name: 'chart.png' }).evaluate((img: HTMLImageElement) => img.naturalWidth), 120, 'the image is previewed from bytes the daemon fetched')
  t.match(asked[0], { kind: 'open', options: { properties: ['openFile', 'multiSelections'] } }, 'one open dialog, several files allowed')
  await until(async () => (await annSees()).length === 2)
  t.same((await annDownloads('notes.txt')).toString('hex'), notes.toString('hex'), 'the other person gets the chosen file, same bytes')
  t.same((await annDownloads('chart.png')).toString('hex'), png.toString('hex'), 'and the image')
  t.equal(files.heldCount, 0, 'the handles were used up')

  // 2. A cancelled dialog sends nothing.
  const before = shellCalls.length
  await attach.click()
  await until(() => asked.length === 2)
  await new Promise((r) => setTimeout(r, 500))
  t.same(shellCalls.slice(before), ['shell.chooseFiles'], 'a cancelled dialog: no upload asked for')
  t.equal((await annSees()).length, 2, 'and nothing reached the conversation')
  t.equal(await page.getByRole('list', { name: 'Uploads' }).count(), 0, 'nor is anything listed as going')

  // 3. Dropped and pasted files: the page's bytes go to the shell, which has the daemon upload them.
  const big = Buffer.alloc(600 * 1024)
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251
  await page.evaluate((bytes) => {
    const data = new DataTransfer()
    data.items.add(new File(['dropped bytes'], 'dropped.csv', { type: 'text/csv' }))
    data.items.add(new File([new Uint8Array(bytes)], 'big.bin', { type: 'application/octet-stream' }))
    const target = document.querySelector('form[aria-label="Send a message"]')!
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }))
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }))
  }, [...big])
  await log.getByRole('link', { name: 'dropped.csv', exact: true }).waitFor({ timeout: 20_000 })
  await log.getByRole('link', { name: 'big.bin', exact: true }).waitFor({ timeout: 20_000 })
  t.ok(shellCalls.filter((m) => m === 'shell.stageChunk').length >= 4, 'the larger file went over in slices')
  await page.getByRole('textbox', { name: 'Message #general' }).focus()
  await pasteImage(page, png)
  await log.getByRole('img', { name: /^Pasted image .*\.png$/ }).waitFor({ timeout: 20_000 })
  await until(async () => (await annSees()).length === 5)
  t.same((await annDownloads('dropped.csv')).toString(), 'dropped bytes', 'a dropped file reaches the other person')
  t.ok((await annDownloads('big.bin')).equals(big), 'a dropped file of several slices, byte for byte')
  t.pass('a pasted image is uploaded and previewed')
  const staging = (await readdir(stagingRoot)).map((d) => join(stagingRoot, d))
  t.equal(staging.length, 1, 'one private folder for the page\'s bytes')
  t.equal((await stat(staging[0]!)).mode & 0o777, 0o700, 'readable by this user only')
  t.same(await readdir(staging[0]!), [], 'and every staged file was removed after its upload')

  // 4. Download: the save dialog suggests the name, the daemon writes the exact bytes there.
  const target = join(here, 'saved', 'my-notes.txt')
  await mkdir(join(here, 'saved'))
  saveAnswers.push(target)
  await log.getByRole('link', { name: 'notes.txt', exact: true }).click()
  await until(async () => (await stat(target).catch(() => null))?.size === notes.length)
  t.same(await readFile(target), notes, 'the file is saved where the dialog said, byte for byte')
  t.match(asked.at(-1), { kind: 'save', options: { defaultPath: 'notes.txt' } }, 'the dialog suggested the file\'s name')
  saveAnswers.push(target.replace('my-notes', 'chart-copy').replace('.txt', '.png'))
  await log.getByRole('link', { name: 'chart.png', exact: true }).click()
  await until(async () => (await stat(join(here, 'saved', 'chart-copy.png')).catch(() => null))?.size === png.length)
  t.same(await readFile(join(here, 'saved', 'chart-copy.png')), png, 'an image too')
  await log.getByRole('link', { name: 'dropped.csv', exact: true }).click()
  await until(() => asked.filter((a) => a.kind === 'save').length === 3)
  await new Promise((r) => setTimeout(r, 300))
  t.same((await readdir(join(here, 'saved'))).sort(), ['chart-copy.png', 'my-notes.txt'], 'a cancelled save writes nothing')

  // 5. The page cannot name a path, nor use a handle that is not its own, nor one twice.
  const general = await bob.rpc('resolve.target', { target: '#general' })
  t.match(await pageCall('files.upload', { conversationId: general.id, path: join(here, 'notes.txt') }), { ok: false, code: 'forbidden' }, 'files.upload with a path: refused')
  t.match(await pageCall('files.download', { fileId: (await annSees())[0]!.id, path: join(here, 'evil') }), { ok: false, code: 'forbidden' }, 'files.download to a path: refused')
  t.match(
    await pageCall('shell.uploadFile', { handle: 'x', conversationId: general.id, path: join(here, 'notes.txt') }),
    { ok: false, code: 'invalid_input' },
    'a path slipped into a shell method: refused by its declaration',
  )
  t.match(await pageCall('shell.uploadFile', { handle: '00000000-0000-4000-8000-000000000000', conversationId: general.id }), { ok: false, code: 'not_found' }, 'a made-up handle: unknown')
  t.match(await pageCall('shell.stageChunk', { handle: 'x', offset: 0, data: 'not base64!' }), { ok: false, code: 'invalid_input' }, 'bytes not in base64: refused')
  t.match(await pageCall('shell.nope', {}), { ok: false, code: 'not_found' }, 'an undeclared shell method: refused')
  const otherSession = bridge.session()
  t.teardown(() => otherSession.close())
  openAnswers.push([join(here, 'notes.txt')])
  const [othersFile] = ((await otherSession.call('shell.chooseFiles', {})) as { files: Array<{ handle: string }> }).files
  t.match(await pageCall('shell.uploadFile', { handle: othersFile!.handle, conversationId: general.id }), { ok: false, code: 'not_found' }, "another page's handle: unknown to this one")
  openAnswers.push([join(here, 'notes.txt')])
  const chosen = (await pageCall('shell.chooseFiles', {})) as { ok: true; result: { files: Array<{ handle: string }> } }
  const handle = chosen.result.files[0]!.handle
  t.match(await pageCall('shell.uploadFile', { handle, conversationId: general.id }), { ok: true }, 'a chosen file uploads once')
  t.match(await pageCall('shell.uploadFile', { handle, conversationId: general.id }), { ok: false, code: 'not_found' }, 'and its handle is spent')
  const staged = (await pageCall('shell.stageFile', { name: 'half.txt', size: 10 })) as { ok: true; result: { handle: string } }
  const stagedPath = join(staging[0]!, staged.result.handle)
  t.equal((await stat(stagedPath)).mode & 0o777, 0o600, 'a staged file is private to this user')
  t.match(await pageCall('shell.stageChunk', { handle: staged.result.handle, offset: 3, data: 'YWJj' }), { ok: false, code: 'invalid_input' }, 'bytes out of order: refused')
  t.match(await pageCall('shell.uploadFile', { handle: staged.result.handle, conversationId: general.id }), { ok: false, code: 'invalid_input' }, 'a file not all sent is not uploaded')
  t.equal(await stat(stagedPath).catch(() => null), null, 'and its bytes are removed')

  // 6. Too large: refused before anything is sent.
  const sent = (await annSees()).length
  t.match(await pageCall('shell.stageFile', { name: 'huge.bin', size: limits.fileBytes + 1 }), { ok: false, code: 'invalid_input' }, 'staging more than the limit: refused by the declaration')
  const huge = join(here, 'huge.bin')
  await (await open(huge, 'w')).truncate(limits.fileBytes + 1)
  openAnswers.push([huge])
  const callsBefore = shellCalls.length
  await attach.click()
  await page.getByRole('list', { name: 'Uploads' }).getByRole('alert').filter({ hasText: /too large/ }).waitFor()
  t.same(shellCalls.slice(callsBefore), ['shell.chooseFiles'], 'a chosen file over the limit is refused by the page, no upload asked for')
  await page.evaluate((size) => {
    const data = new DataTransfer()
    data.items.add(new File([new Uint8Array(size)], 'huge-drop.bin'))
    const target = document.querySelector('form[aria-label="Send a message"]')!
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }))
  }, limits.fileBytes + 1)
  await page.getByRole('list', { name: 'Uploads' }).getByRole('listitem').filter({ hasText: 'huge-drop.bin' }).getByRole('alert').waitFor()
  t.same(shellCalls.slice(callsBefore), ['shell.chooseFiles'], 'a dropped file over the limit: not a byte handed to the shell')
  await new Promise((r) => setTimeout(r, 300))
  t.equal((await annSees()).length, sent, 'nothing posted')

  t.same(tab.errors.filter((e) => !/Failed to load resource/.test(e)), [], 'no errors in the page')
})
