// inbox.js — the count of the user's 待办 (GET /inbox total) for the header badge; pages that change
// meetings call refreshInbox() so the badge follows
import { reactive } from 'vue'
import { api } from './api.js'
import { session } from './session.js'

export const inbox = reactive({ count: null, loadedAt: 0 })

let pending = null

/** Reload the count (at most one request at a time); force: even if loaded in the last minute. */
export function refreshInbox(force = true) {
  const u = session.user
  if (!u || !['admin', 'org_admin'].includes(u.role)) {
    inbox.count = null
    return Promise.resolve(null)
  }
  if (!force && Date.now() - inbox.loadedAt < 60000) return Promise.resolve(inbox.count)
  if (!pending) {
    pending = api
      .get('/inbox', { per_page: 1 }, { quiet: true })
      .then((r) => {
        inbox.count = (r && r.total) || 0
        inbox.loadedAt = Date.now()
        return inbox.count
      })
      .catch(() => inbox.count)
      .finally(() => {
        pending = null
      })
  }
  return pending
}
