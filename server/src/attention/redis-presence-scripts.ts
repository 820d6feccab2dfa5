/**
 * The Lua scripts of the Redis presence registry (redis-presence-registry.ts). Each change
 * is one script: atomic (another process never sees half of it) and one round trip.
 *
 * Keys, all under `ocomms:presence:`:
 *   sockets:<userId>     hash socketId -> processId: the person's open sockets, on every process
 *   active:<userId>      last activity, ms since the epoch (only while connected)
 *   sent:<userId>        JSON of the presence last signalled (only while connected)
 *   process:<processId>  hash socketId -> userId: the sockets of one process, to remove them without a scan
 *   alive:<processId>    the process's heartbeat; expires (PX) unless renewed
 *   processes            set of the registered process ids
 * Keys are built inside the scripts from ids, so this needs one Redis (not Redis Cluster).
 */
export const PREFIX = 'ocomms:presence:'

export const keys = {
  sockets: (userId: string) => `${PREFIX}sockets:${userId}`,
  active: (userId: string) => `${PREFIX}active:${userId}`,
}

// Removes a socket from a person. When it was their last, their activity and the signalled
// presence go too; that presence is added to `out`, so the caller signals them offline.
const drop = `
local P = '${PREFIX}'
local function drop(user, socket, out)
  local sockets = P .. 'sockets:' .. user
  if redis.call('HDEL', sockets, socket) == 0 or redis.call('HLEN', sockets) > 0 then return end
  redis.call('DEL', P .. 'active:' .. user)
  local sent = redis.call('GET', P .. 'sent:' .. user)
  if sent then
    redis.call('DEL', P .. 'sent:' .. user)
    out[#out + 1] = sent
  end
end
local function withdraw(process, out)
  local list = redis.call('HGETALL', P .. 'process:' .. process)
  for i = 1, #list, 2 do drop(list[i + 1], list[i], out) end
  redis.call('DEL', P .. 'process:' .. process, P .. 'alive:' .. process)
  redis.call('SREM', P .. 'processes', process)
end
`

export const scripts = {
  /**
   * ARGV: socketId, processId, userId, now, ttlMs. Returns 1 when the process was not
   * registered (it had been swept): it is registered again, and must put back its other sockets.
   */
  presenceAdd: `${drop}
local socket, process, user, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
redis.call('HSET', P .. 'sockets:' .. user, socket, process)
redis.call('HSET', P .. 'process:' .. process, socket, user)
if tonumber(now) > tonumber(redis.call('GET', P .. 'active:' .. user) or '0') then redis.call('SET', P .. 'active:' .. user, now) end
local fresh = redis.call('SADD', P .. 'processes', process)
if fresh == 1 then redis.call('SET', P .. 'alive:' .. process, '1', 'PX', ARGV[5]) end
return fresh`,

  /** ARGV: socketId, processId, userId. Returns the presence last signalled when it was the person's last socket. */
  presenceRemove: `${drop}
redis.call('HDEL', P .. 'process:' .. ARGV[2], ARGV[1])
local out = {}
drop(ARGV[3], ARGV[1], out)
return out[1] or false`,

  /** ARGV: userId, now. Returns the previous activity time, or nil when the person has no socket. */
  presenceTouch: `${drop}
local user, now = ARGV[1], ARGV[2]
if redis.call('HLEN', P .. 'sockets:' .. user) == 0 then return false end
local previous = redis.call('GET', P .. 'active:' .. user) or '0'
if tonumber(now) > tonumber(previous) then redis.call('SET', P .. 'active:' .. user, now) end
return previous`,

  /**
   * ARGV: userId, now, idleMs, force ('1'/'0'), then the JSON of the presence when offline,
   * connected and active, connected and idle. Picks the one matching the facts now, records it
   * as signalled, and returns it when it differs from the last one (or when forced).
   */
  presenceSettle: `${drop}
local user, now, idle, force = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4] == '1'
local sent = P .. 'sent:' .. user
local last = redis.call('GET', sent)
if redis.call('HLEN', P .. 'sockets:' .. user) == 0 then
  redis.call('DEL', sent)
  if last or force then return ARGV[5] end
  return false
end
local info = ARGV[7]
if now - tonumber(redis.call('GET', P .. 'active:' .. user) or '0') < idle then info = ARGV[6] end
if info == last and not force then return false end
redis.call('SET', sent, info)
return info`,

  /**
   * The heartbeat, every third of the TTL. ARGV: processId, ttlMs. Renews this process's
   * heartbeat if it is registered, and withdraws every process whose heartbeat expired.
   * Returns {registered (1/0), presence last signalled of each person left without a socket...}.
   */
  presenceTick: `${drop}
local process, ttl = ARGV[1], ARGV[2]
local registered = redis.call('SISMEMBER', P .. 'processes', process)
if registered == 1 then redis.call('SET', P .. 'alive:' .. process, '1', 'PX', ttl) end
local out = {}
for _, other in ipairs(redis.call('SMEMBERS', P .. 'processes')) do
  if redis.call('EXISTS', P .. 'alive:' .. other) == 0 then withdraw(other, out) end
end
table.insert(out, 1, registered)
return out`,

  /**
   * Makes Redis hold exactly this process's sockets and registers it. ARGV: processId, ttlMs,
   * now, then socketId, userId pairs. Sockets are put back before stale ones are removed, so a
   * person still connected here is never counted offline in between. Returns the presence last
   * signalled of each person left without a socket.
   */
  presenceResync: `${drop}
local process, ttl, now = ARGV[1], ARGV[2], ARGV[3]
local mine = P .. 'process:' .. process
local wanted = {}
for i = 4, #ARGV, 2 do
  local socket, user = ARGV[i], ARGV[i + 1]
  wanted[socket] = true
  redis.call('HSET', P .. 'sockets:' .. user, socket, process)
  redis.call('HSET', mine, socket, user)
  redis.call('SET', P .. 'active:' .. user, now, 'NX')
end
local out = {}
local held = redis.call('HGETALL', mine)
for i = 1, #held, 2 do
  if not wanted[held[i]] then
    redis.call('HDEL', mine, held[i])
    drop(held[i + 1], held[i], out)
  end
end
redis.call('SADD', P .. 'processes', process)
redis.call('SET', P .. 'alive:' .. process, '1', 'PX', ttl)
return out`,

  /** A clean shutdown. ARGV: processId. Returns the presence last signalled of each person left without a socket. */
  presenceWithdraw: `${drop}
local out = {}
withdraw(ARGV[1], out)
return out`,
}

/** The scripts as ioredis commands (defineCommand), with what they answer. */
export interface PresenceCommands {
  presenceAdd(socketId: string, processId: string, userId: string, now: number, ttlMs: number): Promise<number>
  presenceRemove(socketId: string, processId: string, userId: string): Promise<string | null>
  presenceTouch(userId: string, now: number): Promise<string | null>
  presenceSettle(userId: string, now: number, idleMs: number, force: string, offline: string, active: string, idle: string): Promise<string | null>
  presenceTick(processId: string, ttlMs: number): Promise<[number, ...string[]]>
  presenceResync(processId: string, ttlMs: number, now: number, ...pairs: string[]): Promise<string[]>
  presenceWithdraw(processId: string): Promise<string[]>
}
