import type { ViewName } from '../router'

/** The views' names as the sidebar and the views' headings show them. */
export const viewTitles: Record<ViewName, string> = {
  unreads: 'Unreads',
  threads: 'Threads',
  mentions: 'Mentions',
  saved: 'Saved',
  pins: 'Pins',
  search: 'Search',
}
