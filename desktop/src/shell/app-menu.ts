import type { MenuItem } from './tray.js'

/** A menu item with one of Electron's built-in roles (copy, quit, ...), which bring each platform's own shortcut. */
export type RoleItem = MenuItem & { role?: string; accelerator?: string; submenu?: RoleItem[] }

/**
 * The application menu: the usual menus and shortcuts of each platform, from Electron's roles
 * (macOS gets the app menu and Window menu it expects; Edit carries the spell checker's
 * undo/redo/cut/copy/paste). Developer tools only when not packaged.
 */
export function appMenuTemplate(platform: NodeJS.Platform, packaged: boolean): RoleItem[] {
  const mac = platform === 'darwin'
  const view: RoleItem[] = [
    { role: 'reload' },
    ...(packaged ? [] : [{ role: 'toggleDevTools' }]),
    { type: 'separator' },
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ]
  return [
    ...(mac ? [{ role: 'appMenu' } as RoleItem] : []),
    { label: '&File', submenu: [mac ? { role: 'close' } : { role: 'quit' }] },
    { role: 'editMenu' },
    { label: '&View', submenu: view },
    { role: 'windowMenu' },
  ]
}

/**
 * The tray icon as raw pixels (BGRA, premultiplied, as Electron's nativeImage.createFromBitmap
 * takes them): a round dot whose colour says the state, so the app ships no image files for it.
 */
export function trayBitmap(icon: 'idle' | 'unread' | 'mention' | 'dnd', size = 16): Buffer {
  const colour: Record<typeof icon, [number, number, number]> = {
    idle: [128, 128, 128],
    unread: [40, 120, 220],
    mention: [220, 50, 50],
    dnd: [150, 90, 200],
  }
  const [r, g, b] = colour[icon]
  const out = Buffer.alloc(size * size * 4)
  const c = (size - 1) / 2
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c)
      const a = Math.max(0, Math.min(1, c + 0.5 - d))
      const i = (y * size + x) * 4
      out[i] = Math.round(b * a)
      out[i + 1] = Math.round(g * a)
      out[i + 2] = Math.round(r * a)
      out[i + 3] = Math.round(255 * a)
    }
  }
  return out
}
