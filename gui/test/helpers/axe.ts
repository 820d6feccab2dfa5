import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const require = createRequire(import.meta.url)
let source: string | null = null

export interface AxeViolation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: string[]; failureSummary?: string }>
}

/**
 * Runs axe-core on the page as it is and returns the serious and critical violations. The
 * script goes in through the DevTools protocol (page.evaluate), which the page's CSP does not
 * govern, so the policy stays as strict as people get it.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  source ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8')
  await page.evaluate(source)
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: AxeViolation[] }> } }).axe
    const result = await axe.run(document, { resultTypes: ['violations'] })
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }))
  })
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
}
