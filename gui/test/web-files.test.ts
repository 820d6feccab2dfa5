import t from 'tap'
import { startTestServer } from '../../server/test/helpers/server.js'
import { cannotRun, launchChromium, openTab, pasteImage, type Tab, webDir } from './helpers/browser.js'

const skip = cannotRun()
const password = 'correct horse battery staple'

async function signIn(tab: Tab, email: string): Promise<void> {
  await tab.page.goto('/signin')
  await tab.page.getByLabel('Email', { exact: true }).fill(email)
  await tab.page.getByLabel('Password', { exact: true }).fill(password)
  await tab.page.getByRole('button', { name: 'Sign in', exact: true }).click()
  await tab.page.getByRole('navigation', { name: 'Workspace' }).waitFor()
}

/**
 * Files in the web app: uploaded by the attach button, by dropping and by pasting, each posted
 * in a message with its progress shown meanwhile; images previewed from the download route with
 * the cookie session, every file downloadable with the same bytes; the other person (on the API)
 * gets the same messages and files.
 */
t.test('the web app: file upload by button, drop and paste, progress, previews, download', { skip: skip ?? false }, async (t) => {
  const server = await startTestServer(t, { webDir })
  const { ws, people } = await server.team('ada', 'grace')
  const [ada, grace] = people
  const general = (await grace.call('conversation.list', { workspaceId: ws.id })).find((c) => c.name === 'general')!
  const browser = await launchChromium(t)
  const A = await openTab(browser, server.url)
  const { page } = A
  await signIn(A, ada.email)
  await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: /^general\b/ }).click()
  await page.getByRole('heading', { name: '#general', level: 1 }).waitFor()
  const log = page.getByRole('log', { name: 'Messages in general' })

  // A real PNG: a piece of the page itself.
  const png = await page.screenshot({ clip: { x: 0, y: 0, width: 120, height: 80 } })
  const notes = Buffer.from('first line\nsecond line\n')

  // 1. The attach button.
  await page.locator('form[aria-label="Send a message"] input[type=file]').setInputFiles([
    { name: 'chart.png', mimeType: 'image/png', buffer: png },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: notes },
  ])
  const image = log.getByRole('img', { name: 'chart.png' })
  await image.waitFor()
  await page.waitForFunction(() => {
    const img = document.querySelector<HTMLImageElement>('img[alt="chart.png"]')
    return img !== null && img.complete && img.naturalWidth > 0
  })
  t.equal(await image.evaluate((img: HTMLImageElement) => img.naturalWidth), 120, 'the image is previewed from the download route, with the cookie session')
  const textLink = log.getByRole('link', { name: 'notes.txt', exact: true })
  await textLink.waitFor()
  t.equal(await log.getByRole('img', { name: 'notes.txt' }).count(), 0, 'a text file has no preview')
  const href = await textLink.getAttribute('href')
  const downloaded = await page.evaluate(async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer()).join(','), href!)
  t.equal(downloaded, [...notes].join(','), 'the download link gives the same bytes')
  const [download] = await Promise.all([page.waitForEvent('download'), textLink.click()])
  t.equal(download.suggestedFilename(), 'notes.txt', 'clicking downloads it under its name')

  // 2. Dropped on the composer.
  await page.evaluate(() => {
    const data = new DataTransfer()
    data.items.add(new File(['dropped bytes'], 'dropped.csv', { type: 'text/csv' }))
    const target = document.querySelector('form[aria-label="Send a message"]')!
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }))
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }))
  })
  await log.getByRole('link', { name: 'dropped.csv', exact: true }).waitFor()
  t.pass('a dropped file is uploaded and posted')

  // 3. Pasted into the message box (a screenshot from the clipboard).
  await page.getByRole('textbox', { name: 'Message #general' }).focus()
  await pasteImage(page, png)
  await log.getByRole('img', { name: /^Pasted image .*\.png$/ }).waitFor()
  t.pass('a pasted image is uploaded with a name that says when, and previewed')

  // 4. Progress, on a slow line.
  const cdp = await A.context.newCDPSession(page)
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 256 * 1024 })
  await page.locator('form[aria-label="Send a message"] input[type=file]').setInputFiles([{ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(600 * 1024, 7) }])
  const bar = page.getByRole('progressbar', { name: 'Uploading big.bin' })
  await bar.waitFor()
  await page.waitForFunction(() => {
    const p = document.querySelector<HTMLProgressElement>('progress[aria-label="Uploading big.bin"]')
    return p !== null && p.value > 0 && p.value < 1
  })
  t.pass('progress is shown while the bytes go')
  await A.shot('web-files-progress')
  await log.getByRole('link', { name: 'big.bin', exact: true }).waitFor({ timeout: 20_000 })
  await bar.waitFor({ state: 'detached' })
  t.pass('and the file is posted when they have arrived')
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 })

  // The other person sees the same messages and files.
  const seen = await grace.call('message.list', { conversationId: general.id, limit: 20 })
  const names = seen.flatMap((m) => m.files.map((f) => f.name)).sort()
  t.equal(names.length, 5)
  t.match(names, [/^Pasted image .*\.png$/, 'big.bin', 'chart.png', 'dropped.csv', 'notes.txt'], 'every file reached the conversation, once')
  t.equal(seen.find((m) => m.files.some((f) => f.name === 'chart.png'))?.author.id, ada.id, 'posted by the uploader')

  await page.getByRole('article').filter({ has: page.getByRole('img', { name: 'chart.png' }) }).scrollIntoViewIfNeeded()
  await A.shot('web-files')
  t.same(A.errors, [], 'no script error or CSP violation')
})
