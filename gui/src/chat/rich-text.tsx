import { Fragment, type ReactNode } from 'react'
import { parseRichText, safeHref, type RichBlock, type RichDoc, type RichInline } from '@ocomms/shared'

/**
 * A message's text as elements, from the shared rich-text model: every piece of text is a
 * text node (never parsed as HTML), links keep only the schemes safeHref allows (no `javascript:`),
 * and no HTML from a message ever reaches the page.
 */
export function RichText(props: { text: string; me: string; after?: ReactNode }) {
  const doc = parsed(props.text)
  // A mark after the text (the "(edited)" of a message) ends its last line when that is a
  // paragraph, as it reads in other chat apps, rather than taking a line of its own.
  const last = doc.children.length - 1
  const inLast = props.after && doc.children[last]?.type === 'paragraph'
  return (
    <div className="rich">
      {doc.children.map((b, i) => block(b, i, props.me, inLast && i === last ? props.after : null))}
      {!inLast && props.after}
    </div>
  )
}

/**
 * Texts parsed lately: the message list mounts a row again each time scrolling brings it back
 * into view, and a page of older messages mounts fifty at once, within one frame.
 */
const recent = new Map<string, RichDoc>()
const RECENT_MAX = 2_000
function parsed(text: string): RichDoc {
  let doc = recent.get(text)
  if (!doc) {
    if (recent.size >= RECENT_MAX) recent.clear()
    doc = parseRichText(text)
    recent.set(text, doc)
  }
  return doc
}

function block(node: RichBlock, key: number, me: string, after: ReactNode = null): ReactNode {
  switch (node.type) {
    case 'paragraph':
      return (
        <p key={key}>
          {inlines(node.children, me)}
          {after && <> {after}</>}
        </p>
      )
    case 'codeBlock':
      return (
        <pre key={key} data-lang={node.lang ?? undefined}>
          <code>{node.text}</code>
        </pre>
      )
    case 'quote':
      return <blockquote key={key}>{node.children.map((b, i) => block(b, i, me))}</blockquote>
    case 'list': {
      const items = node.children.map((item, i) => <li key={i}>{item.children.map((b, j) => block(b, j, me))}</li>)
      return node.ordered ? (
        <ol key={key} start={node.start}>
          {items}
        </ol>
      ) : (
        <ul key={key}>{items}</ul>
      )
    }
    case 'rule':
      return <hr key={key} />
  }
}

function inlines(nodes: RichInline[], me: string): ReactNode[] {
  return nodes.map((n, i) => inline(n, i, me))
}

function inline(node: RichInline, key: number, me: string): ReactNode {
  switch (node.type) {
    case 'text':
      return <Fragment key={key}>{node.text}</Fragment>
    case 'bold':
      return <strong key={key}>{inlines(node.children, me)}</strong>
    case 'italic':
      return <em key={key}>{inlines(node.children, me)}</em>
    case 'strike':
      return <s key={key}>{inlines(node.children, me)}</s>
    case 'inlineCode':
      return <code key={key}>{node.text}</code>
    case 'break':
      return <br key={key} />
    case 'link': {
      const href = safeHref(node.url)
      // A link to something we do not open (javascript:, data:, relative) shows as text only.
      if (!href) return <span key={key}>{inlines(node.children, me)}</span>
      return (
        <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
          {inlines(node.children, me)}
        </a>
      )
    }
    case 'mention':
      return (
        <span key={key} className={node.handle === me ? 'mention me' : 'mention'}>
          @{node.handle}
        </span>
      )
    case 'broadcast':
      return (
        <span key={key} className="mention me">
          @{node.target}
        </span>
      )
    case 'channelLink':
      return (
        <span key={key} className="channel-link">
          #{node.name}
        </span>
      )
    case 'emoji':
      return (
        <span key={key} className="emoji" title={`:${node.shortcode}:`} role="img" aria-label={node.shortcode}>
          {node.emoji}
        </span>
      )
  }
}
