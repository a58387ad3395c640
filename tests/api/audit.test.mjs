// audit.test.mjs — the audit log: reading with filters and paging, every write recorded with
// before/after, the hash chain detecting tampering (`audit verify`), online backup and restore.
// On PostgreSQL (make test-pg) the tampering goes through psql on a template copy of the stopped store;
// backup/restore are SQLite-file features (a PostgreSQL store is pg_dump's) and skip there.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import {
  startServer, serve, serverTest, api, login, session, cli, tempDir, errorShapeProblem, storeExec, storeCopy, sqliteOnly, PG_URL,
} from '../lib/server.mjs'

const SEC = { username: 'sec', role: 'secadmin', password: 'Sec!admin2026' }
const AUD = { username: 'aud', role: 'auditor', password: 'Aud!itor2026' }
const ADM = { username: 'adm', role: 'admin', password: 'Adm!n2026x' }
const CAROL_PW = 'Car0l#first'
const CAROL_PW2 = 'Car0l#second'

let srv
let sec
let aud
let carolId
let daveId
const t = serverTest(() => srv)

const SQLITE_FILE_ONLY = sqliteOnly('dangjian backup/restore copy the SQLite file; a PostgreSQL store is backed up with pg_dump/pg_basebackup')

function sqliteAvailable() {
  try {
    execFileSync('sqlite3', ['-version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** All audit entries (newest first) matching a query string. */
async function entries(qs = '') {
  const out = []
  for (let page = 1; ; page++) {
    const r = await aud.get(`/api/v1/audit?per_page=200&page=${page}${qs ? '&' + qs : ''}`)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    out.push(...r.body.items)
    if (out.length >= r.body.total || !r.body.items.length) return out
  }
}

before(async () => {
  srv = await startServer({ users: [SEC, AUD, ADM] })
  sec = await session(srv.base, SEC.username, SEC.password)
  aud = await session(srv.base, AUD.username, AUD.password)
  // the writes this file checks for
  let r = await sec.post('/api/v1/users', { username: 'carol', password: CAROL_PW, role: 'member', org_id: srv.rootId })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  carolId = r.body.id
  r = await sec.post('/api/v1/users', { username: 'dave', password: 'Dav3#secret', role: 'member', org_id: srv.rootId })
  assert.equal(r.status, 201)
  daveId = r.body.id
  const carol = await session(srv.base, 'carol', CAROL_PW) // login
  assert.equal((await carol.del('/api/v1/session')).status, 200) // logout
  assert.equal((await login(srv.base, 'carol', 'Wrong#pass1')).status, 401) // login_failed
  assert.equal((await sec.patch(`/api/v1/users/${carolId}`, { disabled: true })).status, 200) // user.update
  assert.equal((await sec.patch(`/api/v1/users/${carolId}`, { disabled: false, role: 'admin' })).status, 200)
  assert.equal((await sec.patch(`/api/v1/users/${carolId}`, { password: CAROL_PW2 })).status, 200) // user.update_password
})
after(async () => {
  if (srv) await srv.stop()
})

t('the list has the paging shape; per_page over 200 is 422', async () => {
  const r = await aud.get('/api/v1/audit')
  assert.equal(r.status, 200)
  assert.deepEqual(Object.keys(r.body).sort(), ['items', 'page', 'per_page', 'total'])
  assert.equal(r.body.page, 1)
  assert.equal(r.body.per_page, 20)
  assert.ok(r.body.total >= 10, `total ${r.body.total}`)
  assert.equal(r.body.items.length, Math.min(20, r.body.total))
  for (const q of ['per_page=201', 'per_page=1000', 'per_page=0', 'page=0', 'page=-1', 'per_page=abc']) {
    const bad = await aud.get(`/api/v1/audit?${q}`)
    assert.equal(bad.status, 422, q)
    assert.equal(errorShapeProblem(bad.body), null)
    assert.equal(bad.body.error.field, q.split('=')[0])
  }
  assert.equal((await aud.get('/api/v1/audit?per_page=200')).status, 200)
})

t('entries are newest first, pages do not overlap, and each has the documented fields', async () => {
  const p1 = await aud.get('/api/v1/audit?per_page=3&page=1')
  const p2 = await aud.get('/api/v1/audit?per_page=3&page=2')
  assert.equal(p1.body.items.length, 3)
  assert.equal(p2.body.items.length, 3)
  const idsSeen = [...p1.body.items, ...p2.body.items].map((e) => e.id)
  assert.equal(new Set(idsSeen).size, 6)
  for (let i = 1; i < idsSeen.length; i++) assert.ok(idsSeen[i] < idsSeen[i - 1], 'descending ids')
  assert.equal(p1.body.items[0].id, p1.body.total, 'ids run 1..total without gaps')
  for (const e of p1.body.items) {
    for (const k of ['id', 'ts', 'actor_id', 'actor_name', 'action', 'object_type', 'object_id', 'org_path', 'client_ip', 'before', 'after', 'hash']) {
      assert.ok(k in e, `entry has ${k}`)
    }
    assert.match(e.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/)
    assert.match(e.hash, /^[0-9a-f]{64}$/)
  }
})

t('filter by action=login and by actor', async () => {
  const logins = await entries('action=login')
  assert.ok(logins.length >= 3) // sec, aud, carol
  for (const e of logins) assert.equal(e.action, 'login')
  assert.ok(logins.some((e) => e.actor_name === 'carol'))
  const bySec = await entries('actor=sec')
  assert.ok(bySec.length >= 6)
  for (const e of bySec) assert.equal(e.actor_name, 'sec')
  const both = await entries('action=login&actor=carol')
  assert.equal(both.length, 1)
  assert.equal(both[0].actor_name, 'carol')
  assert.equal(both[0].object_id, carolId)
  assert.equal((await entries('actor=nobody_at_all')).length, 0)
  const users = await entries('object_type=user')
  for (const e of users) assert.equal(e.object_type, 'user')
  const org = await entries('object_type=org')
  assert.ok(org.length >= 1 && org.every((e) => e.object_type === 'org'))
})

t('filter by date range (from/to, YYYY-MM-DD, inclusive)', async () => {
  const all = await aud.get('/api/v1/audit?per_page=1')
  const day = all.body.items[0].ts.slice(0, 10)
  const d = new Date(day + 'T00:00:00Z')
  const shift = (n) => new Date(d.getTime() + n * 86400000).toISOString().slice(0, 10)
  const same = await aud.get(`/api/v1/audit?from=${day}&to=${day}&per_page=1`)
  assert.equal(same.status, 200)
  const first = await entries()
  const onDay = first.filter((e) => e.ts.startsWith(day)).length
  assert.equal(same.body.total, onDay)
  assert.equal((await aud.get(`/api/v1/audit?from=${shift(-1)}&to=${shift(1)}`)).body.total, all.body.total)
  assert.equal((await aud.get(`/api/v1/audit?from=${shift(1)}`)).body.total, 0)
  assert.equal((await aud.get(`/api/v1/audit?to=${shift(-1)}`)).body.total, 0)
  assert.equal((await aud.get(`/api/v1/audit?from=${day}&action=login&actor=carol`)).body.total, 1)
  for (const [k, v] of [['from', '2026-13-01'], ['to', 'yesterday'], ['from', '2026-02-30'], ['to', '20260101']]) {
    const r = await aud.get(`/api/v1/audit?${k}=${v}`)
    assert.equal(r.status, 422, `${k}=${v}`)
    assert.equal(r.body.error.field, k)
  }
})

t('every write of this file is in the log, with before/after where it applies', async () => {
  const log = await entries()
  const find = (pred, what) => {
    const e = log.find(pred)
    assert.ok(e, `audit entry for ${what}`)
    return e
  }
  // the CLI's writes: the root org and the accounts
  const root = find((e) => e.action === 'org.create' && e.object_id === srv.rootId, 'init: root org')
  assert.equal(root.actor_name, 'cli')
  assert.equal(root.after.name, '测试县委')
  find((e) => e.action === 'user.create' && e.after && e.after.username === 'sec' && e.actor_name === 'cli', 'user add sec')

  const create = find((e) => e.action === 'user.create' && e.object_id === carolId, 'user.create carol')
  assert.equal(create.actor_name, 'sec')
  assert.equal(create.actor_id, srv.userIds.sec)
  assert.equal(create.before, null)
  assert.equal(create.after.username, 'carol')
  assert.equal(create.after.role, 'member')
  assert.equal(create.after.org_id, srv.rootId)
  assert.equal(create.client_ip, '127.0.0.1')
  assert.equal(create.object_type, 'user')

  const updates = log.filter((e) => e.action === 'user.update' && e.object_id === carolId).sort((a, b) => a.id - b.id)
  assert.equal(updates.length, 2, 'two user.update entries for carol')
  assert.equal(updates[0].before.disabled, false)
  assert.equal(updates[0].after.disabled, true)
  assert.equal(updates[0].actor_name, 'sec')
  assert.equal(updates[1].before.disabled, true)
  assert.equal(updates[1].after.disabled, false)
  assert.equal(updates[1].before.role, 'member')
  assert.equal(updates[1].after.role, 'admin')

  const pw = find((e) => e.action === 'user.update_password' && e.object_id === carolId, 'password reset')
  assert.ok(pw.before && pw.after, 'password reset has before and after')
  const text = JSON.stringify(log)
  assert.ok(!text.includes(CAROL_PW) && !text.includes(CAROL_PW2), 'no password in the audit log')
  assert.ok(!/password_hash|\$argon2/.test(text), 'no password hash in the audit log')

  const li = find((e) => e.action === 'login' && e.actor_name === 'carol', 'carol login')
  assert.equal(li.actor_id, carolId)
  const lo = find((e) => e.action === 'logout' && e.actor_name === 'carol', 'carol logout')
  assert.ok(lo.id > li.id)
  const lf = find((e) => e.action === 'login_failed' && e.actor_name === 'carol', 'carol failed login')
  assert.equal(lf.after.detail, 'bad_password')
  assert.equal(lf.object_id, carolId)
  const unknown = await login(srv.base, 'ghost_user', 'Wrong#pass1')
  assert.equal(unknown.status, 401)
  const ghost = (await entries('action=login_failed&actor=ghost_user'))[0]
  assert.ok(ghost, 'a failed login of an unknown name is audited too')
  assert.equal(ghost.after.detail, 'unknown_user')
  assert.equal(ghost.actor_id, null)
})

t('organization writes are audited with before/after (create, update, move)', async () => {
  const adm = await session(srv.base, ADM.username, ADM.password)
  let r = await adm.post('/api/v1/orgs', { parent_id: srv.rootId, name: '审计测试镇党委', kind: 'committee' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const a = r.body.id
  r = await adm.post('/api/v1/orgs', { parent_id: srv.rootId, name: '审计测试乡党委', kind: 'committee' })
  assert.equal(r.status, 201)
  const b = r.body.id
  r = await adm.post('/api/v1/orgs', { parent_id: a, name: '审计测试支部', kind: 'branch' })
  assert.equal(r.status, 201)
  const c = r.body.id
  assert.equal((await adm.patch(`/api/v1/orgs/${a}`, { name: '审计测试镇党委（改）' })).status, 200)
  assert.equal((await adm.post(`/api/v1/orgs/${c}/move`, { parent_id: b })).status, 200)

  const log = (await entries('object_type=org')).filter((e) => [a, b, c].includes(e.object_id))
  for (const id of [a, b, c]) {
    const creates = log.filter((e) => e.object_id === id && e.action === 'org.create')
    assert.equal(creates.length, 1, `one org.create for ${id}`)
    assert.equal(creates[0].before, null)
    assert.equal(creates[0].actor_name, ADM.username)
    assert.ok(creates[0].after && creates[0].after.name)
  }
  const upd = log.find((e) => e.object_id === a && e.action === 'org.update' && e.after && e.after.name === '审计测试镇党委（改）')
  assert.ok(upd, 'org.update for the rename')
  assert.equal(upd.before.name, '审计测试镇党委')
  const mv = log.find((e) => e.object_id === c && e.action === 'org.move')
  assert.ok(mv, 'org.move entry')
  assert.equal(mv.before.parent_id, a)
  assert.equal(mv.after.parent_id, b)
  for (const e of log.filter((x) => x.action === 'org.update')) {
    assert.ok(e.before, `org.update ${e.id} has before values`)
    assert.ok(e.after, `org.update ${e.id} has after values`)
  }
})

t('the audit log is read-only through the API', async () => {
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    const r = await api(srv.base, m, '/api/v1/audit', { cookie: aud.cookie, csrf: aud.csrf, body: {} })
    assert.equal(r.status, 405, m)
  }
})

t('backup while the server runs and takes writes; restore; the restored copy verifies and serves', { skip: SQLITE_FILE_ONLY }, async () => {
  const dir = tempDir()
  const out = join(dir, 'backup.db')
  // writes in flight during the backup
  let stop = false
  let writes = 0
  const writer = (async () => {
    let flag = true
    while (!stop) {
      const r = await sec.patch(`/api/v1/users/${daveId}`, { disabled: flag })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      flag = !flag
      writes++
    }
  })()
  let b
  try {
    while (writes < 3) await new Promise((r) => setTimeout(r, 5))
    b = await cli(['backup', '--db', srv.db, '--out', out])
  } finally {
    await new Promise((r) => setTimeout(r, 50))
    stop = true
    await writer
  }
  assert.equal(b.code, 0, b.stderr)
  assert.ok(writes >= 4, `writes during backup: ${writes}`)
  assert.ok(existsSync(out))
  // the server is still fine and its own log still verifies after the backup
  assert.equal((await sec.get('/api/v1/users?q=dave')).status, 200)

  // backing up over an existing file is refused
  const again = await cli(['backup', '--db', srv.db, '--out', out])
  assert.notEqual(again.code, 0)

  const restored = join(dir, 'restored.db')
  const r = await cli(['restore', '--from', out, '--db', restored])
  assert.equal(r.code, 0, r.stderr)
  const v = await cli(['audit', 'verify', '--db', restored])
  assert.equal(v.code, 0, v.stderr)
  // restoring over an existing database needs --force
  const r2 = await cli(['restore', '--from', out, '--db', restored])
  assert.notEqual(r2.code, 0)
  const r3 = await cli(['restore', '--from', out, '--db', restored, '--force'])
  assert.equal(r3.code, 0, r3.stderr)

  // the restored database serves: carol's newest password works there
  const s2 = await serve(restored)
  try {
    const l = await login(s2.base, 'carol', CAROL_PW2)
    assert.equal(l.status, 200, JSON.stringify(l.body))
    assert.equal(l.user.role, 'admin')
  } finally {
    assert.equal(await s2.stop(), 0)
    s2.assertClean()
  }
  assert.equal((await cli(['audit', 'verify', '--db', restored])).code, 0)
})

t('restore refuses a backup whose audit chain was altered', { skip: SQLITE_FILE_ONLY || (!sqliteAvailable() && 'sqlite3 CLI not found') }, async () => {
  const dir = tempDir()
  const out = join(dir, 'b.db')
  assert.equal((await cli(['backup', '--db', srv.db, '--out', out])).code, 0)
  execFileSync('sqlite3', [out, "DROP TRIGGER audit_no_update; UPDATE audit_log SET actor_name = 'mallory' WHERE id = 2;"])
  const r = await cli(['restore', '--from', out, '--db', join(dir, 'x.db')])
  assert.notEqual(r.code, 0)
  assert.match(r.stderr, /id=2\b/)
  assert.ok(!existsSync(join(dir, 'x.db')), 'nothing restored')
})

t('backup and restore refuse a PostgreSQL store, pointing to PostgreSQL\'s own tools', async () => {
  // A URL no test connects to (both commands refuse before connecting); on PostgreSQL also this file's store.
  const stores = ['postgres://dj@127.0.0.1:9/not_contacted', ...(PG_URL ? [srv.db] : [])]
  const dir = tempDir()
  for (const db of stores) {
    const b = await cli(['backup', '--db', db, '--out', join(dir, 'b.db')])
    assert.equal(b.code, 1, b.stderr)
    assert.match(b.stderr, /PostgreSQL[^\n]*pg_dump/)
    assert.ok(!existsSync(join(dir, 'b.db')), 'no backup file')
    const r = await cli(['restore', '--from', join(dir, 'none.db'), '--db', db, '--force'])
    assert.equal(r.code, 1, r.stderr)
    assert.match(r.stderr, /PostgreSQL/)
  }
  const r = await cli(['restore', '--from', stores[0], '--db', join(dir, 'x.db')], { sqlite: true })
  assert.equal(r.code, 1, r.stderr)
  assert.match(r.stderr, /--from[^\n]*PostgreSQL/)
  assert.ok(!existsSync(join(dir, 'x.db')), 'nothing restored')
  assert.equal((await sec.get('/api/v1/users?q=dave')).status, 200, 'the store still serves')
})

t('init on an existing database refuses and changes nothing', async () => {
  const r = await cli(['init', '--db', srv.db, '--org-name', '另一个县委'])
  assert.notEqual(r.code, 0)
  assert.equal(r.stdout.trim(), '')
  assert.ok(r.stderr.length > 0)
  const d = await cli(['demo', '--db', srv.db, '--seed', '1'])
  assert.notEqual(d.code, 0, 'demo refuses too')
  const roots = (await entries('action=org.create')).filter((e) => e.after.parent_id === null)
  assert.equal(roots.length, 1, 'still one root organization')
  assert.equal(roots[0].after.name, '测试县委')
  const s = await sec.get(`/api/v1/users?per_page=200`)
  assert.equal(s.status, 200)
  assert.ok(s.body.items.some((u) => u.username === 'carol'))
})

t('concurrent writes and logins keep one unbroken chain', async () => {
  const before = (await aud.get('/api/v1/audit?per_page=1')).body.total
  const creates = Array.from({ length: 8 }, (_, i) =>
    sec.post('/api/v1/users', { username: `par${i}`, password: 'Par#allel2026', role: 'member', org_id: srv.rootId }))
  const logins = Array.from({ length: 4 }, () => login(srv.base, 'sec', SEC.password))
  const fails = Array.from({ length: 4 }, (_, i) => login(srv.base, `nobody${i}`, 'Wrong#pass1'))
  const patches = Array.from({ length: 8 }, (_, i) => sec.patch(`/api/v1/users/${daveId}`, { disabled: i % 2 === 0 }))
  const rs = await Promise.all([...creates, ...logins, ...fails, ...patches])
  assert.deepEqual(rs.map((r) => r.status), [...Array(8).fill(201), ...Array(4).fill(200), ...Array(4).fill(401), ...Array(8).fill(200)])
  const all = await entries()
  assert.equal(all.length, before + 24)
  const ids = all.map((e) => e.id).sort((a, b) => a - b)
  ids.forEach((id, i) => assert.equal(id, i + 1, 'ids 1..N without gaps or duplicates'))
  const v = await cli(['audit', 'verify', '--db', srv.db])
  assert.equal(v.code, 0, v.stderr)
})

// ---- after the server stops: the hash chain ----------------------------------------------------

let stoppedDb
t('SIGTERM stops the server with exit code 0; the untouched log verifies', async () => {
  assert.equal(await srv.stop(), 0)
  srv.assertClean()
  stoppedDb = srv.db
  const v = await cli(['audit', 'verify', '--db', stoppedDb])
  assert.equal(v.code, 0, v.stderr)
  assert.match(v.stdout, /\d+/)
})

/** A copy of the stopped store (the file with its WAL; on PostgreSQL a template copy) to tamper with. */
function tamperCopy(name) {
  const p = join(tempDir(), name)
  storeCopy(stoppedDb, p)
  return p
}

const sql = (db, text) => storeExec(db, text)
const sqlValue = (db, text) => storeExec(db, text)

/** The statement that lifts one of the append-only triggers (PostgreSQL names the table too). */
const dropTrigger = (name) => (PG_URL ? `DROP TRIGGER ${name} ON audit_log` : `DROP TRIGGER ${name}`)

const noSqlite = !PG_URL && !sqliteAvailable() && 'sqlite3 CLI not found'

t('altering one audit row is detected: verify exits non-zero and names the entry', { skip: noSqlite }, async () => {
  const db = tamperCopy('t1.db')
  const id = Number(sqlValue(db, `SELECT id FROM audit_log WHERE action = 'user.create' AND object_id = ${carolId}`))
  assert.ok(id > 1)
  // the table is append-only by trigger
  assert.throws(() => sql(db, `UPDATE audit_log SET after_json = '{}' WHERE id = ${id}`), /append-only/)
  assert.equal((await cli(['audit', 'verify', '--db', db])).code, 0, 'the refused update changed nothing')
  sql(db, `${dropTrigger('audit_no_update')}; UPDATE audit_log SET after_json = '{"username":"mallory"}' WHERE id = ${id};`)
  const v = await cli(['audit', 'verify', '--db', db])
  assert.notEqual(v.code, 0)
  assert.match(v.stderr, new RegExp(`id=${id}\\b`))
})

t('changing only a timestamp, or re-hashing one row, is detected too', { skip: noSqlite }, async () => {
  const db = tamperCopy('t2.db')
  sql(db, `${dropTrigger('audit_no_update')}; UPDATE audit_log SET ts = '2000-01-01T00:00:00+08:00' WHERE id = 3;`)
  let v = await cli(['audit', 'verify', '--db', db])
  assert.notEqual(v.code, 0)
  assert.match(v.stderr, /id=3\b/)
  // replacing a row's hash breaks the link from the next row
  const db2 = tamperCopy('t3.db')
  sql(db2, `${dropTrigger('audit_no_update')}; UPDATE audit_log SET hash = '${'a'.repeat(64)}' WHERE id = 4;`)
  v = await cli(['audit', 'verify', '--db', db2])
  assert.notEqual(v.code, 0)
  assert.match(v.stderr, /id=4\b/)
})

t('deleting a row, in the middle or at the end, is detected', { skip: noSqlite }, async () => {
  const db = tamperCopy('t4.db')
  sql(db, `${dropTrigger('audit_no_delete')}; DELETE FROM audit_log WHERE id = 5;`)
  let v = await cli(['audit', 'verify', '--db', db])
  assert.notEqual(v.code, 0)
  assert.match(v.stderr, /id=5\b/)
  const db2 = tamperCopy('t5.db')
  const last = Number(sqlValue(db2, 'SELECT MAX(id) FROM audit_log'))
  sql(db2, `${dropTrigger('audit_no_delete')}; DELETE FROM audit_log WHERE id = ${last};`)
  v = await cli(['audit', 'verify', '--db', db2])
  assert.notEqual(v.code, 0)
  assert.match(v.stderr, new RegExp(`id=${last}\\b`))
})

t('a backup of a tampered database is refused', { skip: SQLITE_FILE_ONLY || noSqlite }, async () => {
  const db = tamperCopy('t6.db')
  sql(db, `${dropTrigger('audit_no_update')}; UPDATE audit_log SET action = 'nothing' WHERE id = 2;`)
  const out = join(tempDir(), 'bad-backup.db')
  const b = await cli(['backup', '--db', db, '--out', out])
  assert.notEqual(b.code, 0)
  assert.match(b.stderr, /id=2\b/)
})
