// Prints how long the rich text pipeline takes on typical and large messages.
// Run: node --import=tsx --conditions=ocomms-source bench/rich-text.ts
// Not a test: numbers depend on the machine; the tests only guard against super-linear blowups.
import { limits, parseRichText, plainText, renderHtml, renderTerminal } from '@ocomms/shared'

const fill = (unit: string, length = limits.messageText) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)

const sentence = 'Morning @ana, the *deploy* of `api` is done: see https://example.com/runs/42 and #ops :tada:\n'
const inputs: Record<string, string> = {
  'short message': 'Can you look at #deploys? @ana says the _staging_ run failed :sweat_smile:',
  'typical message (400 chars)': fill(sentence, 400),
  'rich message (2,000 chars)': fill(`> quoted *context* from @bob\n\n- item with \`code\`\n- item with https://example.com\n\n\`\`\`ts\nconst x = 1\n\`\`\`\n${sentence}`, 2_000),
  'longest message, prose': fill(sentence),
  'longest message, code block': '```\n' + fill('let x = a * b; // @ana #ops :tada:\n', limits.messageText - 8) + '\n```',
  'longest message, unicode': fill('日本語のテキスト 😀 é '),
  'longest message, emphasis soup': fill('*a _b ~c `d '),
  'longest message, brackets': fill('[a]('),
  'longest message, nested quotes/lists': fill('> - '),
  'longest message, www. and mentions': fill('www.example.com/x @ana #ops '),
}

function time(fn: () => void): number {
  fn()
  let best = Infinity
  for (let i = 0; i < 5; i++) {
    const start = performance.now()
    fn()
    best = Math.min(best, performance.now() - start)
  }
  return best
}

const ms = (n: number) => `${n.toFixed(2).padStart(8)} ms`
console.log(`${'input'.padEnd(38)}${'chars'.padStart(7)}  ${'parse'.padStart(11)}  ${'terminal'.padStart(11)}  ${'html'.padStart(11)}  ${'plain'.padStart(11)}`)
for (const [name, text] of Object.entries(inputs)) {
  const doc = parseRichText(text)
  const row = [
    time(() => parseRichText(text)),
    time(() => renderTerminal(doc, { width: 100, color: 3, me: 'ana' })),
    time(() => renderHtml(doc)),
    time(() => plainText(doc)),
  ]
  console.log(`${name.padEnd(38)}${String(text.length).padStart(7)}  ${row.map(ms).join('  ')}`)
}
