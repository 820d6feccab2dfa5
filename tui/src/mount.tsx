// @jsxRuntime automatic
// @jsxImportSource react
import { render, type Instance } from 'ink'
import { copyToClipboard } from './clipboard.js'
import type { ChatStore } from './state/store.js'
import { App } from './ui/app.js'
import { ThemeContext, detectColor } from './ui/theme.js'

/**
 * The screen: Ink, React and the app's components. The heavy part of the UI's start (most of the
 * modules it loads), kept in one module so runTui can load it while the daemon answers.
 */
export function mount(store: ChatStore): Instance {
  return render(
    <ThemeContext.Provider value={{ color: detectColor() }}>
      <App store={store} copy={(text) => copyToClipboard(text)} />
    </ThemeContext.Provider>,
    { exitOnCtrlC: false },
  )
}
