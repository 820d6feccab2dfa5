import { readJsonFile, writeJsonFile } from './json-file.js'

export interface Bounds {
  x: number
  y: number
  width: number
  height: number
}

export interface WindowState {
  bounds: Bounds
  maximized: boolean
}

export const MIN_SIZE = { width: 400, height: 300 }
const DEFAULT_SIZE = { width: 1200, height: 800 }
/** At least this much of the window must be on a screen, or it is placed anew. */
const VISIBLE = 100

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v)

function overlap(a: Bounds, b: Bounds): { w: number; h: number } {
  return {
    w: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    h: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  }
}

/** Centred on the primary screen's work area, no larger than it. */
export function defaultState(primary: Bounds): WindowState {
  const width = Math.min(DEFAULT_SIZE.width, primary.width)
  const height = Math.min(DEFAULT_SIZE.height, primary.height)
  return {
    bounds: { x: primary.x + Math.round((primary.width - width) / 2), y: primary.y + Math.round((primary.height - height) / 2), width, height },
    maximized: false,
  }
}

/**
 * The window's last size and position, if they still fit the screens of today (a monitor may have
 * been unplugged): otherwise the default. Anything odd in the file counts as no file.
 */
export function loadWindowState(path: string, workAreas: Bounds[]): WindowState {
  const primary = workAreas[0] ?? { x: 0, y: 0, ...DEFAULT_SIZE }
  const saved = readJsonFile(path) as { bounds?: Partial<Bounds>; maximized?: unknown } | null
  const b = saved?.bounds
  if (!b || !isInt(b.x) || !isInt(b.y) || !isInt(b.width) || !isInt(b.height)) return defaultState(primary)
  const bounds: Bounds = { x: b.x, y: b.y, width: Math.max(MIN_SIZE.width, b.width), height: Math.max(MIN_SIZE.height, b.height) }
  const visible = workAreas.some((area) => {
    const o = overlap(bounds, area)
    return o.w >= VISIBLE && o.h >= VISIBLE
  })
  if (!visible) return { ...defaultState(primary), maximized: saved.maximized === true }
  return { bounds, maximized: saved.maximized === true }
}

/**
 * Remembers the window as it moves and resizes, written at most once per `delayMs` and on
 * close; the bounds of a maximized window are the ones it had before (restored on unmaximize).
 */
export class WindowStateKeeper {
  private pending: WindowState | null = null
  private timer: NodeJS.Timeout | null = null

  constructor(
    private readonly path: string,
    private readonly delayMs = 500,
  ) {}

  update(state: WindowState): void {
    this.pending = state
    this.timer ??= setTimeout(() => this.flush(), this.delayMs)
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (!this.pending) return
    writeJsonFile(this.path, this.pending)
    this.pending = null
  }
}
