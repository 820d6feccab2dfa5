/**
 * Copies through the terminal (OSC 52): works over SSH and inside tmux (`set-clipboard on`),
 * needs no clipboard program, and is silently ignored by terminals that do not support it.
 */
export function osc52(text: string): string {
  const payload = Buffer.from(text, 'utf8').toString('base64')
  const sequence = `\u001b]52;c;${payload}\u0007`
  // Inside tmux without passthrough the sequence must be wrapped to reach the outer terminal.
  return process.env.TMUX ? `\u001bPtmux;\u001b${sequence}\u001b\\` : sequence
}

export function copyToClipboard(text: string, write: (data: string) => void = (d) => void process.stdout.write(d)) {
  write(osc52(text))
}
