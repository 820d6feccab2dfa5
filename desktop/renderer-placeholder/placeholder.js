// The stand-in renderer: proves the bridge (window.ocomms) from a sandboxed page until the web
// app's build takes its place. It lists the conversations of the cache, marked when offline.
const who = document.getElementById('who')
const list = document.getElementById('conversations')

async function show() {
  try {
    const me = await window.ocomms.call('profile.whoami', {})
    const { conversations, stale } = await window.ocomms.call('conversations.list', {})
    who.textContent = `@${me.user.handle} on ${me.server}${stale || me.connection !== 'connected' ? ' (offline: from the cache)' : ''}`
    who.className = stale ? 'offline' : ''
    list.replaceChildren(
      ...conversations.map((c) => {
        const li = document.createElement('li')
        li.textContent = c.name ? `#${c.name}` : (c.members || []).map((m) => `@${m.handle}`).join(', ')
        return li
      }),
    )
  } catch (err) {
    who.textContent = `${err.message} (${err.code})`
  }
}

window.ocomms.onDaemon(() => void show())
window.ocomms.onEvent(() => void show())
window.ocomms.call('subscribe', {}).then(show, show)
