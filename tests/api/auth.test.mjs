// auth.test.mjs — login, session cookie and CSRF, logout, fixation, lockout, password policy,
// and that neither passwords nor session tokens are stored in clear.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, existsSync } from 'node:fs'
import {
  startServer, serverTest, api, login, session, client, errorShapeProblem, sqliteOnly,
} from '../lib/server.mjs'

const SEC = { username: 'sec', role: 'secadmin', password: 'Sec!admin2026' }
const AUD = { username: 'aud', role: 'auditor', password: 'Aud!itor2026' }
const ALICE = { username: 'alice', role: 'member', password: 'Al1ce#secret' }
const BOB = { username: 'bob', role: 'admin', password: 'B0b#secret!!' }
const LOCKY = { username: 'locky', role: 'member', password: 'L0cky#secret' }

let srv
let sec
let aud
const t = serverTest(() => srv)

before(async () => {
  srv = await startServer({ users: [SEC, AUD, ALICE, BOB, LOCKY] })
  sec = await session(srv.base, SEC.username, SEC.password)
  aud = await session(srv.base, AUD.username, AUD.password)
})
after(async () => {
  if (!srv) return
  assert.equal(await srv.stop(), 0)
  srv.assertClean()
})

function assertError(r, status, code) {
  assert.equal(r.status, status, JSON.stringify(r.body))
  assert.equal(errorShapeProblem(r.body), null, errorShapeProblem(r.body))
  if (code) assert.equal(r.body.error.code, code)
}

t('login answers 200 with the user, a 64-hex CSRF token and an HttpOnly SameSite=Strict cookie', async () => {
  const l = await login(srv.base, ALICE.username, ALICE.password)
  assert.equal(l.status, 200, JSON.stringify(l.body))
  assert.equal(l.user.username, ALICE.username)
  assert.equal(l.user.role, 'member')
  assert.ok(Number.isInteger(l.user.id) && l.user.id > 0)
  assert.equal(l.user.org_id, srv.rootId)
  assert.equal(l.user.id, srv.userIds.alice)
  assert.match(l.body.csrf_token, /^[0-9a-f]{64}$/)
  assert.ok(l.setCookie, 'Set-Cookie dj_session present')
  assert.match(l.setCookie, /^dj_session=[0-9a-f]{64};/)
  assert.match(l.setCookie, /;\s*HttpOnly/i)
  assert.match(l.setCookie, /;\s*SameSite=Strict/i)
  assert.match(l.setCookie, /;\s*Path=\//i)
  assert.ok(!('password' in l.user) && !('password_hash' in l.user), 'no password material in the answer')
  assert.ok(!l.cookie.includes(l.csrf), 'the CSRF token is not the session token')
})

t('a wrong password is 401 bad_credentials 用户名或密码错误, without a cookie', async () => {
  const l = await login(srv.base, ALICE.username, 'Wrong#pass123')
  assertError({ status: l.status, body: l.body }, 401, 'bad_credentials')
  assert.equal(l.body.error.message, '用户名或密码错误')
  assert.equal(l.setCookie, null)
})

t('an unknown user gets exactly the same 401 as a wrong password', async () => {
  const wrong = await login(srv.base, ALICE.username, 'Wrong#pass123')
  const unknown = await login(srv.base, 'no_such_user', 'Wrong#pass123')
  assert.equal(unknown.status, 401)
  assert.deepEqual(unknown.body, wrong.body)
  assert.equal(unknown.setCookie, null)
})

t('login with missing or mistyped fields is 422 naming the field', async () => {
  let r = await api(srv.base, 'POST', '/api/v1/session', { body: { username: 'alice' } })
  assertError(r, 422)
  assert.equal(r.body.error.field, 'password')
  r = await api(srv.base, 'POST', '/api/v1/session', { body: { username: 5, password: 'x' } })
  assertError(r, 422)
  assert.equal(r.body.error.field, 'username')
  r = await api(srv.base, 'POST', '/api/v1/session', { body: { username: 'a', password: 'b', remember: true } })
  assertError(r, 422)
  assert.equal(r.body.error.field, 'remember')
})

t('GET /api/v1/session: 401 without a cookie or with an unknown one, 200 with a valid one', async () => {
  let r = await api(srv.base, 'GET', '/api/v1/session')
  assertError(r, 401, 'unauthorized')
  r = await api(srv.base, 'GET', '/api/v1/session', { cookie: 'dj_session=' + 'ab'.repeat(32) })
  assertError(r, 401)
  r = await api(srv.base, 'GET', '/api/v1/session', { cookie: 'dj_session=short' })
  assertError(r, 401)
  const l = await login(srv.base, ALICE.username, ALICE.password)
  r = await api(srv.base, 'GET', '/api/v1/session', { cookie: l.cookie })
  assert.equal(r.status, 200)
  assert.equal(r.body.user.username, ALICE.username)
  assert.equal(r.body.user.id, l.user.id)
  assert.equal(r.body.user.role, 'member')
  assert.equal(r.body.user.org_id, srv.rootId)
  assert.equal(r.body.csrf_token, l.csrf, 'the session answers the same CSRF token')
})

t('DELETE /api/v1/session needs X-DJ-CSRF (403 csrf_failed), then logs out and the old cookie is dead', async () => {
  const l = await login(srv.base, ALICE.username, ALICE.password)
  const other = await login(srv.base, BOB.username, BOB.password)
  let r = await api(srv.base, 'DELETE', '/api/v1/session', { cookie: l.cookie })
  assertError(r, 403, 'csrf_failed')
  r = await api(srv.base, 'DELETE', '/api/v1/session', { cookie: l.cookie, csrf: 'f'.repeat(64) })
  assertError(r, 403, 'csrf_failed')
  r = await api(srv.base, 'DELETE', '/api/v1/session', { cookie: l.cookie, csrf: other.csrf })
  assertError(r, 403, 'csrf_failed')
  r = await api(srv.base, 'DELETE', '/api/v1/session', { cookie: l.cookie, csrf: l.csrf.toUpperCase() })
  assertError(r, 403, 'csrf_failed')
  // still logged in after all those refusals
  assert.equal((await api(srv.base, 'GET', '/api/v1/session', { cookie: l.cookie })).status, 200)
  r = await api(srv.base, 'DELETE', '/api/v1/session', { cookie: l.cookie, csrf: l.csrf })
  assert.equal(r.status, 200)
  const cleared = r.headers.getSetCookie().find((c) => c.startsWith('dj_session='))
  assert.ok(cleared, 'logout clears the cookie')
  assert.match(cleared, /^dj_session=;|Max-Age=0|Expires=Thu, 01 Jan 1970/i)
  r = await api(srv.base, 'GET', '/api/v1/session', { cookie: l.cookie })
  assertError(r, 401)
  r = await api(srv.base, 'DELETE', '/api/v1/session', { cookie: l.cookie, csrf: l.csrf })
  assertError(r, 401)
  // the other user's session is untouched
  assert.equal((await api(srv.base, 'GET', '/api/v1/session', { cookie: other.cookie })).status, 200)
})

t('every login gives a new token; a cookie sent to login is never reused (no fixation)', async () => {
  const forged = 'dj_session=' + '0123456789abcdef'.repeat(4)
  const a = await login(srv.base, ALICE.username, ALICE.password, { headers: { Cookie: forged } })
  assert.equal(a.status, 200)
  assert.notEqual(a.cookie, forged)
  assert.equal((await api(srv.base, 'GET', '/api/v1/session', { cookie: forged })).status, 401, 'forged value stays invalid')
  const b = await login(srv.base, ALICE.username, ALICE.password, { headers: { Cookie: a.cookie } })
  assert.equal(b.status, 200)
  assert.notEqual(b.cookie, a.cookie, 'a new session token at each login')
  assert.notEqual(b.csrf, a.csrf, 'a new CSRF token at each login')
  const r = await api(srv.base, 'GET', '/api/v1/session', { cookie: b.cookie })
  assert.equal(r.status, 200)
  assert.equal(r.body.csrf_token, b.csrf)
})

t('a CSRF token only works with its own session', async () => {
  const bob = await login(srv.base, BOB.username, BOB.password)
  // secadmin's write with bob's token is refused; with its own it passes the CSRF check
  let r = await api(srv.base, 'PATCH', `/api/v1/users/${srv.userIds.alice}`, {
    cookie: sec.cookie, csrf: bob.csrf, body: { disabled: false },
  })
  assertError(r, 403, 'csrf_failed')
  r = await sec.patch(`/api/v1/users/${srv.userIds.alice}`, { disabled: false })
  assert.equal(r.status, 200, JSON.stringify(r.body))
})

t('lockout: after 5 wrong passwords the right one is refused with 423 account_locked, and it is audited', async () => {
  for (let i = 1; i <= 5; i++) {
    const l = await login(srv.base, LOCKY.username, `Wrong#pass${i}`)
    assert.equal(l.status, 401, `attempt ${i}: ${JSON.stringify(l.body)}`)
    assert.equal(l.body.error.code, 'bad_credentials')
  }
  const l = await login(srv.base, LOCKY.username, LOCKY.password)
  assertError({ status: l.status, body: l.body }, 423, 'account_locked')
  assert.equal(l.setCookie, null)
  // the audit log has the failures
  const r = await aud.get('/api/v1/audit?action=login_failed&actor=locky&per_page=50')
  assert.equal(r.status, 200)
  assert.ok(r.body.total >= 6, `login_failed entries for locky: ${r.body.total}`)
  for (const e of r.body.items) {
    assert.equal(e.action, 'login_failed')
    assert.equal(e.actor_name, 'locky')
    assert.equal(e.object_id, srv.userIds.locky)
    assert.equal(e.client_ip, '127.0.0.1')
  }
  const details = r.body.items.map((e) => e.after && e.after.detail)
  assert.ok(details.includes('bad_password'))
  assert.ok(details.includes('account_locked'))
  // the secadmin sees the lock, and re-enabling the account clears it
  const u = await sec.get('/api/v1/users?q=locky')
  assert.equal(u.body.items.length, 1)
  assert.ok(u.body.items[0].locked_until, 'locked_until is shown while locked')
  const p = await sec.patch(`/api/v1/users/${srv.userIds.locky}`, { disabled: false })
  assert.equal(p.status, 200, JSON.stringify(p.body))
  assert.equal(p.body.locked_until, null)
  const again = await login(srv.base, LOCKY.username, LOCKY.password)
  assert.equal(again.status, 200, JSON.stringify(again.body))
})

t('a failed attempt below the limit is forgotten after a successful login', async () => {
  const name = 'counter'
  const pw = 'C0unter#pass'
  assert.equal((await sec.post('/api/v1/users', { username: name, password: pw, role: 'member', org_id: srv.rootId })).status, 201)
  for (let i = 0; i < 4; i++) assert.equal((await login(srv.base, name, 'Wrong#pass0')).status, 401)
  assert.equal((await login(srv.base, name, pw)).status, 200)
  for (let i = 0; i < 4; i++) assert.equal((await login(srv.base, name, 'Wrong#pass0')).status, 401)
  assert.equal((await login(srv.base, name, pw)).status, 200, 'the counter was reset by the successful login')
})

t('password policy: weak passwords are refused with 422 field password', async () => {
  const weak = ['', 'Ab1!', 'Short1!', 'alllowercase', 'lowercase123', 'UPPERCASE123', '12345678901', 'abcdEFGH', '密码密码密码密码']
  for (const [i, password] of weak.entries()) {
    const r = await sec.post('/api/v1/users', { username: `weak${i}`, password, role: 'member', org_id: srv.rootId })
    assertError(r, 422)
    assert.equal(r.body.error.field, 'password', `${JSON.stringify(password)}: ${JSON.stringify(r.body)}`)
  }
  const long = 'Aa1!' + 'x'.repeat(130)
  const r = await sec.post('/api/v1/users', { username: 'weaklong', password: long, role: 'member', org_id: srv.rootId })
  assertError(r, 422)
  assert.equal(r.body.error.field, 'password')
  // none of them was created
  const list = await sec.get('/api/v1/users?q=weak')
  assert.equal(list.body.total, 0)
  // a good one is
  const ok = await sec.post('/api/v1/users', { username: 'strong1', password: 'Str0ng!enough', role: 'member', org_id: srv.rootId })
  assert.equal(ok.status, 201, JSON.stringify(ok.body))
})

t('neither the password nor the session token is stored in clear in the database files', { skip: sqliteOnly('reads the SQLite files') }, async () => {
  const password = 'Cl3ar#Text-Canary-7741'
  const c = await sec.post('/api/v1/users', { username: 'canary', password, role: 'member', org_id: srv.rootId })
  assert.equal(c.status, 201)
  const l = await login(srv.base, 'canary', password)
  assert.equal(l.status, 200)
  const wrongPw = 'Wr0ng#Canary-Attempt-913'
  assert.equal((await login(srv.base, 'canary', wrongPw)).status, 401)
  const token = l.cookie.slice('dj_session='.length)
  const files = [srv.db, srv.db + '-wal', srv.db + '-journal'].filter(existsSync)
  assert.ok(files.length >= 1)
  for (const f of files) {
    const bytes = readFileSync(f)
    for (const [what, s] of [['password', password], ['failed password', wrongPw], ['session token', token]]) {
      assert.equal(bytes.indexOf(Buffer.from(s, 'utf8')), -1, `${what} found in clear in ${f}`)
      assert.equal(bytes.indexOf(Buffer.from(s, 'utf16le')), -1, `${what} found (UTF-16) in ${f}`)
    }
  }
  // and not in the audit log either
  const a = await aud.get('/api/v1/audit?per_page=200')
  assert.ok(!a.text.includes(password) && !a.text.includes(wrongPw) && !a.text.includes(token))
})

t('a member may not use secadmin endpoints even with a valid CSRF token', async () => {
  const alice = await session(srv.base, ALICE.username, ALICE.password)
  const r = await alice.post('/api/v1/users', { username: 'x1', password: 'Abcdef1!x', role: 'admin', org_id: srv.rootId })
  assertError(r, 403, 'forbidden')
  const c = client(srv.base, {}) // anonymous
  assertError(await c.get('/api/v1/users'), 401, 'unauthorized')
})

t('the session cookie is found among other cookies', async () => {
  const l = await login(srv.base, ALICE.username, ALICE.password)
  const r = await api(srv.base, 'GET', '/api/v1/session', { cookie: `theme=dark; ${l.cookie}; lang=zh-CN` })
  assert.equal(r.status, 200)
  assert.equal(r.body.user.username, ALICE.username)
})

t('logging out ends only that session, not the same user\'s other sessions', async () => {
  const a = await session(srv.base, BOB.username, BOB.password)
  const b = await session(srv.base, BOB.username, BOB.password)
  assert.equal((await a.del('/api/v1/session')).status, 200)
  assert.equal((await a.get('/api/v1/session')).status, 401)
  assert.equal((await b.get('/api/v1/session')).status, 200)
})

t('a lockout ends after the configured time (lockout_failures=2, lockout_seconds=2)', async () => {
  const { writeFileSync } = await import('node:fs')
  const { join } = await import('node:path')
  const { tempDir, startServer: start } = await import('../lib/server.mjs')
  const conf = join(tempDir(), 'dj.ini')
  writeFileSync(conf, '[security]\nlockout_failures = 2\nlockout_seconds = 2\n')
  const s = await start({ users: [LOCKY], args: ['--config', conf] })
  try {
    assert.equal((await login(s.base, LOCKY.username, 'Wrong#pass1')).status, 401)
    assert.equal((await login(s.base, LOCKY.username, 'Wrong#pass2')).status, 401)
    assert.equal((await login(s.base, LOCKY.username, LOCKY.password)).status, 423)
    // locked_until has whole-second resolution: 2 s of lock are at least 1 s, at most 3 s
    await new Promise((r) => setTimeout(r, 3100))
    const l = await login(s.base, LOCKY.username, LOCKY.password)
    assert.equal(l.status, 200, JSON.stringify(l.body))
  } finally {
    assert.equal(await s.stop(), 0)
    s.assertClean()
  }
})
