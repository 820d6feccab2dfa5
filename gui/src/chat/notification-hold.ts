// Loaded with the first notification, not with the page (notifications.ts): DND's rule works in
// the person's time zone through a date library about a tenth of the first screen's script
// (its own chunk: gui/vite.config.ts).
export { NOTIFICATION_STALE_MS, notificationBody, notificationHeldBy, notificationTitle } from '@ocomms/shared'
