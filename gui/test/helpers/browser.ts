import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core'

/**
 * Real Chromium for the web app's end-to-end tests: Debian's `chromium` package driven by
 * playwright-core (Playwright's own browser download cannot work here). `.ci/run` installs the
 * package when it is missing; without it the tests skip and say why.
 */
export const chromiumPath = process.env.OCOMMS_CHROMIUM ?? '/usr/bin/chromium'

/** The built app the server serves (npm test builds it before the tests run). */
export const webDir = fileURLToPath(new URL('../../dist', import.meta.url))

/** Where the tests leave screenshots of the real app, for the docs and the README. */
export const screenshotDir = fileURLToPath(new URL('../../../docs/screenshots', import.meta.url))

interface Teardown {
  teardown(fn: () => unknown): void
}

/** Why the browser tests cannot run here, or null when they can. */
export function cannotRun(): string | null {
  if (!existsSync(chromiumPath)) return `no Chromium at ${chromiumPath} (apt-get install chromium)`
  if (!existsSync(`${webDir}/index.html`)) return 'the web app is not built (npm run build -w gui)'
  return null
}

/**
 * Debian's Chromium, headless. `scrollbars`: drawn, and taking room, as in a desktop browser's or
 * the desktop app's window (headless, Chromium hides them by default).
 */
export async function launchChromium(t: Teardown, options: { scrollbars?: boolean } = {}): Promise<Browser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    ...(options.scrollbars ? { ignoreDefaultArgs: ['--hide-scrollbars'] } : {}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-dev-shm-usage'],
  })
  t.teardown(() => browser.close())
  return browser
}

export interface Tab {
  context: BrowserContext
  page: Page
  /** Errors the page reported: uncaught exceptions, console errors (CSP violations among them). */
  errors: string[]
  /** Set by a hostile message's payload if it ever ran; must stay empty. */
  shot(name: string): Promise<string>
}

export const desktop = { width: 1280, height: 800 }
export const phone = { width: 390, height: 844 }

/** A browser profile of its own (cookies, storage) with one page: one person at one screen. */
export async function openTab(
  browser: Browser,
  baseURL: string,
  options: { viewport?: { width: number; height: number }; colorScheme?: 'light' | 'dark'; mobile?: boolean } = {},
): Promise<Tab> {
  const context = await browser.newContext({
    baseURL,
    viewport: options.viewport ?? desktop,
    colorScheme: options.colorScheme ?? 'light',
    isMobile: options.mobile ?? false,
    hasTouch: options.mobile ?? false,
    deviceScaleFactor: 1,
    locale: 'en-US',
    timezoneId: 'UTC',
  })
  const page = await context.newPage()
  page.setDefaultTimeout(10_000)
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    // A signed-out page asks who it is and hears 401; that is not an error of the app.
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) errors.push(`console: ${msg.text()}`)
  })
  return {
    context,
    page,
    errors,
    async shot(name) {
      await mkdir(screenshotDir, { recursive: true })
      const path = `${screenshotDir}/${name}.png`
      await page.screenshot({ path, animations: 'disabled' })
      return path
    },
  }
}

/** Pastes an image into the focused element, as a screenshot taken to the clipboard would be. */
export async function pasteImage(page: Page, bytes: Uint8Array, name = 'image.png'): Promise<void> {
  await page.evaluate(
    ({ bytes, name }) => {
      const data = new DataTransfer()
      data.items.add(new File([new Uint8Array(bytes)], name, { type: 'image/png' }))
      document.activeElement!.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }))
    },
    { bytes: [...bytes], name },
  )
}

/**
 * Whether the element has the keyboard focus once it is shown (waiting up to 2 s for both), as
 * it should when a screen or dialog opens on a field: `fill` and `click` focus a field
 * themselves, so only this tells whether the app did.
 */
export async function hasFocus(target: Locator): Promise<boolean> {
  const element = await target.elementHandle()
  return target
    .page()
    .waitForFunction((el) => el === document.activeElement, element, { timeout: 2000 })
    .then(
      () => true,
      (err: Error) => {
        if (err.name === 'TimeoutError') return false
        throw err
      },
    )
}
