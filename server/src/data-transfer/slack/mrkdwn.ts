/**
 * Slack's mrkdwn to OComms text. The two agree on almost everything (`*bold*`, `_italic_`,
 * `~strike~`, code, quotes, lists: docs/rich-text.md follows Slack's conventions), so only
 * Slack's angle-bracket tokens and its HTML escaping change:
 *
 *   <@U123> / <@U123|jane>     → @handle          (the person's handle here)
 *   <#C123> / <#C123|general>  → #name
 *   <!here> <!channel> <!everyone> → @here @channel @channel
 *   <!subteam^S1|@team>         → @team as text (user groups do not exist here)
 *   <https://x|label>           → [label](https://x)
 *   <https://x> <mailto:a@b>    → <https://x> <mailto:a@b> (already a link here)
 *   &lt; &gt; &amp;             → < > &
 *
 * The person and channel lookups answer null for an id the export does not know; the token then
 * becomes its label (or the raw id) as plain text rather than a mention of someone else.
 */
export interface MrkdwnLookup {
  handle(userId: string): string | null
  channel(channelId: string): string | null
}

const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')

/** A label or link address must not close the markdown link it is put in. */
const labelText = (s: string) => s.replace(/([[\]\\])/g, '\\$1')

export function slackToText(text: string, lookup: MrkdwnLookup): string {
  // One pass: a token's parts are unescaped once, and so is the text between tokens.
  return text.replace(/<([^<>\n]+)>|&(lt|gt|amp);/g, (_whole, inner: string | undefined, entity: string | undefined) => {
    if (inner === undefined) return entity === 'lt' ? '<' : entity === 'gt' ? '>' : '&'
    const [target, label] = splitLabel(inner)
    if (target.startsWith('@')) {
      const handle = lookup.handle(target.slice(1))
      return handle ? `@${handle}` : unescape(label ?? target)
    }
    if (target.startsWith('#')) {
      const name = lookup.channel(target.slice(1)) ?? (label ? label.replace(/^#/, '') : null)
      return name ? `#${name}` : unescape(target)
    }
    if (target.startsWith('!')) {
      const word = target.slice(1).split('^')[0]
      if (word === 'here') return '@here'
      if (word === 'channel' || word === 'everyone') return '@channel'
      // A user group, a date or anything else: its label as plain text.
      return unescape(label ?? word ?? '')
    }
    const url = unescape(target)
    if (/^(https?|mailto):/i.test(url)) return label && label !== url ? `[${labelText(unescape(label))}](${url.replace(/\)/g, '%29')})` : `<${url}>`
    return `<${unescape(inner)}>`
  })
}

function splitLabel(inner: string): [string, string | undefined] {
  const bar = inner.indexOf('|')
  return bar < 0 ? [inner, undefined] : [inner.slice(0, bar), inner.slice(bar + 1)]
}

/** Slack's `ts` ("1700000000.000100", seconds with microseconds) as an ISO time with microseconds. */
export function slackTime(ts: string | number | undefined): string | null {
  if (ts === undefined || ts === null || ts === '') return null
  const m = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(String(ts))
  if (!m) return null
  const seconds = Number(m[1])
  const micros = (m[2] ?? '').padEnd(6, '0')
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, `.${micros}Z`)
}
