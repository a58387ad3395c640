// hostile.test.mjs — hostile input: SQL injection in every list filter and sort, CSRF on every
// state-changing route, session fixation and logout, brute force, path traversal, hostile
// attachments, oversized and deeply nested JSON, invalid UTF-8, slowloris, security headers, and
// that no error body ever shows internals (SQL text, C file names, stack frames).
//
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import net from 'node:net'
import { join } from 'node:path'
import { idNumber } from '../lib/xlsx.mjs'
import {
  addUser, api, cli, cliOk, client, errorShapeProblem, login, rawHttp, serve, serverTest, session, sleep, tempDir,
  storeExec, PG_URL,
} from '../lib/server.mjs'

let srv
let db
let rootId
let admin // county admin (whole tree)
let cg // 城关镇 org_admin (one township)
let sec // secadmin
let aud // auditor
let mem // member (self)
const t = serverTest(() => srv)

// Every error body seen in this file, with the strings we sent (an error may echo them).
const errorBodies = []
function collect(r, sent = []) {
  if (r && r.status >= 400) errorBodies.push({ status: r.status, text: typeof r.body === 'string' ? r.body : JSON.stringify(r.body), sent })
  return r
}
/** A bound client whose error answers are collected for the final internals scan. */
function watched(c, payloads = []) {
  const wrap = (m) => async (path, body, headers) => collect(await c[m](path, body, headers), [path, ...payloads])
  return { ...c, get: wrap('get'), post: wrap('post'), patch: wrap('patch'), put: wrap('put'), del: wrap('del') }
}

/** SQL straight on the test's store (sqlite3, or psql in PostgreSQL mode). */
async function sql(q) {
  return storeExec(db, q)
}

function assertError(r, status, code, what = '') {
  assert.equal(r.status, status, `${what} ${r.status} ${JSON.stringify(r.body)}`)
  assert.equal(errorShapeProblem(r.body), null, `${what} ${errorShapeProblem(r.body)}`)
  if (code) assert.equal(r.body.error.code, code, what)
}

let counts0
const countsSql = "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM members), (SELECT count(*) FROM orgs), (SELECT count(*) FROM meetings), (SELECT count(*) FROM audit_log WHERE action LIKE '%.delete')"

const ADMIN = { username: 'h_admin', role: 'admin', password: 'Hostile#Adm1n' }
const SEC = { username: 'h_sec', role: 'secadmin', password: 'Hostile#Sec1' }
const AUD = { username: 'h_aud', role: 'auditor', password: 'Hostile#Aud1' }
const CG = { username: 'h_town', password: 'Hostile#Town1' }
const MEM = { username: 'h_member', password: 'Hostile#Mem1' }

// A small county (two townships, a branch each, a few members and meetings): quick to query
// under the sanitizers, with rows outside the township admin's scope to leak if anything did.
before(async () => {
  const dir = tempDir('dj-hostile-')
  db = join(dir, 't.db')
  rootId = Number(await cliOk(['init', '--db', db, '--org-name', '安全测试县委']))
  for (const u of [ADMIN, SEC, AUD]) await addUser(db, { ...u, org: rootId })
  srv = await serve(db)
  admin = watched(await session(srv.base, ADMIN.username, ADMIN.password))
  const org = async (parent, name, kind) => {
    const r = await admin.post('/api/v1/orgs', { parent_id: parent, name, kind, sector: 'rural' })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body.id
  }
  const townA = await org(rootId, '甲镇党委', 'committee')
  const townB = await org(rootId, '乙镇党委', 'committee')
  const branches = [await org(townA, '甲村党支部', 'branch'), await org(townB, '乙村党支部', 'branch')]
  let seq = 1
  const memberIds = []
  for (const b of branches) {
    for (const name of ['张三', '李四', '王五', '赵六']) {
      const r = await admin.post('/api/v1/members', { name, id_number: idNumber('110105', '1980-02-03', seq), org_id: b, category: 'full' })
      seq += 2
      assert.equal(r.status, 201, JSON.stringify(r.body))
      memberIds.push(r.body.id)
    }
    const m = await admin.post('/api/v1/meetings', { org_id: b, title: '主题党日', types: ['theme_day'], held_on: '2026-01-10' })
    assert.equal(m.status, 201, JSON.stringify(m.body))
  }
  sec = watched(await session(srv.base, SEC.username, SEC.password))
  aud = watched(await session(srv.base, AUD.username, AUD.password))
  for (const [u, role, orgId] of [[CG, 'org_admin', townA], [MEM, 'member', branches[0]]]) {
    const r = await sec.post('/api/v1/users', { username: u.username, password: u.password, role, org_id: orgId })
    assert.equal(r.status, 201, JSON.stringify(r.body))
  }
  await sql(`UPDATE users SET member_id = ${memberIds[0]} WHERE username = '${MEM.username}'`) // as the demo links 党员 accounts
  cg = watched(await session(srv.base, CG.username, CG.password))
  mem = watched(await session(srv.base, MEM.username, MEM.password))
  counts0 = await sql(countsSql)
})
after(async () => {
  if (!srv) return
  assert.equal(await srv.stop(), 0)
  srv.assertClean()
})

// ---- SQL injection ------------------------------------------------------------------------------

const SQLI = [
  "' OR '1'='1",
  "1' OR 1=1 --",
  "x'); DROP TABLE members; --",
  '1 UNION SELECT username, password_hash FROM users --',
  '" OR ""="',
  "%' OR name LIKE '%",
  '-id; DELETE FROM audit_log',
  'name) --',
  '\\',
]
const SECRETS = ['$argon2', 'password_hash', 'token_hash', 'csrf_token', 'id_number_enc']

/** Meta filter fields of an entity. */
async function filterNames(entity) {
  const m = await admin.get('/api/v1/meta')
  assert.equal(m.status, 200)
  return m.body.entities[entity].fields.filter((f) => f.filter).map((f) => f.name)
}

/**
 * Every payload in every parameter: 200 (a list no larger than without the parameter, with no
 * secrets in it; zero rows for a parameter that is applied as a filter) or a 4xx refusal — never 5xx.
 */
async function sweep(c, path, params, { applied = [] } = {}) {
  const sep = path.includes('?') ? '&' : '?'
  const base = await c.get(path)
  assert.equal(base.status, 200, `baseline ${path}: ${base.status} ${JSON.stringify(base.body)}`)
  const baseTotal = base.body && typeof base.body === 'object' ? base.body.total : undefined
  let n = 0
  for (const p of params) {
    for (const v of SQLI) {
      const url = `${path}${sep}${encodeURIComponent(p)}=${encodeURIComponent(v)}`
      const r = collect(await api(srv.base, 'GET', url, { cookie: c.cookie }), [v, url])
      n++
      assert.ok([200, 400, 404, 422].includes(r.status), `GET ${url} → ${r.status} ${r.text.slice(0, 300)}`)
      const own = r.text.split(JSON.stringify(v).slice(1, -1)).join('').split(v).join('') // an error may quote the value
      for (const s of SECRETS) assert.ok(!own.includes(s), `GET ${url} leaks ${s}: ${r.text.slice(0, 300)}`)
      if (r.status !== 200 || typeof r.body !== 'object') continue
      if (baseTotal !== undefined && r.body.total !== undefined) {
        assert.ok(r.body.total <= baseTotal, `GET ${url}: ${r.body.total} rows, more than the ${baseTotal} without it`)
        if (applied.includes(p)) assert.equal(r.body.total, 0, `GET ${url}: an injected ${p} matched rows`)
      }
    }
  }
  return n
}

t('SQL injection in every filter and sort parameter of every list endpoint: 200 without a leak or 4xx, never 5xx; the store is intact', async (tc) => {
  const memberF = await filterNames('member')
  const meetingF = await filterNames('meeting')
  const common = ['q', 'sort', 'org_id', 'subtree', 'page', 'per_page', 'from', 'to']
  let n = 0
  n += await sweep(admin, '/api/v1/members', [...memberF, ...common], { applied: ['q', ...memberF.filter((f) => f !== 'org_id')] })
  n += await sweep(cg, '/api/v1/members', [...memberF, ...common], { applied: ['q'] }) // scoped: never more than its own township
  n += await sweep(admin, '/api/v1/meetings', [...meetingF, 'type', 'status', ...common], { applied: ['q'] })
  n += await sweep(mem, '/api/v1/meetings', ['q', 'status', 'sort', 'org_id'])
  const oneMember = (await admin.get('/api/v1/members?per_page=1')).body.items[0].id
  for (const kind of ['rewards', 'positions', 'family', 'abroad']) {
    n += await sweep(admin, `/api/v1/members/${oneMember}/records/${kind}`, ['sort', 'q', 'page'])
  }
  n += await sweep(admin, `/api/v1/orgs/${rootId}/children`, ['q', 'sort', 'kind', 'sector', 'page'])
  n += await sweep(sec, '/api/v1/users', ['q', 'role', 'sort', 'org_id', 'disabled'], { applied: ['q'] })
  n += await sweep(aud, '/api/v1/audit', ['action', 'actor', 'object_type', 'from', 'to', 'sort', 'q'], { applied: ['action', 'actor', 'object_type'] })
  n += await sweep(admin, '/api/v1/findings', ['rule', 'severity', 'from', 'to', 'org_id', 'subtree', 'sort'], { applied: ['rule', 'severity'] })
  assert.equal((await admin.get('/api/v1/findings?subtree=abc')).status, 422)
  n += await sweep(admin, '/api/v1/compliance', ['org_id', 'year'])
  n += await sweep(admin, '/api/v1/inbox', ['org_id', 'sort', 'q'])
  n += await sweep(admin, '/api/v1/import/batches', ['org_id', 'sort'])
  assert.equal((await admin.get('/api/v1/import/batches?org_id=abc')).status, 422)
  n += await sweep(admin, `/api/v1/orgs/${rootId}/stats`, ['as_of'])
  n += await sweep(admin, '/api/v1/rules/params', ['org_id', 'rule'])
  // List routes other areas add (development cases, transfers ...): the generic names.
  const doc = await admin.get('/api/v1/openapi.json')
  const known = new Set(['/api/v1/members', '/api/v1/meetings', '/api/v1/users', '/api/v1/audit', '/api/v1/findings',
    '/api/v1/compliance', '/api/v1/inbox', '/api/v1/import/batches', '/api/v1/rules/params', '/api/v1/health',
    '/api/v1/openapi.json', '/api/v1/session', '/api/v1/meta', '/api/v1/dashboard', '/api/v1/rules'])
  for (const [p, ops] of Object.entries(doc.body.paths)) {
    if (!ops.get || p.includes('{') || known.has(p) || /\.(xlsx|pdf|csv)$/.test(p)) continue
    const probe = await admin.get(p)
    if (probe.status !== 200 || !probe.body || typeof probe.body !== 'object' || !('total' in probe.body)) continue
    n += await sweep(admin, p, ['q', 'status', 'stage', 'kind', 'sort', 'org_id', 'from', 'to'])
  }
  // Exports take the list filters too (an xlsx answer, or a refusal).
  for (const v of SQLI) {
    for (const p of ['q', 'status', 'sort']) {
      const url = `/api/v1/export/members.xlsx?${p}=${encodeURIComponent(v)}`
      const r = collect(await api(srv.base, 'GET', url, { cookie: admin.cookie }), [v, url])
      assert.ok([200, 400, 422].includes(r.status), `GET ${url} → ${r.status}`)
      n++
    }
  }
  // Injection in path ids is a 404.
  for (const p of ["/api/v1/members/1%20OR%201=1", "/api/v1/members/1'--", '/api/v1/orgs/1;DROP%20TABLE%20orgs', '/api/v1/meetings/0x1', '/api/v1/members/-1']) {
    const r = collect(await admin.get(p), [p])
    assert.ok([400, 404].includes(r.status), `GET ${p} → ${r.status}`)
  }
  tc.diagnostic(`${n} injected requests`)
  // Nothing was dropped or deleted, the file is whole and the audit chain verifies.
  assert.equal(await sql(countsSql), counts0)
  if (!PG_URL) assert.equal(await sql('PRAGMA integrity_check'), 'ok')
  const v = await cli(['audit', 'verify', '--db', db])
  assert.equal(v.code, 0, v.stderr)
  assert.equal((await admin.get('/api/v1/members?per_page=1')).status, 200)
})

// ---- CSRF ---------------------------------------------------------------------------------------

t('CSRF: every state-changing route without X-DJ-CSRF, or with another session\'s token, is 403 and changes nothing', async (tc) => {
  const doc = await admin.get('/api/v1/openapi.json')
  const auditBefore = await sql('SELECT count(*) FROM audit_log')
  const meeting = (await admin.get('/api/v1/meetings?per_page=1')).body.items[0].id
  const member = (await admin.get('/api/v1/members?per_page=1')).body.items[0].id
  const ids = { id: meeting, rid: 1, aid: 1, kind: 'rewards' }
  const sessions = { admin, cg, sec, aud, mem }
  let routes = 0
  for (const [pattern, ops] of Object.entries(doc.body.paths)) {
    for (const method of Object.keys(ops).map((m) => m.toUpperCase())) {
      if (method === 'GET' || (method === 'POST' && pattern === '/api/v1/session')) continue
      routes++
      const path = pattern.replace(/\{(\w+)\}/g, (_, k) => String(pattern.startsWith('/api/v1/members') && k === 'id' ? member : ids[k] ?? 1))
      const codes = []
      for (const [who, s] of Object.entries(sessions)) {
        // No header at all; the token in the body or the query instead; another session's token.
        const tries = [
          await api(srv.base, method, path, { cookie: s.cookie, body: {} }),
          await api(srv.base, method, `${path}${path.includes('?') ? '&' : '?'}csrf_token=${s.csrf}`, { cookie: s.cookie, body: { csrf_token: s.csrf } }),
          await api(srv.base, method, path, { cookie: s.cookie, csrf: (s === admin ? sec : admin).csrf, body: {} }),
          await api(srv.base, method, path, { cookie: s.cookie, csrf: s.csrf.toUpperCase() === s.csrf ? 'x' : s.csrf.toUpperCase(), body: {} }),
        ]
        for (const r of tries) {
          collect(r)
          assertError(r, 403, null, `${method} ${path} as ${who}`)
          codes.push(r.body.error.code)
        }
      }
      // Whoever may use the route is stopped by the CSRF check itself.
      assert.ok(codes.includes('csrf_failed'), `${method} ${pattern}: no role reached the CSRF check (${[...new Set(codes)]})`)
    }
  }
  tc.diagnostic(`${routes} state-changing routes`)
  assert.ok(routes >= 25, `only ${routes} state-changing routes found in the OpenAPI document`)
  assert.equal(await sql('SELECT count(*) FROM audit_log'), auditBefore, 'no write happened')
  assert.equal(await sql(countsSql), counts0)
  // The refused DELETE /session did not log anyone out.
  for (const s of Object.values(sessions)) assert.equal((await s.get('/api/v1/session')).status, 200)
})

// ---- sessions -----------------------------------------------------------------------------------

t('session fixation: a cookie chosen by the client is never a session; login issues a fresh token; logout kills it', async () => {
  const chosen = 'dj_session=' + 'ab'.repeat(32)
  assertError(await api(srv.base, 'GET', '/api/v1/session', { cookie: chosen }), 401, null, 'chosen cookie')
  // Logging in while presenting the chosen value must not adopt it.
  const l = await login(srv.base, ADMIN.username, ADMIN.password, { headers: { Cookie: chosen } })
  assert.equal(l.status, 200)
  assert.ok(l.cookie && l.cookie !== chosen, 'a fresh token is issued')
  assert.match(l.setCookie, /HttpOnly/i)
  assert.match(l.setCookie, /SameSite=Strict/i)
  assertError(await api(srv.base, 'GET', '/api/v1/session', { cookie: chosen }), 401, null, 'chosen cookie after login')
  // Neither the CSRF token nor a near miss of the real token is a session.
  assertError(await api(srv.base, 'GET', '/api/v1/session', { cookie: `dj_session=${l.csrf}` }), 401)
  const flipped = l.cookie.slice(0, -1) + (l.cookie.endsWith('0') ? '1' : '0')
  assertError(await api(srv.base, 'GET', '/api/v1/session', { cookie: flipped }), 401)
  assertError(await api(srv.base, 'GET', '/api/v1/session', { cookie: l.cookie.toUpperCase().replace('DJ_SESSION', 'dj_session') }), 401)
  // Each login is its own session with its own CSRF token.
  const l2 = await login(srv.base, ADMIN.username, ADMIN.password)
  assert.notEqual(l2.cookie, l.cookie)
  assert.notEqual(l2.csrf, l.csrf)

  const c = client(srv.base, { cookie: l.cookie, csrf: l.csrf })
  assert.equal((await c.get('/api/v1/session')).status, 200)
  const out = await c.del('/api/v1/session')
  assert.ok(out.status === 200 || out.status === 204, `logout: ${out.status}`)
  const clear = out.headers.getSetCookie().find((x) => x.startsWith('dj_session='))
  assert.ok(clear && /Max-Age=0/i.test(clear), `logout clears the cookie: ${clear}`)
  assertError(await c.get('/api/v1/session'), 401, null, 'after logout')
  assertError(await c.get('/api/v1/members?per_page=1'), 401, null, 'after logout')
  assertError(await c.post('/api/v1/orgs', { parent_id: rootId, name: '注销后', kind: 'branch', sector: 'rural' }), 401, null, 'write after logout')
  // The other session of the same user lives on.
  assert.equal((await api(srv.base, 'GET', '/api/v1/session', { cookie: l2.cookie })).status, 200)
})

t('brute force: five wrong passwords lock the account (423 even for the right one), whatever the client claims to be', async () => {
  const u = await sec.post('/api/v1/users', { username: 'bruteforce_target', password: 'Brute#Force2026', role: 'member', org_id: rootId })
  assert.equal(u.status, 201, JSON.stringify(u.body))
  for (let i = 0; i < 5; i++) {
    // Rotating X-Forwarded-For / User-Agent does not reset the count.
    const l = await login(srv.base, 'bruteforce_target', `Wrong#${i}pass`, { headers: { 'X-Forwarded-For': `10.0.0.${i}`, 'User-Agent': `ua${i}` } })
    collect(l)
    assertError(l, 401, 'bad_credentials', `attempt ${i}`)
  }
  const locked = collect(await login(srv.base, 'bruteforce_target', 'Brute#Force2026'))
  assertError(locked, 423, 'account_locked')
  assert.equal(locked.setCookie, null)
  // Other accounts are not affected.
  assert.equal((await login(srv.base, ADMIN.username, ADMIN.password)).status, 200)
})

// ---- paths and files ----------------------------------------------------------------------------

/** decodeURIComponent that leaves what it cannot decode as it is. */
function safeDecode(s) {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

function rawGet(target, headers = '') {
  return rawHttp(srv.base, [Buffer.concat([Buffer.from('GET '), Buffer.from(target, 'latin1'),
    Buffer.from(` HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}Connection: close\r\n\r\n`)])])
}

t('path traversal in static paths never reaches a file outside the embedded UI', async () => {
  const targets = [
    '/../../etc/passwd', '/../../../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd',
    '/assets/..%2f..%2f..%2fetc/passwd', '/assets/../../../etc/passwd', '/assets/%2e%2e/%2e%2e/etc/passwd',
    '/assets/..%252f..%252fetc/passwd', '/..%5c..%5cetc%5cpasswd', '/assets/..\\..\\etc\\passwd', '//etc/passwd',
    '/api/v1/../../etc/passwd', '/./././etc/passwd', '/assets/%c0%ae%c0%ae/etc/passwd', '/proc/self/environ',
    '/assets/../../../../proc/self/cmdline', '/.env', '/build/dangjian', '/web/dist/index.html', '/t.db', '/t.db.key',
  ]
  const index = (await api(srv.base, 'GET', '/')).text
  for (const p of targets) {
    const r = await rawGet(p)
    collect({ status: r.status, body: r.body }, [p, safeDecode(p)])
    assert.ok(!/root:.*:0:0:/.test(r.body), `${p} served /etc/passwd`)
    assert.ok(!r.body.includes('DJ_') && !r.body.includes('PATH='), `${p} served an environment`)
    assert.ok([200, 400, 404].includes(r.status), `${p} → ${r.status}`)
    if (r.status === 200) assert.equal(r.body, index, `${p}: a 200 is only ever the UI's index.html`)
    else assert.match(r.headers['content-type'], /^application\/json/, p)
  }
  // A NUL in the path must not silently cut it short.
  for (const p of ['/index.html%00.js', '/assets/x%00', '/api/v1/members/1%00/x', '/api/v1/health%00']) {
    const r = await rawGet(p)
    collect({ status: r.status, body: r.body }, [p])
    assert.equal(r.status, 400, `${p} → ${r.status} ${r.body.slice(0, 120)}`)
  }
})

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])
function upload(c, meeting, name, body, type = 'image/png') {
  const q = name === null ? '' : `?filename=${encodeURIComponent(name)}`
  return api(srv.base, 'POST', `/api/v1/meetings/${meeting}/attachments${q}`, {
    cookie: c.cookie, csrf: c.csrf, body, headers: { 'Content-Type': type },
  }).then((r) => collect(r, [name ?? '']))
}

t('attachments: traversal filenames 422, text or HTML 422, over 10 MB 413; a stored file is served as a download', async () => {
  const m = (await admin.get('/api/v1/meetings?per_page=1')).body.items[0]
  for (const name of ['../../etc/passwd', '..\\..\\windows\\win.ini', '/etc/passwd', 'a/b.png', '..', 'x/../../y.png', '', null]) {
    const r = await upload(admin, m.id, name, PNG)
    assertError(r, 422, null, `filename ${JSON.stringify(name)}`)
  }
  // A NUL in the name is refused before the handler (query strings with %00 are 400).
  const nul = collect(await api(srv.base, 'POST', `/api/v1/meetings/${m.id}/attachments?filename=a%00.png`, {
    cookie: admin.cookie, csrf: admin.csrf, body: PNG, headers: { 'Content-Type': 'image/png' } }))
  assertError(nul, 400, null, 'NUL in filename')
  assertError(await upload(admin, m.id, 'notes.txt', '会议记录，纯文本', 'text/plain'), 422, null, 'text attachment')
  assertError(await upload(admin, m.id, 'x.png', '<html><script>alert(1)</script></html>'), 422, null, 'HTML as png')
  assertError(await upload(admin, m.id, 'x.svg', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'image/svg+xml'), 422, null, 'svg')
  const big = Buffer.concat([PNG, Buffer.alloc(10 * 1024 * 1024 + 1 - PNG.length)])
  assertError(await upload(admin, m.id, 'big.png', big), 413, null, '10 MiB + 1 byte')
  // A member may not upload at all.
  assert.equal((await upload(mem, m.id, 'a.png', PNG)).status, 403)

  const ok = await upload(admin, m.id, '<img src=x onerror=alert(1)>.png', PNG)
  assert.equal(ok.status, 201, JSON.stringify(ok.body))
  const d = await api(srv.base, 'GET', `/api/v1/meetings/${m.id}/attachments/${ok.body.id}`, { cookie: admin.cookie })
  assert.equal(d.status, 200)
  assert.equal(d.headers.get('content-type'), 'image/png')
  assert.match(d.headers.get('content-disposition') || '', /^attachment/)
  assert.ok(!(d.headers.get('content-disposition') || '').includes('<'), 'the stored name is not echoed into the header')
  assert.equal(d.headers.get('x-content-type-options'), 'nosniff')
  // Another meeting's id with this attachment id is a 404, not the file.
  const other = (await admin.get('/api/v1/meetings?per_page=2')).body.items.find((x) => x.id !== m.id)
  if (other) assert.equal((await admin.get(`/api/v1/meetings/${other.id}/attachments/${ok.body.id}`)).status, 404)
})

// ---- bodies ---------------------------------------------------------------------------------------

t('huge JSON: nesting depth, array length, string length, key count and body size are refused, never 5xx', async () => {
  const post = async (body, what) => {
    const t0 = Date.now()
    const r = collect(await api(srv.base, 'POST', '/api/v1/orgs', { cookie: admin.cookie, csrf: admin.csrf, body }))
    assert.ok(Date.now() - t0 < 5000, `${what} answered within 5 s`)
    return r
  }
  assertError(await post('['.repeat(200000) + ']'.repeat(200000), 'deep arrays'), 400, 'malformed_json')
  assertError(await post('{"a":'.repeat(20000) + '1' + '}'.repeat(20000), 'deep objects'), 400, 'malformed_json')
  const r3 = await post(JSON.stringify({ x: new Array(150000).fill(0) }), 'long array')
  assert.ok([400, 413].includes(r3.status), `long array → ${r3.status}`)
  const r4 = await post(JSON.stringify({ name: '党'.repeat(300000) }), 'long string')
  assert.ok([400, 413].includes(r4.status), `long string → ${r4.status}`)
  const keys = {}
  for (let i = 0; i < 40000; i++) keys[`k${i}`] = i
  const r5 = await post(JSON.stringify(keys), 'many keys')
  assert.ok([400, 413, 422].includes(r5.status), `40000 keys → ${r5.status}`)
  assertError(await post(JSON.stringify({ name: 'x'.repeat(3 << 20) }), 'over max_body'), 413, 'too_large')
  // The same over-size body sent chunked (no Content-Length): read up to the limit, then 413.
  const chunk = Buffer.alloc(256 * 1024, 0x20)
  const parts = [`POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nCookie: ${admin.cookie}\r\nX-DJ-CSRF: ${admin.csrf}\r\n` +
    'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n']
  for (let i = 0; i < 6; i++) parts.push(`${chunk.length.toString(16)}\r\n`, chunk, '\r\n')
  parts.push('0\r\n\r\n')
  const rc = await rawHttp(srv.base, parts)
  collect({ status: rc.status, body: rc.body })
  assert.equal(rc.status, 413, rc.body)
  // Wrong types and shapes are 4xx with the error shape.
  assertError(await post('[1,2,3]', 'array body'), 400)
  assertError(await post('"text"', 'string body'), 400)
  assertError(await post('1e999999', 'overflowing number'), 400)
  assertError(await post('{"name":"a","name":"b"}', 'duplicate keys'), 400)
  assertError(await post(JSON.stringify({ parent_id: '1', name: '类型', kind: 'branch' }), 'string id'), 422, null)
  assertError(await post(JSON.stringify({ parent_id: 1e300, name: '类型', kind: 'branch' }), 'huge id'), 422, null)
  assertError(await post(JSON.stringify({ parent_id: -1, name: '类型', kind: ['branch'] }), 'array code'), 422, null)
  assert.equal((await api(srv.base, 'GET', '/api/v1/health')).status, 200, 'still serving')
})

t('invalid UTF-8 in JSON bodies, query strings and paths is 400', async () => {
  const bodies = [
    Buffer.from('{"name":"\xff\xfe"}', 'latin1'),
    Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xc0, 0xaf, 0x22, 0x7d]), // overlong '/'
    Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]), // UTF-8 surrogate
    Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xe5, 0x85, 0x22, 0x7d]), // truncated 3-byte
    Buffer.from([0x7b, 0x22, 0xf8, 0x88, 0x80, 0x80, 0x80, 0x22, 0x3a, 0x31, 0x7d]), // 5-byte form in a key
    Buffer.from('{"name":"\\ud800"}'), // lone escaped surrogate
    Buffer.from('{"name":"a\\u0000b"}'), // NUL
  ]
  for (const b of bodies) {
    for (const path of ['/api/v1/orgs', '/api/v1/members']) {
      const r = collect(await api(srv.base, 'POST', path, { cookie: admin.cookie, csrf: admin.csrf, body: b }))
      assertError(r, 400, 'malformed_json', `${path} ${b.toString('hex')}`)
    }
  }
  for (const q of ['q=%FF', 'q=%C0%AF', 'q=%ED%A0%80', 'status=%E5%85', '%FF=1', 'q=%00', 'q=%', 'q=%G1']) {
    const r = collect(await admin.get(`/api/v1/members?${q}`))
    assertError(r, 400, null, q)
  }
  for (const p of ['/api/v1/members/%FF', '/%FF%FE', '/assets/%ED%A0%80', '/login%C0%AF']) {
    const r = await rawGet(p)
    collect({ status: r.status, body: r.body }, [p])
    assert.equal(r.status, 400, `${p} → ${r.status}`)
  }
  for (const p of [Buffer.from('/api/v1/me\xffmbers', 'latin1'), Buffer.from('/login\xc0\xaf', 'latin1')]) {
    const r = await rawGet(p.toString('latin1'))
    assert.equal(r.status, 400, `raw ${p.toString('hex')} → ${r.status}`)
  }
})

// ---- headers ------------------------------------------------------------------------------------

function assertSecurityHeaders(h, what) {
  const get = (k) => (typeof h.get === 'function' ? h.get(k) : h[k])
  const csp = get('content-security-policy') || ''
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP ${csp}`)
  assert.match(csp, /default-src 'self'/, `${what}: CSP ${csp}`)
  assert.doesNotMatch(csp, /script-src[^;]*'unsafe-(inline|eval)'/, `${what}: scripts are not inline`)
  assert.equal(get('x-content-type-options'), 'nosniff', what)
  assert.ok(get('referrer-policy'), `${what}: Referrer-Policy`)
  assert.equal(get('x-frame-options'), 'DENY', what)
}

t('security headers on API, error, static, 304 and early-413 answers; cookie flags', async () => {
  const index = await api(srv.base, 'GET', '/')
  assert.equal(index.status, 200)
  assertSecurityHeaders(index.headers, 'index.html')
  const asset = /\/assets\/[^"']+\.js/.exec(index.text)
  assert.ok(asset, 'index.html references a script asset')
  const a = await api(srv.base, 'GET', asset[0])
  assert.equal(a.status, 200)
  assertSecurityHeaders(a.headers, 'asset')
  const etag = a.headers.get('etag')
  const nm = await api(srv.base, 'GET', asset[0], { headers: { 'If-None-Match': etag } })
  assert.equal(nm.status, 304)
  assertSecurityHeaders(nm.headers, '304')
  const spa = await api(srv.base, 'GET', '/members/1')
  assertSecurityHeaders(spa.headers, 'SPA route')
  for (const [what, r] of [
    ['health', await api(srv.base, 'GET', '/api/v1/health')],
    ['list', await admin.get('/api/v1/members?per_page=1')],
    ['401', await api(srv.base, 'GET', '/api/v1/members')],
    ['403', await mem.get('/api/v1/users')],
    ['404', await admin.get('/api/v1/nope')],
    ['405', await admin.put('/api/v1/members', {})],
    ['400', await admin.get('/api/v1/members?q=%FF')],
    ['413', await api(srv.base, 'POST', '/api/v1/orgs', { cookie: admin.cookie, csrf: admin.csrf, body: 'x'.repeat(2 << 20) })],
    ['xlsx', await admin.get('/api/v1/export/members.xlsx?per_page=1')],
  ]) {
    collect(r)
    assertSecurityHeaders(r.headers, what)
    if (what !== 'xlsx') assert.match(r.headers.get('content-type'), /^application\/json; charset=utf-8$/, what)
  }
  // An answer sent before the body is read (declared too big) carries them too.
  const early = await rawHttp(srv.base, [`POST /api/v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${64 << 20}\r\nConnection: close\r\n\r\n`])
  assert.equal(early.status, 413)
  assertSecurityHeaders(early.headers, 'early 413')
  // Cookies: HttpOnly, SameSite=Strict, Path=/ on login and on logout.
  const l = await login(srv.base, ADMIN.username, ADMIN.password)
  for (const flag of [/;\s*HttpOnly/i, /;\s*SameSite=Strict/i, /;\s*Path=\//i]) assert.match(l.setCookie, flag)
  const out = await client(srv.base, { cookie: l.cookie, csrf: l.csrf }).del('/api/v1/session')
  const clear = out.headers.getSetCookie().find((x) => x.startsWith('dj_session='))
  for (const flag of [/;\s*HttpOnly/i, /;\s*SameSite=Strict/i]) assert.match(clear, flag)
  // API answers are never cached.
  assert.match((await admin.get('/api/v1/members?per_page=1')).headers.get('cache-control') || '', /no-store/)
})

// ---- slowloris ----------------------------------------------------------------------------------

function openSocket(port) {
  return new Promise((res) => {
    const s = net.connect(port, '127.0.0.1')
    s.t0 = Date.now()
    s.closedAfter = null
    s.got = ''
    s.on('close', () => (s.closedAfter = Date.now() - s.t0))
    s.on('error', () => {})
    s.on('data', (d) => (s.got += d))
    s.on('connect', () => res(s))
    s.setTimeout(20000, () => s.destroy())
  })
}

t('slowloris: others keep being served, idle and stalled connections close after conn_timeout, the per-IP cap holds', async () => {
  const dir = tempDir('dj-slow-')
  const ini = join(dir, 'slow.ini')
  writeFileSync(ini, '[server]\nconn_timeout = 3\nper_ip_conns = 20\n')
  const s2 = await serve(db, { args: ['--config', ini] })
  const port = s2.port
  const socks = []
  let timer
  try {
    const idle = await openSocket(port) // connects and says nothing
    const stalled = await openSocket(port) // half a request line, then nothing
    stalled.write('GET /api/v1/health HTTP/1.1\r\nHo')
    socks.push(idle, stalled)
    // Ten clients sending their headers one byte every 250 ms.
    const req = 'GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: ' + 'a'.repeat(200) + '\r\n'
    const drip = []
    for (let i = 0; i < 10; i++) drip.push(await openSocket(port))
    socks.push(...drip)
    let k = 0
    timer = setInterval(() => {
      for (const d of drip) if (!d.destroyed && k < req.length) d.write(req[k])
      k++
    }, 250)
    // Meanwhile other clients are answered promptly.
    const slowest = []
    for (let i = 0; i < 8; i++) {
      const t0 = Date.now()
      const r = await fetch(`${s2.base}/api/v1/health`)
      await r.text()
      assert.equal(r.status, 200)
      slowest.push(Date.now() - t0)
      await sleep(500)
    }
    assert.ok(Math.max(...slowest) < 1500, `health answered within 1.5 s while dripped (${slowest})`)
    // conn_timeout = 3 s: idle and stalled connections are gone by now (~4 s), not before 2.5 s.
    for (const [what, s] of [['idle', idle], ['stalled', stalled]]) {
      assert.ok(s.closedAfter !== null, `${what} connection still open after ${Date.now() - s.t0} ms`)
      assert.ok(s.closedAfter >= 2500, `${what} connection closed too early (${s.closedAfter} ms)`)
    }
    // Per-IP cap 20: of 30 more connections from 127.0.0.1, the server refuses those over the cap.
    const more = []
    for (let i = 0; i < 30; i++) more.push(await openSocket(port))
    socks.push(...more)
    await sleep(500)
    const open = socks.filter((s) => s.closedAfter === null).length
    assert.ok(open <= 20, `${open} connections from one IP are open (cap 20)`)
    assert.ok(more.filter((s) => s.closedAfter !== null).length >= 10, 'connections over the cap are closed at once')
    // Once the drip stops, those connections are closed after conn_timeout too.
    clearInterval(timer)
    timer = null
    const stopAt = Date.now()
    while (drip.some((d) => d.closedAfter === null) && Date.now() - stopAt < 6000) await sleep(100)
    assert.ok(drip.every((d) => d.closedAfter !== null), 'stalled drippers are closed after conn_timeout')
    for (const s of socks) s.destroy()
    await sleep(200)
    const r = await fetch(`${s2.base}/api/v1/health`)
    assert.equal(r.status, 200, 'the server answers after the attack')
    assert.equal(await s2.stop(), 0)
    s2.assertClean()
  } finally {
    if (timer) clearInterval(timer)
    for (const s of socks) s.destroy()
    await s2.stop().catch(() => {})
  }
})

// ---- internals ----------------------------------------------------------------------------------

t('no error body collected above shows SQL text, sqlite, C file names or stack frames', async () => {
  assert.ok(errorBodies.length > 300, `only ${errorBodies.length} error bodies collected`)
  const bad = ['SQLITE', 'sqlite3', 'SELECT ', 'INSERT ', ' at ', '.c:']
  for (const e of errorBodies) {
    let text = e.text
    // An error may quote what we sent (a path, a code): judge only what the server added.
    for (const s of e.sent) {
      if (!s) continue
      for (const form of [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)]) text = text.split(form).join('')
    }
    for (const b of bad) assert.ok(!text.includes(b), `a ${e.status} body shows ${JSON.stringify(b)}: ${e.text.slice(0, 400)}`)
  }
})
