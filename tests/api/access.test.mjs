// access.test.mjs — who may call what: a generated role × route matrix over the demo county,
// and org-subtree scope for the township org_admin and for a township-scoped secadmin.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  startServer, serverTest, api, session, addUser, errorShapeProblem, DEMO_PASSWORD, REPO_ROOT,
} from '../lib/server.mjs'

// role → demo account
const ACCOUNTS = { admin: 'admin', org_admin: 'chengguan', member: 'dangyuan', secadmin: 'secadmin', auditor: 'auditor' }
const ROLES = Object.keys(ACCOUNTS)
const ALL = ROLES
const PUBLIC = 'public'
const NO_ID = 99999999 // an id that does not exist

// The route table of lib/api/routes.c with its access rule (who gets through the role check).
// make(ctx, role) → {path, body}; ctx has the sessions and ids.
const ROUTES = [
  { method: 'GET', pattern: '/api/v1/health', roles: PUBLIC },
  { method: 'GET', pattern: '/api/v1/openapi.json', roles: PUBLIC },
  { method: 'GET', pattern: '/metrics', roles: PUBLIC },
  {
    // public, but these credentials are wrong: everybody (and nobody) gets the same 401
    method: 'POST', pattern: '/api/v1/session', roles: PUBLIC, status: 401,
    make: () => ({ body: { username: 'nobody_here', password: 'Wrong#pass1' } }),
  },
  { method: 'GET', pattern: '/api/v1/session', roles: ALL },
  { method: 'DELETE', pattern: '/api/v1/session', roles: ALL, last: true },
  { method: 'GET', pattern: '/api/v1/dashboard', roles: ['admin', 'org_admin', 'member'] },
  {
    method: 'GET', pattern: '/api/v1/orgs/{id}', roles: ['admin', 'org_admin'],
    make: (ctx, role) => ({ path: `/api/v1/orgs/${ctx.ownOrg(role)}` }),
  },
  {
    method: 'GET', pattern: '/api/v1/orgs/{id}/children', roles: ['admin', 'org_admin'],
    make: (ctx, role) => ({ path: `/api/v1/orgs/${ctx.ownOrg(role)}/children` }),
  },
  // organization writes and views: harmless requests (unknown ids, empty bodies) for the writes
  {
    method: 'POST', pattern: '/api/v1/orgs', roles: ['admin', 'org_admin'], okStatus: 422, make: () => ({ body: {} }),
  },
  {
    method: 'PATCH', pattern: '/api/v1/orgs/{id}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/orgs/${NO_ID}`, body: {} }),
  },
  {
    method: 'POST', pattern: '/api/v1/orgs/{id}/move', roles: ['admin', 'org_admin'], okStatus: 404,
    make: (ctx) => ({ path: `/api/v1/orgs/${NO_ID}/move`, body: { parent_id: ctx.rootId } }),
  },
  {
    method: 'GET', pattern: '/api/v1/orgs/{id}/stats', roles: ['admin', 'org_admin'],
    make: (ctx, role) => ({ path: `/api/v1/orgs/${ctx.ownOrg(role)}/stats` }),
  },
  {
    method: 'GET', pattern: '/api/v1/orgs/{id}/findings', roles: ['admin', 'org_admin'],
    make: (ctx, role) => ({ path: `/api/v1/orgs/${ctx.ownOrg(role)}/findings` }),
  },
  {
    method: 'GET', pattern: '/api/v1/orgs/{id}/committees', roles: ['admin', 'org_admin'],
    make: (ctx, role) => ({ path: `/api/v1/orgs/${ctx.ownOrg(role)}/committees` }),
  },
  {
    method: 'POST', pattern: '/api/v1/orgs/{id}/committees', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/orgs/${NO_ID}/committees`, body: {} }),
  },
  { method: 'GET', pattern: '/api/v1/meta', roles: ALL },
  // members: nonexistent ids, so allowed roles pass the gate and meet the handler (404/422)
  { method: 'GET', pattern: '/api/v1/members', roles: ['admin', 'org_admin', 'member'] },
  { method: 'POST', pattern: '/api/v1/members', roles: ['admin', 'org_admin'], okStatus: 422, make: () => ({ body: {} }) },
  {
    method: 'GET', pattern: '/api/v1/members/{id}', roles: ['admin', 'org_admin', 'member'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}` }),
  },
  {
    method: 'PATCH', pattern: '/api/v1/members/{id}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}`, body: {} }),
  },
  {
    method: 'DELETE', pattern: '/api/v1/members/{id}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}`, body: { reason: '测试' } }),
  },
  {
    method: 'GET', pattern: '/api/v1/members/{id}/records/{kind}', roles: ['admin', 'org_admin', 'member'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/records/rewards` }),
  },
  {
    method: 'POST', pattern: '/api/v1/members/{id}/records/{kind}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/records/rewards`, body: {} }),
  },
  {
    method: 'PATCH', pattern: '/api/v1/members/{id}/records/{kind}/{rid}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/records/rewards/${NO_ID}`, body: {} }),
  },
  {
    method: 'DELETE', pattern: '/api/v1/members/{id}/records/{kind}/{rid}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/records/rewards/${NO_ID}` }),
  },
  // import / export (no file: allowed roles get 422 field file, nothing starts)
  { method: 'POST', pattern: '/api/v1/import/members', roles: ['admin', 'org_admin'], okStatus: 422 },
  {
    method: 'GET', pattern: '/api/v1/import/jobs/{id}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/import/jobs/${NO_ID}` }),
  },
  { method: 'GET', pattern: '/api/v1/import/members/template.xlsx', roles: ['admin', 'org_admin'] },
  { method: 'GET', pattern: '/api/v1/import/batches', roles: ['admin', 'org_admin'] },
  {
    method: 'POST', pattern: '/api/v1/import/batches/{id}/rollback', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/import/batches/${NO_ID}/rollback` }),
  },
  { method: 'GET', pattern: '/api/v1/export/members.xlsx', roles: ['admin', 'org_admin'] },
  {
    method: 'POST', pattern: '/api/v1/members/{id}/status', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/status`, body: { status: 'lost_contact', on: '2026-01-01', reason: '测试' } }),
  },
  {
    method: 'GET', pattern: '/api/v1/members/{id}/status', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/status` }),
  },
  {
    method: 'GET', pattern: '/api/v1/members/{id}/mobility', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/mobility` }),
  },
  {
    method: 'POST', pattern: '/api/v1/members/{id}/mobility', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/mobility`, body: { direction: 'out', place: '外地', since: '2026-01-01' } }),
  },
  {
    method: 'POST', pattern: '/api/v1/members/{id}/mobility/{mid}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/mobility/${NO_ID}`, body: { contact_on: '2026-01-01' } }),
  },
  { method: 'GET', pattern: '/api/v1/calendar', roles: ['admin', 'org_admin'] },
  { method: 'PUT', pattern: '/api/v1/calendar', roles: ['admin'], okStatus: 422, make: () => ({ body: {} }) },
  // transfers of the organizational relationship
  { method: 'GET', pattern: '/api/v1/transfers', roles: ['admin', 'org_admin'] },
  { method: 'POST', pattern: '/api/v1/transfers', roles: ['admin', 'org_admin'], okStatus: 422, make: () => ({ body: {} }) },
  {
    method: 'POST', pattern: '/api/v1/transfers/{id}/receive', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/transfers/${NO_ID}/receive`, body: {} }),
  },
  {
    method: 'GET', pattern: '/api/v1/transfers/{id}/letter', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/transfers/${NO_ID}/letter` }),
  },
  // party dues (党费): unknown member ids, empty bodies
  {
    method: 'GET', pattern: '/api/v1/members/{id}/dues', roles: ['admin', 'org_admin', 'member'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/dues` }),
  },
  {
    method: 'GET', pattern: '/api/v1/members/{id}/dues/bases', roles: ['admin', 'org_admin', 'member'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/dues/bases` }),
  },
  {
    method: 'POST', pattern: '/api/v1/members/{id}/dues/bases', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/dues/bases`, body: {} }),
  },
  {
    // the body is judged before the member is looked up
    method: 'POST', pattern: '/api/v1/members/{id}/dues/payments', roles: ['admin', 'org_admin'], okStatus: 422,
    make: () => ({ path: `/api/v1/members/${NO_ID}/dues/payments`, body: {} }),
  },
  {
    method: 'DELETE', pattern: '/api/v1/members/{id}/dues/payments/{pid}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/dues/payments/${NO_ID}`, body: { reason: '测试' } }),
  },
  {
    method: 'POST', pattern: '/api/v1/members/{id}/dues/exemptions', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/members/${NO_ID}/dues/exemptions`, body: {} }),
  },
  { method: 'GET', pattern: '/api/v1/dues/cycles', roles: ['admin', 'org_admin'] },
  {
    method: 'POST', pattern: '/api/v1/dues/cycles/{org_id}/{month}/{action}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/dues/cycles/${NO_ID}/2026-01/close`, body: {} }),
  },
  { method: 'GET', pattern: '/api/v1/dues/grid', roles: ['admin', 'org_admin'] },
  { method: 'POST', pattern: '/api/v1/dues/bulk-pay', roles: ['admin', 'org_admin'], okStatus: 422, make: () => ({ body: {} }) },
  { method: 'POST', pattern: '/api/v1/dues/import', roles: ['admin', 'org_admin'], okStatus: 422, make: () => ({ body: 'x' }) },
  { method: 'GET', pattern: '/api/v1/dues/report', roles: ['admin', 'org_admin'] },
  { method: 'GET', pattern: '/api/v1/dues/arrears', roles: ['admin', 'org_admin'] },
  { method: 'GET', pattern: '/api/v1/export/dues.xlsx', roles: ['admin', 'org_admin'] },
  { method: 'GET', pattern: '/api/v1/export/dues-annual.xlsx', roles: ['admin', 'org_admin'] },
  { method: 'GET', pattern: '/api/v1/export/dues-annual.pdf', roles: ['admin', 'org_admin'] },
  { method: 'GET', pattern: '/api/v1/export/dues.pdf', roles: ['admin', 'org_admin'] },
  // organizational life (三会一课): unknown meeting ids, empty bodies
  { method: 'GET', pattern: '/api/v1/meetings', roles: ['admin', 'org_admin', 'member'] },
  { method: 'POST', pattern: '/api/v1/meetings', roles: ['admin', 'org_admin'], okStatus: 422, make: () => ({ body: {} }) },
  {
    method: 'GET', pattern: '/api/v1/meetings/{id}', roles: ['admin', 'org_admin', 'member'], okStatus: 404,
    make: () => ({ path: `/api/v1/meetings/${NO_ID}` }),
  },
  {
    method: 'PATCH', pattern: '/api/v1/meetings/{id}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/meetings/${NO_ID}`, body: {} }),
  },
  {
    method: 'DELETE', pattern: '/api/v1/meetings/{id}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/meetings/${NO_ID}`, body: { reason: '测试' } }),
  },
  {
    method: 'GET', pattern: '/api/v1/meetings/{id}/attendance', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/meetings/${NO_ID}/attendance` }),
  },
  {
    method: 'POST', pattern: '/api/v1/meetings/{id}/attendance', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/meetings/${NO_ID}/attendance`, body: { items: [] } }),
  },
  {
    method: 'POST', pattern: '/api/v1/meetings/{id}/votes', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/meetings/${NO_ID}/votes`, body: {} }),
  },
  {
    method: 'POST', pattern: '/api/v1/meetings/{id}/review', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/meetings/${NO_ID}/review`, body: { action: 'submit' } }),
  },
  {
    method: 'POST', pattern: '/api/v1/meetings/{id}/checkin-token', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/meetings/${NO_ID}/checkin-token` }),
  },
  {
    // a wrong token is judged before the meeting is looked up: 422
    method: 'POST', pattern: '/api/v1/meetings/{id}/checkin', roles: ['admin', 'org_admin', 'member'], okStatus: 422,
    make: () => ({ path: `/api/v1/meetings/${NO_ID}/checkin`, body: { token: 'x' } }),
  },
  {
    method: 'POST', pattern: '/api/v1/meetings/{id}/attachments', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/meetings/${NO_ID}/attachments?filename=a.pdf`, body: '%PDF-1.4' }),
  },
  {
    method: 'GET', pattern: '/api/v1/meetings/{id}/attachments/{aid}', roles: ['admin', 'org_admin', 'member'], okStatus: 404,
    make: () => ({ path: `/api/v1/meetings/${NO_ID}/attachments/${NO_ID}` }),
  },
  // rules, findings, reminders
  { method: 'GET', pattern: '/api/v1/rules', roles: ALL },
  { method: 'GET', pattern: '/api/v1/rules/params', roles: ['admin', 'org_admin'] },
  { method: 'PUT', pattern: '/api/v1/rules/params', roles: ['admin'], okStatus: 422, make: () => ({ body: {} }) },
  { method: 'GET', pattern: '/api/v1/findings', roles: ['admin', 'org_admin'] },
  { method: 'GET', pattern: '/api/v1/compliance', roles: ['admin', 'org_admin'] },
  { method: 'GET', pattern: '/api/v1/inbox', roles: ['admin', 'org_admin'] },
  {
    method: 'POST', pattern: '/api/v1/rules/dues/calc', roles: ['admin', 'org_admin', 'member'], okStatus: 422,
    make: () => ({ body: {} }),
  },
  { method: 'POST', pattern: '/api/v1/rules/develop/check', roles: ['admin', 'org_admin'], make: () => ({ body: {} }) },
  // member development (发展党员): unknown case ids, empty bodies
  { method: 'GET', pattern: '/api/v1/dev/cases', roles: ['admin', 'org_admin'] },
  { method: 'POST', pattern: '/api/v1/dev/cases', roles: ['admin', 'org_admin'], okStatus: 422, make: () => ({ body: {} }) },
  {
    method: 'GET', pattern: '/api/v1/dev/cases/{id}', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/dev/cases/${NO_ID}` }),
  },
  {
    method: 'POST', pattern: '/api/v1/dev/cases/{id}/steps', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/dev/cases/${NO_ID}/steps`, body: {} }),
  },
  {
    method: 'GET', pattern: '/api/v1/dev/cases/{id}/documents', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/dev/cases/${NO_ID}/documents` }),
  },
  {
    method: 'GET', pattern: '/api/v1/dev/cases/{id}/documents.pdf', roles: ['admin', 'org_admin'], okStatus: 404,
    make: () => ({ path: `/api/v1/dev/cases/${NO_ID}/documents.pdf` }),
  },
  { method: 'GET', pattern: '/api/v1/dev/board', roles: ['admin', 'org_admin'] },
  { method: 'PUT', pattern: '/api/v1/dev/plans', roles: ['admin', 'org_admin'], okStatus: 422, make: () => ({ body: {} }) },
  { method: 'GET', pattern: '/api/v1/users', roles: ['secadmin'] },
  {
    method: 'POST', pattern: '/api/v1/users', roles: ['secadmin'], okStatus: 201,
    make: (ctx, role) => ({
      body: { username: `matrix_${role}`, password: 'Matr1x#pass', role: 'member', org_id: ctx.rootId },
    }),
  },
  {
    method: 'PATCH', pattern: '/api/v1/users/{id}', roles: ['secadmin'],
    make: (ctx) => ({ path: `/api/v1/users/${ctx.ids.dangyuan}`, body: { disabled: false } }),
  },
  { method: 'GET', pattern: '/api/v1/audit', roles: ['auditor'] },
]

let srv
const sess = {} // role → client
const ids = {} // username → user id
let townships = [] // root's children [{id, name, ...}]
let own // chengguan's township org
const t = serverTest(() => srv)

const ctx = {
  get rootId() {
    return srv.rootId
  },
  ids,
  ownOrg: (role) => sess[role].user.org_id,
}

before(async () => {
  srv = await startServer({ demo: true })
  for (const role of ROLES) {
    sess[role] = await session(srv.base, ACCOUNTS[role], DEMO_PASSWORD)
    ids[ACCOUNTS[role]] = sess[role].user.id
  }
  const r = await sess.admin.get(`/api/v1/orgs/${srv.rootId}/children?per_page=200`)
  assert.equal(r.status, 200)
  townships = r.body.items
  own = townships.find((o) => o.id === sess.org_admin.user.org_id)
})
after(async () => {
  if (!srv) return
  assert.equal(await srv.stop(), 0)
  srv.assertClean()
})

function expected(route, role) {
  if (route.roles === PUBLIC) return route.status ?? 200
  if (role === 'anonymous') return 401
  return route.roles.includes(role) ? route.okStatus ?? 200 : 403
}

function matrixCase(route, role) {
  const exp = expected(route, role)
  t(`${role.padEnd(9)} ${route.method} ${route.pattern} → ${exp}`, async () => {
    const m = route.make ? route.make(ctx, role === 'anonymous' ? 'admin' : role) : {}
    const path = m.path ?? route.pattern
    const s = role === 'anonymous' ? {} : sess[role]
    const r = await api(srv.base, route.method, path, { cookie: s.cookie, csrf: s.csrf, body: m.body })
    assert.equal(r.status, exp, `${route.method} ${path} as ${role}: ${JSON.stringify(r.body)}`)
    if (exp >= 400) {
      assert.equal(errorShapeProblem(r.body), null, errorShapeProblem(r.body))
      if (exp === 403) assert.equal(r.body.error.code, 'forbidden')
      if (exp === 401 && route.roles !== PUBLIC) assert.equal(r.body.error.code, 'unauthorized')
    }
  })
}

t('the matrix covers every documented operation', async () => {
  const r = await api(srv.base, 'GET', '/api/v1/openapi.json')
  const have = new Set(ROUTES.map((x) => `${x.method} ${x.pattern}`))
  for (const [p, ops] of Object.entries(r.body.paths)) {
    for (const m of Object.keys(ops)) assert.ok(have.has(`${m.toUpperCase()} ${p}`), `${m} ${p} lacks a matrix row`)
    // and the documented x-roles agree with this table
    for (const [m, op] of Object.entries(ops)) {
      const row = ROUTES.find((x) => x.pattern === p && x.method === m.toUpperCase())
      if (row.roles === PUBLIC) assert.equal(op['x-roles'], undefined, `${m} ${p} is public`)
      else assert.deepEqual([...op['x-roles']].sort(), [...row.roles].sort(), `${m} ${p} x-roles`)
    }
  }
})

t('the matrix has a row for every route of lib/api/routes.c, and no row for a route that is gone', async () => {
  const src = readFileSync(join(REPO_ROOT, 'lib/api/routes.c'), 'utf8')
  const table = [...src.matchAll(/\{\s*"(GET|POST|PUT|PATCH|DELETE)",\s*"([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`)
  assert.ok(table.length > 40, `parsed ${table.length} routes from routes.c`)
  const have = new Set(ROUTES.map((x) => `${x.method} ${x.pattern}`))
  for (const r of table) assert.ok(have.has(r), `${r} (lib/api/routes.c) lacks a matrix row`)
  const inTable = new Set(table)
  for (const r of have) assert.ok(inTable.has(r), `matrix row ${r} is not in lib/api/routes.c`)
})

for (const route of ROUTES.filter((r) => !r.last)) {
  for (const role of [...ROLES, 'anonymous']) matrixCase(route, role)
}

/** Number of organizations strictly below id (walks the tree as admin). */
async function countDescendants(id) {
  let n = 0
  const stack = [id]
  while (stack.length) {
    const cur = stack.pop()
    const r = await sess.admin.get(`/api/v1/orgs/${cur}/children?per_page=200`)
    for (const c of r.body.items) {
      n++
      if (c.children_count) stack.push(c.id)
    }
  }
  return n
}

// ---- scope: the township org_admin -------------------------------------------------------------

t('the demo county has 12 townships under the root and chengguan is in 城关镇', async () => {
  assert.deepEqual(srv.logins.map((l) => `${l.username}/${l.role}`).sort(),
    Object.entries(ACCOUNTS).map(([role, u]) => `${u}/${role}`).sort(), 'demo prints the five logins')
  const towns = townships.filter((o) => /(镇|乡)委员会$/.test(o.name))
  assert.equal(towns.length, 12)
  assert.ok(own, 'chengguan org is a child of the root')
  assert.match(own.name, /城关镇/)
  assert.equal(sess.org_admin.user.role, 'org_admin')
})

t('org_admin: the root and its children list are 404, like an unknown id', async () => {
  const cg = sess.org_admin
  const unknown = await cg.get('/api/v1/orgs/99999999')
  assert.equal(unknown.status, 404)
  assert.equal((await cg.patch(`/api/v1/orgs/${srv.rootId}`, {})).status, 404)
  for (const p of ['', '/children', '/stats', '/findings', '/committees'].map((x) => `/api/v1/orgs/${srv.rootId}${x}`)) {
    const r = await cg.get(p)
    assert.equal(r.status, 404, p)
    assert.deepEqual(r.body, unknown.body, 'no difference between out of scope and absent')
  }
})

t('org_admin: every other township (and working committee) is 404, with its children', async () => {
  const cg = sess.org_admin
  const others = townships.filter((o) => o.id !== own.id)
  assert.ok(others.filter((o) => /(镇|乡)委员会$/.test(o.name)).length === 11, '11 other townships')
  for (const o of others) {
    const r = await cg.get(`/api/v1/orgs/${o.id}`)
    assert.equal(r.status, 404, `${o.name} (${o.id})`)
    assert.equal(r.body.error.code, 'not_found')
    for (const sub of ['children', 'stats', 'findings', 'committees']) {
      const c = await cg.get(`/api/v1/orgs/${o.id}/${sub}`)
      assert.equal(c.status, 404, `${sub} of ${o.name}`)
    }
    // writes aimed at it are refused as if it did not exist
    assert.equal((await cg.patch(`/api/v1/orgs/${o.id}`, {})).status, 404, `PATCH ${o.name}`)
    assert.equal((await cg.post(`/api/v1/orgs/${o.id}/committees`, {})).status, 404, `committee in ${o.name}`)
    assert.equal((await cg.post(`/api/v1/orgs/${o.id}/move`, { parent_id: own.id })).status, 404, `move ${o.name} in`)
    const mv = await cg.post(`/api/v1/orgs/${own.id}/move`, { parent_id: o.id })
    assert.ok([404, 422].includes(mv.status), `move own township under ${o.name}: ${mv.status}`)
    const cr = await cg.post('/api/v1/orgs', { parent_id: o.id, name: '越权党支部', kind: 'branch' })
    assert.equal(cr.status, 422, `create under ${o.name}: ${JSON.stringify(cr.body)}`)
    assert.equal(cr.body.error.field, 'parent_id')
    // and one level further down
    const sub = await sess.admin.get(`/api/v1/orgs/${o.id}/children?per_page=1`)
    if (sub.body.items.length) {
      const g = await cg.get(`/api/v1/orgs/${sub.body.items[0].id}`)
      assert.equal(g.status, 404, `grandchild ${sub.body.items[0].name} of ${o.name}`)
    }
  }
})

t('org_admin: its own township, all its children and their children are 200', async () => {
  const cg = sess.org_admin
  const r = await cg.get(`/api/v1/orgs/${own.id}`)
  assert.equal(r.status, 200)
  assert.equal(r.body.id, own.id)
  assert.equal(r.body.parent_id, srv.rootId)
  const c = await cg.get(`/api/v1/orgs/${own.id}/children?per_page=200`)
  assert.equal(c.status, 200)
  assert.equal(c.body.total, c.body.items.length)
  assert.equal(c.body.total, r.body.children_count)
  assert.ok(c.body.total > 10)
  for (const ch of c.body.items) {
    assert.equal(ch.parent_id, own.id)
    assert.ok(ch.path.startsWith(r.body.path), `${ch.path} under ${r.body.path}`)
    const g = await cg.get(`/api/v1/orgs/${ch.id}`)
    assert.equal(g.status, 200, ch.name)
    const gc = await cg.get(`/api/v1/orgs/${ch.id}/children`)
    assert.equal(gc.status, 200, `children of ${ch.name}`)
    assert.equal(gc.body.total, ch.children_count)
  }
})

t('org_admin dashboard counts only its township', async () => {
  const mine = await sess.org_admin.get('/api/v1/dashboard')
  const all = await sess.admin.get('/api/v1/dashboard')
  assert.equal(mine.status, 200)
  assert.equal(mine.body.org.id, own.id)
  assert.equal(all.body.org.id, srv.rootId)
  assert.ok(mine.body.orgs_total > 1 && mine.body.orgs_total < all.body.orgs_total)
  // accounts in 城关镇: chengguan and dangyuan
  assert.equal(mine.body.accounts_total, 2)
})

t('admin reaches every organization under the root, paging the children list', async () => {
  const a = sess.admin
  for (const o of townships) assert.equal((await a.get(`/api/v1/orgs/${o.id}`)).status, 200, o.name)
  const p1 = await a.get(`/api/v1/orgs/${srv.rootId}/children?per_page=5&page=1`)
  const p4 = await a.get(`/api/v1/orgs/${srv.rootId}/children?per_page=5&page=4`)
  assert.equal(p1.body.total, townships.length)
  assert.equal(p1.body.items.length, 5)
  assert.equal(p1.body.page, 1)
  assert.equal(p1.body.per_page, 5)
  assert.equal(p4.body.items.length, townships.length - 15)
  assert.deepEqual(p1.body.items.map((o) => o.id), townships.slice(0, 5).map((o) => o.id))
  const beyond = await a.get(`/api/v1/orgs/${srv.rootId}/children?page=99`)
  assert.equal(beyond.status, 200)
  assert.equal(beyond.body.items.length, 0)
  for (const q of ['per_page=201', 'per_page=0', 'page=0', 'page=x', 'per_page=-1']) {
    const r = await a.get(`/api/v1/orgs/${srv.rootId}/children?${q}`)
    assert.equal(r.status, 422, q)
    assert.match(r.body.error.field, /^(page|per_page)$/)
  }
})

t('bad org ids are 404', async () => {
  for (const id of ['0', '-1', 'abc', '1.5', '99999999999999999999999', '%20']) {
    const r = await sess.admin.get(`/api/v1/orgs/${id}`)
    assert.equal(r.status, 404, id)
    assert.equal(errorShapeProblem(r.body), null)
  }
})

// ---- scope: secadmin --------------------------------------------------------------------------

t('the root secadmin lists every demo account', async () => {
  const r = await sess.secadmin.get('/api/v1/users?per_page=200')
  assert.equal(r.status, 200)
  const names = r.body.items.map((u) => u.username)
  for (const n of Object.values(ACCOUNTS)) assert.ok(names.includes(n), n)
  assert.equal(r.body.total, r.body.items.length)
  for (const u of r.body.items) assert.ok(!('password_hash' in u) && !('password' in u))
})

t('a township secadmin sees and manages only accounts of its township', async () => {
  const tsecId = await addUser(srv.db, { username: 'tsec', role: 'secadmin', org: own.id, password: 'Twn#sec2026' })
  const tsec = await session(srv.base, 'tsec', 'Twn#sec2026')
  assert.equal(tsec.user.org_id, own.id)

  // list: only 城关镇 accounts
  const l = await tsec.get('/api/v1/users?per_page=200')
  assert.equal(l.status, 200)
  assert.deepEqual(l.body.items.map((u) => u.username).sort(), ['chengguan', 'dangyuan', 'tsec'])
  assert.equal(l.body.total, 3)
  assert.equal((await tsec.get('/api/v1/users?q=admin')).body.total, 0, 'root accounts are not found by name either')

  // create: only inside the township subtree
  const body = (name, org_id) => ({ username: name, password: 'T0wn#member', role: 'member', org_id })
  let r = await tsec.post('/api/v1/users', body('t_root', srv.rootId))
  assert.equal(r.status, 422, JSON.stringify(r.body))
  assert.equal(r.body.error.field, 'org_id')
  for (const o of townships.filter((x) => x.id !== own.id)) {
    r = await tsec.post('/api/v1/users', body(`t_other_${o.id}`, o.id))
    assert.equal(r.status, 422, `${o.name}: ${JSON.stringify(r.body)}`)
    assert.equal(r.body.error.field, 'org_id')
  }
  r = await tsec.post('/api/v1/users', body('t_own', own.id))
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const kids = await sess.admin.get(`/api/v1/orgs/${own.id}/children?per_page=1`)
  r = await tsec.post('/api/v1/users', body('t_branch', kids.body.items[0].id))
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const tBranch = r.body.id

  // patch: accounts outside are 404; moving an account outside the subtree is refused
  r = await tsec.patch(`/api/v1/users/${ids.admin}`, { disabled: true })
  assert.equal(r.status, 404, JSON.stringify(r.body))
  r = await tsec.patch(`/api/v1/users/${ids.secadmin}`, { password: 'Takeover#2026' })
  assert.equal(r.status, 404)
  r = await tsec.patch(`/api/v1/users/${tBranch}`, { org_id: srv.rootId })
  assert.equal(r.status, 422)
  assert.equal(r.body.error.field, 'org_id')
  r = await tsec.patch(`/api/v1/users/${tBranch}`, { org_id: own.id })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.org_id, own.id)

  // the root accounts are still fine
  assert.equal((await sess.admin.get('/api/v1/session')).status, 200)
  const all = await sess.secadmin.get('/api/v1/users?per_page=200')
  const names = all.body.items.map((u) => u.username)
  assert.ok(names.includes('t_own') && names.includes('t_branch') && names.includes('tsec'))
  assert.ok(!names.some((n) => n.startsWith('t_root') || n.startsWith('t_other')))
  assert.ok(tsecId > 0)
})

t('the auditor reads the whole county audit log, including CLI-created accounts', async () => {
  const r = await sess.auditor.get('/api/v1/audit?action=user.create&per_page=200')
  assert.equal(r.status, 200)
  const names = r.body.items.map((e) => e.after && e.after.username)
  assert.ok(names.includes('tsec') && names.includes('t_own') && names.includes('admin'))
})

t('a township auditor reads only the audit entries of its township (and system-wide ones)', async () => {
  const other = townships.find((o) => o.id !== own.id && /(镇|乡)委员会$/.test(o.name))
  await addUser(srv.db, { username: 'taud', role: 'auditor', org: other.id, password: 'Twn#aud2026' })
  const taud = await session(srv.base, 'taud', 'Twn#aud2026')
  const r = await taud.get('/api/v1/audit?per_page=200')
  assert.equal(r.status, 200)
  assert.ok(r.body.total > 0)
  for (const e of r.body.items) {
    assert.ok(e.org_path === null || e.org_path.startsWith(other.path), `entry ${e.id} (${e.action}) at ${e.org_path} is outside ${other.path}`)
  }
  // the county auditor sees more, e.g. 城关镇's creation
  const all = async (c, qs) => {
    const out = []
    for (let page = 1; ; page++) {
      const x = await c.get(`/api/v1/audit?per_page=200&page=${page}&${qs}`)
      assert.equal(x.status, 200)
      out.push(...x.body.items)
      if (!x.body.items.length || out.length >= x.body.total) return out
    }
  }
  const county = await all(sess.auditor, 'action=org.create')
  assert.ok(county.some((e) => e.object_id === own.id))
  const mine = await all(taud, 'action=org.create')
  assert.ok(!mine.some((e) => e.object_id === own.id))
  assert.ok(mine.some((e) => e.object_id === other.id))
  assert.equal(mine.length, 1 + (await countDescendants(other.id)), 'the township and everything below it')
})

// Logging out last, so the sessions above stay valid.
for (const route of ROUTES.filter((r) => r.last)) {
  for (const role of [...ROLES, 'anonymous']) matrixCase(route, role)
}

t('after logout every role is 401 everywhere but the public routes', async () => {
  for (const role of ROLES) {
    const r = await sess[role].get('/api/v1/session')
    assert.equal(r.status, 401, role)
  }
})

// The dashboard counts accounts from the smaller side (lib/api/api_dashboard.c): a branch's one-org
// subtree from its orgs, a township's (more orgs than the store has accounts) from the accounts.
t('accounts by role: the same answer whether counted from the subtree\'s orgs or from the accounts', async () => {
  // fresh sessions: earlier tests log some of the shared ones out
  const [admin, cg, sec] = await Promise.all([ACCOUNTS.admin, ACCOUNTS.org_admin, ACCOUNTS.secadmin].map((u) => session(srv.base, u, DEMO_PASSWORD)))
  const mk = async (parent, name, kind) => {
    const r = await admin.post('/api/v1/orgs', { parent_id: parent, name, kind, sector: 'government' })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body
  }
  const town = await mk(srv.rootId, '账号计数测试镇委员会', 'committee')
  const br = await mk(town.id, '账号计数测试支部', 'branch')
  await addUser(srv.db, { username: 'brc_admin', role: 'org_admin', org: br.id, password: 'Brc#adm2026' })
  await addUser(srv.db, { username: 'brc_aud', role: 'auditor', org: br.id, password: 'Brc#aud2026' })
  const b = await session(srv.base, 'brc_admin', 'Brc#adm2026')
  const d = (await b.get('/api/v1/dashboard')).body
  assert.equal(d.orgs_total, 1)
  assert.deepEqual(d.accounts_by_role, { auditor: 1, org_admin: 1 })
  assert.equal(d.accounts_total, 2)
  // 城关镇, counted from the accounts side: the accounts list's, by the path of each one's org
  const mine = (await cg.get('/api/v1/dashboard')).body
  const users = (await sec.get('/api/v1/users?per_page=200')).body.items
  const accounts = users.length
  assert.ok(mine.orgs_total > accounts, `${mine.orgs_total} orgs in the township, ${accounts} accounts`)
  const ownPath = (await admin.get(`/api/v1/orgs/${cg.user.org_id}`)).body.path
  const want = {}
  for (const u of users) {
    const path = (await admin.get(`/api/v1/orgs/${u.org_id}`)).body.path
    if (path.startsWith(ownPath)) want[u.role] = (want[u.role] || 0) + 1
  }
  assert.ok(want.org_admin >= 1 && Object.keys(want).length >= 2, JSON.stringify(want))
  assert.deepEqual(mine.accounts_by_role, Object.fromEntries(Object.entries(want).sort(([a], [b]) => (a < b ? -1 : 1))))
  // and the county sees them all
  const all = (await admin.get('/api/v1/dashboard')).body
  assert.equal(all.accounts_total, accounts)
})
