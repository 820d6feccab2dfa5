import type { Workspace } from '@ocomms/shared'
import { parseRoute } from '../router'

/** The workspace chosen last in this browser (the workspace switcher), where the app opens. */
const WORKSPACE_KEY = 'ocomms.workspace'

export function rememberWorkspace(workspaceId: string): void {
  localStorage.setItem(WORKSPACE_KEY, workspaceId)
}

/** The workspace the app opens at: the one chosen last, when the person is still in it; else their first. */
export function openingWorkspace(workspaces: Workspace[]): string {
  const saved = localStorage.getItem(WORKSPACE_KEY)
  return workspaces.find((w) => w.id === saved)?.id ?? workspaces[0]!.id
}

/** Where the conversation last open in a workspace is kept, so the workspace opens there again. */
const key = (workspaceId: string) => `ocomms.last.${workspaceId}`

export function rememberOpen(workspaceId: string, conversationId: string): void {
  localStorage.setItem(key(workspaceId), conversationId)
}

export function lastOpen(workspaceId: string): string | null {
  return localStorage.getItem(key(workspaceId))
}

/**
 * The conversation the page is about to show, known before anything is loaded: the one its
 * address names, else the one last open in the workspace (where the workspace opens). Its
 * history can then be read together with the conversation list instead of after it.
 */
export function openingConversation(workspaceId: string): string | null {
  if (typeof window === 'undefined') return null
  const route = parseRoute(window.location)
  if (route.name === 'conversation') return route.conversationId
  return route.name === 'home' ? lastOpen(workspaceId) : null
}
