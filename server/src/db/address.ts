/**
 * Where the driver connects. A database URL may name a Unix-domain socket directory the way
 * libpq does, `postgres://user:pw@localhost:5432/db?host=/var/run/postgresql`; postgres.js takes
 * the socket from its `path` option instead (and would send `host` on to PostgreSQL as a setting),
 * so such a URL is split into both. Any other URL is passed on unchanged.
 */
export function driverAddress(url: string): { url: string; path?: string } {
  const u = new URL(url)
  const dir = u.searchParams.get('host')
  if (!dir?.startsWith('/')) return { url }
  u.searchParams.delete('host')
  return { url: u.toString(), path: `${dir.replace(/\/+$/, '')}/.s.PGSQL.${u.port || 5432}` }
}

/** The libpq URL for the socket in `dir` of the server `url` names (same user, password, port, database). */
export function socketUrl(url: string, dir: string): string {
  const u = new URL(url)
  u.searchParams.set('host', dir)
  return u.toString()
}
