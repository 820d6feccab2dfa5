import { createContext, useContext } from 'react'

/**
 * Whether colours and styles are shown. Ink styles through chalk, which already drops escapes
 * when NO_COLOR is set or the terminal has no colour support; the theme tells components the
 * same thing so they add text marks (`>` for the selection, `(muted)`) that survive without styles.
 */
export interface Theme {
  color: boolean
}

export function detectColor(env: NodeJS.ProcessEnv = process.env, stream: { isTTY?: boolean; hasColors?: () => boolean } = process.stdout): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0'
  if (env.TERM === 'dumb') return false
  if (!stream.isTTY) return false
  return typeof stream.hasColors === 'function' ? stream.hasColors() : true
}

export const ThemeContext = createContext<Theme>({ color: false })
export const useTheme = () => useContext(ThemeContext)
