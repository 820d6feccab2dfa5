import { useSyncExternalStore } from 'react'

/**
 * The app's addresses (the server answers every one of them with index.html):
 *   /                     the workspace (last conversation)
 *   /c/<conversationId>   a conversation; /c/<id>/t/<messageId> with a thread open;
 *                         ?m=<messageId> scrolls to a message and highlights it
 *   /views/<view>         unreads, threads, mentions, saved, pins; /views/search?q=<query>
 *   /signin /signup       signing in and up
 *   /magic-link#token=…   a sign-in link from a mail
 *   /invite#code=…  or /invite/<code>   an invite link
 *   /settings/sessions    where I am signed in
 *   /settings/notifications   my status, do-not-disturb, keywords and per-channel notifications
 *   /settings/sso/<workspaceId>   a workspace's single sign-on (owners)
 *   /signin/sso?code=…&state=…    where a single sign-on comes back
 */
export type Route =
  | { name: 'home' }
  | { name: 'conversation'; conversationId: string; threadId: string | null; messageId: string | null }
  | { name: 'view'; view: ViewName; query: string }
  | { name: 'signin'; workspace: string | null }
  | { name: 'sso-return'; params: URLSearchParams }
  | { name: 'sso-settings'; workspaceId: string | null }
  | { name: 'attention-settings' }
  | { name: 'signup' }
  | { name: 'magic-link'; token: string }
  | { name: 'invite'; code: string }
  | { name: 'sessions' }
  | { name: 'unknown' }

/** The lists across conversations reachable from the sidebar. */
export const viewNames = ['unreads', 'threads', 'mentions', 'saved', 'pins', 'search'] as const
export type ViewName = (typeof viewNames)[number]

export function parseRoute(location: { pathname: string; hash: string; search?: string }): Route {
  const path = location.pathname.replace(/\/+$/, '') || '/'
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''))
  if (path === '/') return { name: 'home' }
  const query = new URLSearchParams(location.search ?? '')
  if (path === '/signin') return { name: 'signin', workspace: query.get('workspace') }
  if (path === '/signin/sso') return { name: 'sso-return', params: query }
  if (path === '/settings/notifications') return { name: 'attention-settings' }
  if (path === '/settings/sso') return { name: 'sso-settings', workspaceId: null }
  const sso = /^\/settings\/sso\/([^/]+)$/.exec(path)
  if (sso) return { name: 'sso-settings', workspaceId: decodeURIComponent(sso[1]!) }
  if (path === '/signup') return { name: 'signup' }
  if (path === '/magic-link') return { name: 'magic-link', token: fragment.get('token') ?? '' }
  if (path === '/invite') return { name: 'invite', code: fragment.get('code') ?? '' }
  if (path === '/settings/sessions') return { name: 'sessions' }
  const invite = /^\/invite\/([^/]+)$/.exec(path)
  if (invite) return { name: 'invite', code: decodeURIComponent(invite[1]!) }
  const conversation = /^\/c\/([^/]+)(?:\/t\/([^/]+))?$/.exec(path)
  if (conversation) {
    return {
      name: 'conversation',
      conversationId: decodeURIComponent(conversation[1]!),
      threadId: conversation[2] ? decodeURIComponent(conversation[2]) : null,
      messageId: query.get('m'),
    }
  }
  const view = /^\/views\/([a-z]+)$/.exec(path)
  if (view && (viewNames as readonly string[]).includes(view[1]!)) return { name: 'view', view: view[1] as ViewName, query: query.get('q') ?? '' }
  return { name: 'unknown' }
}

const listeners = new Set<() => void>()
let current = typeof window === 'undefined' ? '' : window.location.href

function changed(): void {
  current = window.location.href
  for (const l of listeners) l()
}

if (typeof window !== 'undefined') window.addEventListener('popstate', changed)

/** The address of a message: its conversation scrolled to it, or its thread open at it. */
export function messageHref(m: { id: string; conversationId: string; threadRootId: string | null }): string {
  return m.threadRootId ? `/c/${m.conversationId}/t/${m.threadRootId}?m=${m.id}` : `/c/${m.conversationId}?m=${m.id}`
}

/** Goes to an address of the app without reloading (replace: without a new history entry). */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to)
  else window.history.pushState(null, '', to)
  changed()
}

export function useRoute(): Route {
  const href = useSyncExternalStore(
    (l) => (listeners.add(l), () => listeners.delete(l)),
    () => current,
  )
  const url = new URL(href)
  return parseRoute(url)
}
