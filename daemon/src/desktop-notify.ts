import { createRequire } from 'node:module'
import type { Logger } from 'pino'

type NodeNotifier = typeof import('node-notifier')
const require = createRequire(import.meta.url)
let notifier: NodeNotifier | null | undefined

/**
 * Whether this machine has a desktop to notify: `OCOMMS_NOTIFY=off` turns it off (tests, servers),
 * and on Linux without a display or a session bus there is nothing to show it on.
 */
export function desktopAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OCOMMS_NOTIFY === 'off') return false
  if (process.platform === 'linux') return Boolean((env.DISPLAY || env.WAYLAND_DISPLAY) && env.DBUS_SESSION_BUS_ADDRESS)
  return true
}

/** Shows a desktop notification when possible; never throws. True when one was handed to the desktop. */
export function showDesktopNotification(title: string, message: string, log: Logger): boolean {
  if (!desktopAvailable()) return false
  try {
    notifier ??= require('node-notifier') as NodeNotifier
    notifier.notify({ title: `OComms: ${title}`, message, wait: false }, (err) => {
      if (err) log.debug({ err }, 'desktop notification failed')
    })
    return true
  } catch (err) {
    notifier = null
    log.debug({ err }, 'desktop notifications unavailable')
    return false
  }
}
