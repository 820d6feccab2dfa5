import type { Unreads } from '@ocomms/shared'
import type { BridgeSession } from '../bridge/bridge.js'

/** A menu item as the shell hands it to Electron's Menu.buildFromTemplate. */
export interface MenuItem {
  label?: string
  type?: 'normal' | 'separator' | 'checkbox' | 'radio' | 'submenu'
  checked?: boolean
  enabled?: boolean
  submenu?: MenuItem[]
  click?: () => void
}

export type TrayIcon = 'idle' | 'unread' | 'mention' | 'dnd'

/** Electron's Tray and app badge, injected (tests pass fakes). */
export interface TrayPort {
  setIcon(icon: TrayIcon): void
  setToolTip(text: string): void
  setMenu(items: MenuItem[]): void
}

export interface BadgePort {
  /** A number on the dock/taskbar icon (0 clears it); `dot` when there is unread but nothing to count. */
  setBadge(count: number, dot: boolean): void
}

/** Where the shell remembers the DND schedule turned off from the tray, to turn it back on. */
export interface ScheduleMemory {
  get(): { spec: string; timeZone: string } | null
  set(value: { spec: string; timeZone: string } | null): void
}

export interface Counts {
  /** Direct messages unread plus mentions elsewhere: what the badge counts. */
  badge: number
  unread: number
  mentions: number
}

interface Dnd {
  active: boolean
  until: string | null
  schedule: string | null
  timeZone: string
}

/** What the badge counts: unread DMs and mentions, as the person would want to be interrupted for; muted conversations only by mentions. */
export function countUnreads(u: Unreads): Counts {
  let badge = 0
  let unread = 0
  for (const c of u.conversations) {
    const direct = c.conversation.kind === 'dm' || c.conversation.kind === 'group_dm'
    badge += direct && !c.muted ? c.unread : c.mentions
    if (!c.muted) unread += c.unread
  }
  for (const th of u.threads) {
    badge += th.mentions
    unread += th.unread
  }
  return { badge, unread, mentions: u.totalMentions }
}

/** "Until tomorrow": tomorrow at 09:00 on this machine's clock. */
export function tomorrowMorning(now: Date): Date {
  const d = new Date(now)
  d.setDate(d.getDate() + 1)
  d.setHours(9, 0, 0, 0)
  return d
}

const timeOf = (iso: string) => {
  const d = new Date(iso)
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}

/**
 * The tray icon, its tooltip and menu, and the dock/taskbar badge of one profile, kept current
 * from the daemon: counts from `unreads`, DND from `dnd.get`, refreshed when events arrive. The
 * menu's actions are the same operations the CLI runs (`dnd.snooze`, `dnd.off`, `dnd.schedule`,
 * `presence.set`), through the bridge.
 */
export class AttentionTray {
  counts: Counts = { badge: 0, unread: 0, mentions: 0 }
  dnd: Dnd | null = null
  presence: 'auto' | 'away' | 'busy' = 'auto'
  private timer: NodeJS.Timeout | null = null
  private refreshing: Promise<void> | null = null

  constructor(
    private readonly o: {
      session: BridgeSession
      profile: string
      tray: TrayPort
      badge: BadgePort
      schedule: ScheduleMemory
      show(): void
      quit(): void
      now?: () => Date
      /** Events are gathered this long before one refresh. */
      debounceMs?: number
    },
  ) {}

  private op<T>(operation: string, input: Record<string, unknown> = {}): Promise<T> {
    return this.o.session.call('call', { profile: this.o.profile, operation, input }) as Promise<T>
  }

  /** Subscribes to the profile's events and shows the first counts. */
  async start(): Promise<void> {
    this.o.session.onEvent((e) => {
      if (e.profile !== this.o.profile || e.event.type === 'typing' || e.event.type === 'presence') return
      this.schedule()
    })
    this.o.session.onDaemon((s) => s === 'up' && this.schedule())
    await this.o.session.call('subscribe', { profile: this.o.profile })
    await this.refresh()
  }

  private schedule(): void {
    if (this.timer) return
    this.timer = setTimeout(() => {
      this.timer = null
      void this.refresh()
    }, this.o.debounceMs ?? 250)
  }

  /** Reads counts and DND again; unreachable (offline) keeps the last ones. */
  refresh(): Promise<void> {
    return (this.refreshing ??= (async () => {
      try {
        const [unreads, dnd] = await Promise.all([this.op<Unreads>('unreads'), this.op<Dnd>('dnd.get')])
        this.counts = countUnreads(unreads)
        this.dnd = dnd
      } catch {
        // Keep what is shown; the next event or reconnection refreshes.
      } finally {
        this.refreshing = null
      }
      this.render()
    })())
  }

  render(): void {
    const { badge, unread, mentions } = this.counts
    this.o.badge.setBadge(badge, badge === 0 && unread > 0)
    this.o.tray.setIcon(this.dnd?.active ? 'dnd' : badge > 0 ? 'mention' : unread > 0 ? 'unread' : 'idle')
    const parts = [unread === 0 ? 'nothing unread' : `${unread} unread`]
    if (mentions > 0) parts.push(`${mentions} ${mentions === 1 ? 'mention' : 'mentions'}`)
    if (this.dnd?.active) parts.push(this.dnd.until ? `do not disturb until ${timeOf(this.dnd.until)}` : 'do not disturb')
    this.o.tray.setToolTip(`OComms (${this.o.profile}): ${parts.join(', ')}`)
    this.o.tray.setMenu(this.menu())
  }

  /** Runs a menu action, then shows its effect. */
  private act(run: () => Promise<unknown>): () => void {
    return () => void run().then(() => this.refresh(), () => this.refresh())
  }

  menu(): MenuItem[] {
    const now = this.o.now?.() ?? new Date()
    const dnd = this.dnd
    const remembered = this.o.schedule.get()
    const presence = (mode: 'auto' | 'away' | 'busy', label: string): MenuItem => ({
      label,
      type: 'radio',
      checked: this.presence === mode,
      click: this.act(async () => {
        await this.op('presence.set', { mode })
        this.presence = mode
      }),
    })
    return [
      { label: 'Open OComms', click: () => this.o.show() },
      { type: 'separator' },
      dnd?.active
        ? { label: dnd.until ? `Do not disturb until ${timeOf(dnd.until)}: turn off` : 'Turn off do not disturb', click: this.act(() => this.op('dnd.off')) }
        : { label: 'Do not disturb', enabled: false },
      { label: 'Do not disturb for 1 hour', click: this.act(() => this.op('dnd.snooze', { minutes: 60 })) },
      { label: 'Do not disturb until tomorrow', click: this.act(() => this.op('dnd.snooze', { until: tomorrowMorning(now).toISOString() })) },
      {
        label: dnd?.schedule ? `Notification schedule (${dnd.schedule})` : remembered ? `Notification schedule (${remembered.spec})` : 'Notification schedule (none set)',
        type: 'checkbox',
        checked: Boolean(dnd?.schedule),
        enabled: Boolean(dnd?.schedule || remembered),
        click: this.act(async () => {
          if (dnd?.schedule) {
            this.o.schedule.set({ spec: dnd.schedule, timeZone: dnd.timeZone })
            await this.op('dnd.schedule', { spec: null })
          } else if (remembered) {
            await this.op('dnd.schedule', { spec: remembered.spec, timeZone: remembered.timeZone })
            this.o.schedule.set(null)
          }
        }),
      },
      { type: 'separator' },
      { label: 'Status', type: 'submenu', submenu: [presence('auto', 'Automatic'), presence('away', 'Away'), presence('busy', 'Busy')] },
      { type: 'separator' },
      { label: 'Quit OComms', click: () => this.o.quit() },
    ]
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
  }
}
