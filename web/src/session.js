// session.js — the logged-in user (reactive) and the login / logout / restore calls
import { reactive } from 'vue'
import { api, setCsrfToken } from './api.js'

export const session = reactive({
  user: null, // {id, username, role, org_id, org_name, member_id}
  loaded: false, // GET /session has been tried since page load
})

function accept(body) {
  session.user = (body && body.user) || null
  setCsrfToken(body && body.csrf_token)
  session.loaded = true
  return session.user
}

/** Restore the session after a page load; resolves to the user or null. Runs at most once. */
let restoring = null
export function restoreSession() {
  if (session.loaded) return Promise.resolve(session.user)
  if (!restoring) {
    restoring = api
      .get('/session', undefined, { quiet: true, noAuthRedirect: true })
      .then(accept)
      .catch(() => {
        session.user = null
        session.loaded = true
        return null
      })
      .finally(() => {
        restoring = null
      })
  }
  return restoring
}

/** Log in; rejects with ApiError (message in Chinese) which the login page shows itself. */
export async function login(username, password) {
  const body = await api.post('/session', { username, password }, { quiet: true, noAuthRedirect: true })
  return accept(body)
}

/** Log out on the server (best effort) and forget the user locally. */
export async function logout() {
  try {
    await api.del('/session', { quiet: true, noAuthRedirect: true })
  } finally {
    clearSession()
  }
}

/** Forget the user without talking to the server (after a 401). */
export function clearSession() {
  session.user = null
  session.loaded = true
  setCsrfToken('')
}
