import { useEffect, useId, useRef, useState } from 'react'
import { emojiShortcode, searchEmoji } from '@ocomms/shared'

/** What the picker offers before anything is typed, until the person has reacted enough to have their own. */
export const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '👀', '🙏', '✅', '🔥']
const RECENT_KEY = 'ocomms.recent-reactions'
const RECENT_MAX = 16
const RESULTS_MAX = 64

/** Emoji this browser reacted with, most recent first, topped up with the quick ones. */
export function recentReactions(): string[] {
  let recent: string[] = []
  try {
    recent = (JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]') as unknown[]).filter((e): e is string => typeof e === 'string')
  } catch {
    // A damaged list is no list.
  }
  return [...new Set([...recent, ...QUICK_REACTIONS])].slice(0, RECENT_MAX)
}

export function rememberReaction(emoji: string): void {
  const recent = [emoji, ...recentReactions().filter((e) => e !== emoji)].slice(0, RECENT_MAX)
  localStorage.setItem(RECENT_KEY, JSON.stringify(recent))
}

/**
 * The reaction picker: the recent reactions, and a search over every emoji by its shortcodes
 * (`thumbs`, `+1`, `party` find 👍 and 🎉: the same names `:shortcode:` completion uses).
 * Enter takes the first result; Escape closes.
 */
export function ReactionPicker(props: { onPick: (emoji: string) => void; onClose: () => void }) {
  const [query, setQuery] = useState('')
  const headingId = useId()
  const input = useRef<HTMLInputElement>(null)
  useEffect(() => input.current?.focus(), [])
  const q = query.trim().replace(/^:|:$/g, '')
  const results = q ? searchEmoji(q, RESULTS_MAX) : null
  // One button per emoji, under its first matching shortcode.
  const shown = results ? [...new Map(results.map((r) => [r.emoji, r.shortcode])).entries()] : recentReactions().map((e) => [e, emojiShortcode(e) ?? e] as const)
  const pick = (emoji: string) => {
    rememberReaction(emoji)
    props.onPick(emoji)
  }
  return (
    <div className="reaction-picker" role="dialog" aria-label="Pick a reaction" onKeyDown={(e) => e.key === 'Escape' && (e.stopPropagation(), props.onClose())}>
      <input
        ref={input}
        type="search"
        aria-label="Search emoji"
        placeholder="Search emoji by name"
        value={query}
        onChange={(e) => setQuery(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && shown[0]) {
            e.preventDefault()
            pick(shown[0][0])
          }
        }}
      />
      <p className="picker-heading" id={headingId}>
        {results ? (shown.length ? `Matching “${q}”` : `No emoji matches “${q}”`) : 'Recent'}
      </p>
      <div className="picker-grid" role="group" aria-labelledby={headingId}>
        {shown.map(([emoji, shortcode]) => (
          <button key={emoji} type="button" aria-label={`React with ${emoji}`} title={`:${shortcode}:`} onClick={() => pick(emoji)}>
            {emoji}
          </button>
        ))}
      </div>
    </div>
  )
}
