// users.test.mjs — account administration by the secadmin: create, list, disable, reset password,
// change role; strict validation of the bodies.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, serverTest, api, login, session, errorShapeProblem } from '../lib/server.mjs'

const SEC = { username: 'sec', role: 'secadmin', password: 'Sec!admin2026' }
const SEC2 = { username: 'sec2', role: 'secadmin', password: 'Sec2!admin2026' }

let srv
let sec
const t = serverTest(() => srv)

before(async () => {
  srv = await startServer({ users: [SEC, SEC2] })
  sec = await session(srv.base, SEC.username, SEC.password)
})
after(async () => {
  if (!srv) return
  assert.equal(await srv.stop(), 0)
  srv.assertClean()
})

function assert422(r, field) {
  assert.equal(r.status, 422, JSON.stringify(r.body))
  assert.equal(errorShapeProblem(r.body), null, errorShapeProblem(r.body))
  assert.equal(r.body.error.field, field, JSON.stringify(r.body))
}

const newUser = (username, extra = {}) => ({ username, password: 'G00d#password', role: 'member', org_id: srv.rootId, ...extra })

async function create(username, extra) {
  const r = await sec.post('/api/v1/users', newUser(username, extra))
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

t('create answers 201 with the account and its id', async () => {
  const r = await sec.post('/api/v1/users', newUser('erin', { role: 'org_admin' }))
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.ok(Number.isInteger(r.body.id) && r.body.id > 0)
  assert.equal(r.body.username, 'erin')
  assert.equal(r.body.role, 'org_admin')
  assert.equal(r.body.org_id, srv.rootId)
  assert.equal(r.body.disabled, false)
  assert.ok(!('password' in r.body) && !('password_hash' in r.body))
  // and the account works
  const l = await login(srv.base, 'erin', 'G00d#password')
  assert.equal(l.status, 200)
  assert.equal(l.user.id, r.body.id)
  assert.equal(l.user.role, 'org_admin')
})

t('Chinese usernames are fine', async () => {
  const u = await create('张三丰')
  assert.equal(u.username, '张三丰')
  const l = await sec.get('/api/v1/users?q=' + encodeURIComponent('三丰'))
  assert.deepEqual(l.body.items.map((x) => x.username), ['张三丰'])
})

t('list: paging shape and the q filter', async () => {
  await create('frank1')
  await create('frank2')
  let r = await sec.get('/api/v1/users')
  assert.equal(r.status, 200)
  assert.deepEqual(Object.keys(r.body).sort(), ['items', 'page', 'per_page', 'total'])
  assert.ok(r.body.total >= 5)
  r = await sec.get('/api/v1/users?q=frank')
  assert.deepEqual(r.body.items.map((u) => u.username).sort(), ['frank1', 'frank2'])
  assert.equal(r.body.total, 2)
  r = await sec.get('/api/v1/users?q=frank&per_page=1&page=2')
  assert.equal(r.body.items.length, 1)
  assert.equal(r.body.total, 2)
  assert.equal(r.body.page, 2)
  r = await sec.get('/api/v1/users?q=nobody-matches-this')
  assert.equal(r.body.total, 0)
  assert.deepEqual(r.body.items, [])
  r = await sec.get('/api/v1/users?q=')
  assert.ok(r.body.total >= 5, 'empty q means no filter')
  r = await sec.get('/api/v1/users?q=%25')
  assert.equal(r.body.total, 0, '% is a literal, not a wildcard')
  for (const q of ["' OR 1=1 --", '" OR ""="', 'frank%', '_rank1']) {
    r = await sec.get('/api/v1/users?q=' + encodeURIComponent(q))
    assert.equal(r.status, 200, q)
    assert.equal(r.body.total, 0, q)
  }
  r = await sec.get('/api/v1/users?per_page=201')
  assert422(r, 'per_page')
  const one = (await sec.get('/api/v1/users?q=frank1')).body.items[0]
  for (const k of ['id', 'username', 'role', 'org_id', 'disabled', 'locked_until', 'created_at']) assert.ok(k in one, k)
})

t('disabling an account: it cannot log in and its open sessions end; enabling it again works', async () => {
  const u = await create('gina')
  const g = await session(srv.base, 'gina', 'G00d#password')
  assert.equal((await g.get('/api/v1/session')).status, 200)
  const r = await sec.patch(`/api/v1/users/${u.id}`, { disabled: true })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.disabled, true)
  assert.equal((await g.get('/api/v1/session')).status, 401, 'the existing session has ended')
  const l = await login(srv.base, 'gina', 'G00d#password')
  assert.equal(l.status, 401)
  assert.equal(l.body.error.code, 'bad_credentials')
  const list = await sec.get('/api/v1/users?q=gina')
  assert.equal(list.body.items[0].disabled, true)
  const e = await sec.patch(`/api/v1/users/${u.id}`, { disabled: false })
  assert.equal(e.status, 200)
  assert.equal(e.body.disabled, false)
  assert.equal((await login(srv.base, 'gina', 'G00d#password')).status, 200)
})

t('resetting a password: the old one stops working, the new one works, sessions end', async () => {
  const u = await create('hank')
  const h = await session(srv.base, 'hank', 'G00d#password')
  const r = await sec.patch(`/api/v1/users/${u.id}`, { password: 'N3w#password' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.ok(!JSON.stringify(r.body).includes('N3w#password'))
  assert.equal((await h.get('/api/v1/session')).status, 401)
  assert.equal((await login(srv.base, 'hank', 'G00d#password')).status, 401)
  assert.equal((await login(srv.base, 'hank', 'N3w#password')).status, 200)
  // the new password must follow the policy too
  assert422(await sec.patch(`/api/v1/users/${u.id}`, { password: 'weak' }), 'password')
  assert422(await sec.patch(`/api/v1/users/${u.id}`, { password: 'alllowercase' }), 'password')
})

t('changing the role takes effect at once', async () => {
  const u = await create('ivy')
  const before = await session(srv.base, 'ivy', 'G00d#password')
  assert.equal((await before.get('/api/v1/audit')).status, 403)
  const r = await sec.patch(`/api/v1/users/${u.id}`, { role: 'auditor' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.role, 'auditor')
  assert.equal((await before.get('/api/v1/session')).status, 401, 'sessions with the old role end')
  const after = await session(srv.base, 'ivy', 'G00d#password')
  assert.equal(after.user.role, 'auditor')
  assert.equal((await after.get('/api/v1/audit')).status, 200)
  assert.equal((await after.get('/api/v1/dashboard')).status, 403)
})

t('an invalid role is 422 field role (create and patch)', async () => {
  for (const role of ['root', 'ADMIN', '', 'superuser', 'admin ']) {
    assert422(await sec.post('/api/v1/users', newUser('jack', { role })), 'role')
  }
  const u = await create('jack')
  assert422(await sec.patch(`/api/v1/users/${u.id}`, { role: 'god' }), 'role')
  assert.equal((await sec.get('/api/v1/users?q=jack')).body.items[0].role, 'member')
})

t('a duplicate username is 409', async () => {
  await create('kate')
  const r = await sec.post('/api/v1/users', newUser('kate'))
  assert.equal(r.status, 409, JSON.stringify(r.body))
  assert.equal(errorShapeProblem(r.body), null)
  assert.equal(r.body.error.field, 'username')
  assert.equal((await sec.get('/api/v1/users?q=kate')).body.total, 1)
})

t('an unknown key in a body is 422 naming the key', async () => {
  let r = await sec.post('/api/v1/users', { ...newUser('leo'), is_superuser: true })
  assert422(r, 'is_superuser')
  assert.match(r.body.error.message, /is_superuser/)
  const u = await create('leo')
  r = await sec.patch(`/api/v1/users/${u.id}`, { disabled: false, password_hash: 'x' })
  assert422(r, 'password_hash')
  assert.match(r.body.error.message, /password_hash/)
  r = await sec.patch(`/api/v1/users/${u.id}`, { username: 'leo2' })
  assert422(r, 'username')
})

t('a wrong type is 422 naming the field', async () => {
  const cases = [
    [{ username: 123 }, 'username'],
    [{ username: ['a'] }, 'username'],
    [{ password: 12345678 }, 'password'],
    [{ role: 1 }, 'role'],
    [{ org_id: String(srv.rootId) }, 'org_id'],
    [{ org_id: 1.5 }, 'org_id'],
    [{ org_id: true }, 'org_id'],
    [{ org_id: 0 }, 'org_id'],
    [{ org_id: -3 }, 'org_id'],
  ]
  for (const [patch, field] of cases) {
    assert422(await sec.post('/api/v1/users', { ...newUser('mia'), ...patch }), field)
  }
  const u = await create('mia')
  for (const [patch, field] of [
    [{ disabled: 'yes' }, 'disabled'],
    [{ disabled: 1 }, 'disabled'],
    [{ password: false }, 'password'],
    [{ role: ['admin'] }, 'role'],
    [{ org_id: '1' }, 'org_id'],
  ]) {
    assert422(await sec.patch(`/api/v1/users/${u.id}`, patch), field)
  }
})

t('missing or malformed required fields are 422 naming the field', async () => {
  for (const k of ['username', 'password', 'role', 'org_id']) {
    const b = newUser('nina')
    delete b[k]
    assert422(await sec.post('/api/v1/users', b), k)
  }
  for (const username of ['n', 'with space', 'a/b', '<script>', 'quote"s', 'x'.repeat(61)]) {
    assert422(await sec.post('/api/v1/users', newUser(username)), 'username')
  }
  assert422(await sec.post('/api/v1/users', newUser('nina', { org_id: 99999999 })), 'org_id')
  assert.equal((await sec.get('/api/v1/users?q=nina')).body.total, 0)
})

t('a secadmin cannot disable itself or change its own role; another secadmin can act on it', async () => {
  const me = sec.user.id
  let r = await sec.patch(`/api/v1/users/${me}`, { disabled: true })
  assert422(r, 'disabled')
  r = await sec.patch(`/api/v1/users/${me}`, { role: 'admin' })
  assert422(r, 'role')
  assert.equal((await sec.get('/api/v1/session')).status, 200, 'still logged in')
  const sec2 = await session(srv.base, SEC2.username, SEC2.password)
  r = await sec2.patch(`/api/v1/users/${me}`, { disabled: false })
  assert.equal(r.status, 200)
})

t('patching an unknown account is 404; without CSRF it is 403', async () => {
  let r = await sec.patch('/api/v1/users/99999999', { disabled: true })
  assert.equal(r.status, 404)
  assert.equal(errorShapeProblem(r.body), null)
  r = await sec.patch('/api/v1/users/abc', { disabled: true })
  assert.equal(r.status, 404)
  const u = await create('owen')
  r = await api(srv.base, 'PATCH', `/api/v1/users/${u.id}`, { cookie: sec.cookie, body: { disabled: true } })
  assert.equal(r.status, 403)
  assert.equal(r.body.error.code, 'csrf_failed')
  assert.equal((await sec.get('/api/v1/users?q=owen')).body.items[0].disabled, false, 'nothing changed')
  r = await api(srv.base, 'POST', '/api/v1/users', { cookie: sec.cookie, body: newUser('owen2') })
  assert.equal(r.status, 403)
  assert.equal((await sec.get('/api/v1/users?q=owen2')).body.total, 0)
})

t('a patch with several changes applies them together', async () => {
  const u = await create('pia')
  const r = await sec.patch(`/api/v1/users/${u.id}`, { role: 'admin', password: 'P1a#newpass', disabled: false })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.role, 'admin')
  const l = await login(srv.base, 'pia', 'P1a#newpass')
  assert.equal(l.status, 200)
  assert.equal(l.user.role, 'admin')
})
