import { useCallback, useEffect, useState } from 'react'
import type { SessionInfo } from '@ocomms/shared'
import { call } from '../backend/call'
import { desktopBridge } from '../backend/bridge'
import { problem } from '../backend/http'
import { navigate } from '../router'
import { ErrorLine } from '../ui/error-line'

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : 'never')

/** A readable name for a session's user agent: browser and system, or the program. */
export function deviceName(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device'
  // The daemon's session, which the desktop app, the terminal UI and the CLI of a computer share.
  if (/^ocomms|node/i.test(userAgent)) return 'OComms desktop app or terminal'
  const browser = /Edg\//.test(userAgent) ? 'Edge' : /Chrom(e|ium)\//.test(userAgent) ? 'Chrome' : /Firefox\//.test(userAgent) ? 'Firefox' : /Safari\//.test(userAgent) ? 'Safari' : 'Browser'
  const system = /Android/.test(userAgent) ? 'Android' : /iPhone|iPad/.test(userAgent) ? 'iOS' : /Mac OS X/.test(userAgent) ? 'macOS' : /Windows/.test(userAgent) ? 'Windows' : /Linux/.test(userAgent) ? 'Linux' : ''
  return system ? `${browser} on ${system}` : browser
}

/** Where this account is signed in, with "sign out" per session and everywhere else. */
export function Sessions() {
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const load = useCallback(() => {
    call('auth.sessions.list', {}).then(setSessions, (err: unknown) => setError(problem(err)))
  }, [])
  useEffect(load, [load])

  const act = async (action: () => Promise<string>) => {
    setError(null)
    try {
      setNotice(await action())
      load()
    } catch (err) {
      setError(problem(err))
    }
  }
  const others = sessions?.filter((s) => !s.current).length ?? 0

  return (
    <main className="page" aria-labelledby="sessions-title">
      <p>
        <a href="/" onClick={(e) => (e.preventDefault(), navigate('/'))}>
          ← Back to the workspace
        </a>
      </p>
      <h1 id="sessions-title">Where you are signed in</h1>
      <ErrorLine error={error} />
      {notice && <p role="status">{notice}</p>}
      {sessions === null ? (
        <p>Loading…</p>
      ) : (
        <ul className="sessions" aria-label="Sessions">
          {sessions.map((s) => (
            <li key={s.id} className={s.current ? 'current' : undefined}>
              <div>
                <strong>{deviceName(s.userAgent)}</strong>
                {s.current && <span className="badge-text"> {desktopBridge() ? 'This computer' : 'This browser'}</span>}
                <br />
                <small>
                  Signed in {when(s.createdAt)} · last used {when(s.lastUsedAt)}
                  {s.ip ? ` · ${s.ip}` : ''} · ends {when(s.expiresAt)}
                </small>
              </div>
              {!s.current && (
                <button type="button" onClick={() => void act(async () => (await call('auth.sessions.revoke', { sessionId: s.id }), 'Signed out that session.'))}>
                  Sign out
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <button
        type="button"
        className="danger"
        disabled={others === 0}
        onClick={() =>
          void act(async () => {
            const { ended } = await call('auth.sessions.revokeAll', { keepCurrent: true })
            return `Signed out ${ended} other session${ended === 1 ? '' : 's'}.`
          })
        }
      >
        Sign out everywhere else
      </button>
    </main>
  )
}
