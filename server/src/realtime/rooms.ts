/** Socket.IO room names. Broadcasts always go to a room, never through an emit loop. */
export const rooms = {
  conversation: (id: string) => `conv:${id}`,
  user: (id: string) => `user:${id}`,
  workspace: (id: string) => `ws:${id}`,
  session: (id: string) => `session:${id}`,
  /** Sockets that display this user's presence (presence.subscribe). */
  presence: (userId: string) => `presence:${userId}`,
}
