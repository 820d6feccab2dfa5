import './ask-session'
import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app'
import './styles.css'
// With the first screen, not with the views' chunk: it also styles the sidebar's counts and
// presence, the "new messages" line and the details button, which are on screen before any view
// has been opened (and it is only a few KiB).
import './views/views.css'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)

// The offline app shell (public/sw.js); not where the page is not served over HTTPS or localhost.
if ('serviceWorker' in navigator && window.isSecureContext) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => {})
  })
}
