// orgs.test.mjs — the organization tree (create, update, move with members and counts, the
// org_admin's limits, audit), subtree statistics (STAT-3 age bands in 周岁 on as_of, 入党时间,
// 职业, 学历), structure findings (ORG-1, 2, 7, 9, 11), committees (换届, ORG-9 terms), and the
// `report` / `rules` CLI.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, serverTest, session, cli, errorShapeProblem, hasChinese } from '../lib/server.mjs'
import { idNumber } from '../lib/xlsx.mjs'

let srv
let admin
let cg // org_admin of 城关镇
let aud
let own // 城关镇
let other // another township
let towns
const t = serverTest(() => srv)

const REGION = '510104' // this file's generated 身份证号
let serial = 0
const freshId = (birth = '1980-01-01', male = true) => {
  serial++
  return idNumber(REGION, birth, (serial % 500) * 2 + (male ? 1 : 0))
}

// ---- dates (local calendar, as the server's "today") ----------------------------------------------

const pad = (n) => String(n).padStart(2, '0')
const fmt = (d) => `${d.y}-${pad(d.m)}-${pad(d.d)}`
const mdays = (y, m) => new Date(Date.UTC(y, m, 0)).getUTCDate()
function today() {
  const n = new Date()
  return { y: n.getFullYear(), m: n.getMonth() + 1, d: n.getDate() }
}
/** Calendar months, clamped to month end (RULES.md S-3). */
function addMonths(d, n) {
  const total = d.y * 12 + (d.m - 1) + n
  const y = Math.floor(total / 12)
  const m = (total % 12) + 1
  return { y, m, d: Math.min(d.d, mdays(y, m)) }
}
function addDays(d, n) {
  const x = new Date(Date.UTC(d.y, d.m - 1, d.d + n))
  return { y: x.getUTCFullYear(), m: x.getUTCMonth() + 1, d: x.getUTCDate() }
}
const parse = (s) => ({ y: +s.slice(0, 4), m: +s.slice(5, 7), d: +s.slice(8, 10) })

function assertError(r, status, field) {
  assert.equal(r.status, status, JSON.stringify(r.body))
  assert.equal(errorShapeProblem(r.body), null, errorShapeProblem(r.body))
  if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body))
}

async function listAll(c, path) {
  const out = []
  const sep = path.includes('?') ? '&' : '?'
  for (let page = 1; ; page++) {
    const r = await c.get(`${path}${sep}per_page=200&page=${page}`)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    out.push(...r.body.items)
    if (out.length >= r.body.total || !r.body.items.length) return out
  }
}
const auditLog = (qs) => listAll(aud, `/api/v1/audit?${qs}`)

async function mkOrg(parent, name, kind = 'branch', sector = 'government', c = admin) {
  const r = await c.post('/api/v1/orgs', { parent_id: parent, name, kind, sector })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}
async function mkMember(org, extra = {}) {
  const body = { name: '组织测试', id_number: freshId(), org_id: org, category: 'full', ...extra }
  const r = await admin.post('/api/v1/members', body)
  assert.equal(r.status, 201, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`)
  return r.body
}
async function stats(id, qs = '') {
  const r = await admin.get(`/api/v1/orgs/${id}/stats${qs}`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body
}
async function findings(id) {
  const r = await admin.get(`/api/v1/orgs/${id}/findings`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.total, r.body.items.length)
  for (const f of r.body.items) {
    for (const k of ['rule', 'severity', 'message', 'org_id', 'member_id', 'period', 'due_on', 'source']) assert.ok(k in f, `finding has ${k}`)
    assert.match(f.severity, /^(error|warning|info)$/)
    assert.ok(hasChinese(f.message))
    assert.equal(f.org_id, id)
  }
  return r.body.items
}
const byRule = (items, rule) => items.filter((f) => f.rule === rule)

before(async () => {
  srv = await startServer({ demo: true })
  admin = await session(srv.base, 'admin')
  cg = await session(srv.base, 'chengguan')
  aud = await session(srv.base, 'auditor')
  towns = (await admin.get(`/api/v1/orgs/${srv.rootId}/children?per_page=200`)).body.items
  own = towns.find((o) => o.id === cg.user.org_id)
  other = towns.find((o) => o.id !== own.id && /镇委员会$/.test(o.name))
})
after(async () => {
  if (!srv) return
  assert.equal(await srv.stop(), 0)
  srv.assertClean()
})

// ---- create, update ------------------------------------------------------------------------------

t('POST /orgs under a township: 201, path = parent path + id + "/", depth + 1; one org.create audit entry', async () => {
  const r = await cg.post('/api/v1/orgs', { parent_id: own.id, name: '城关镇测试非公企业党支部', kind: 'branch', sector: 'private', short_name: '测试支部', founded_on: '2020-05-04' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const o = r.body
  assert.ok(o.id > 0)
  assert.equal(o.parent_id, own.id)
  assert.equal(o.path, `${own.path}${o.id}/`)
  assert.equal(o.depth, own.depth + 1)
  assert.equal(o.kind, 'branch')
  assert.equal(o.sector, 'private')
  assert.equal(o.short_name, '测试支部')
  assert.equal(o.founded_on, '2020-05-04')
  assert.equal(o.children_count, 0)
  assert.deepEqual((await cg.get(`/api/v1/orgs/${o.id}`)).body, o)
  const kids = await listAll(cg, `/api/v1/orgs/${own.id}/children`)
  assert.ok(kids.some((k) => k.id === o.id))
  // a grandchild
  const g = await mkOrg(o.id, '测试党小组', 'group', null, cg)
  assert.equal(g.path, `${o.path}${g.id}/`)
  assert.equal(g.depth, o.depth + 1)
  const log = (await auditLog('action=org.create&actor=chengguan')).filter((e) => e.object_id === o.id)
  assert.equal(log.length, 1, 'exactly one org.create per POST')
  assert.equal(log[0].before, null)
  assert.equal(log[0].after.path, o.path)
  assert.equal(log[0].after.name, o.name)
  assert.equal(log[0].org_path, o.path)
})

t('create validation: kind, sector, name, parent_id, unknown keys', async () => {
  const base = { parent_id: own.id, name: '校验党支部', kind: 'branch' }
  assertError(await admin.post('/api/v1/orgs', { ...base, kind: 'club' }), 422, 'kind')
  assertError(await admin.post('/api/v1/orgs', { ...base, kind: undefined }), 422, 'kind')
  assertError(await admin.post('/api/v1/orgs', { ...base, kind: 3 }), 422, 'kind')
  assertError(await admin.post('/api/v1/orgs', { ...base, sector: 'moon' }), 422, 'sector')
  assertError(await admin.post('/api/v1/orgs', { ...base, name: '' }), 422, 'name')
  assertError(await admin.post('/api/v1/orgs', { ...base, name: undefined }), 422, 'name')
  assertError(await admin.post('/api/v1/orgs', { ...base, name: '长'.repeat(101) }), 422, 'name')
  assertError(await admin.post('/api/v1/orgs', { ...base, parent_id: undefined }), 422, 'parent_id')
  assertError(await admin.post('/api/v1/orgs', { ...base, parent_id: '2' }), 422, 'parent_id')
  assertError(await admin.post('/api/v1/orgs', { ...base, parent_id: 99999999 }), 422, 'parent_id')
  assertError(await admin.post('/api/v1/orgs', { ...base, colour: 'red' }), 422, 'colour')
  assertError(await admin.post('/api/v1/orgs', { ...base, path: '/1/' }), 422, 'path')
  assertError(await admin.post('/api/v1/orgs', { ...base, founded_on: '2020-02-30' }), 422, 'founded_on')
  assertError(await admin.post('/api/v1/orgs', { ...base, sort_order: -1 }), 422, 'sort_order')
  const kids = await listAll(admin, `/api/v1/orgs/${own.id}/children`)
  assert.ok(!kids.some((k) => k.name === '校验党支部'), 'nothing was created')
})

t('PATCH changes fields and is audited with before/after; validation as on create', async () => {
  const o = await mkOrg(own.id, '改名前党支部')
  const r = await admin.patch(`/api/v1/orgs/${o.id}`, { name: '改名后党支部', contact_name: '张书记', sector: 'soe' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.name, '改名后党支部')
  assert.equal(r.body.contact_name, '张书记')
  assert.equal(r.body.sector, 'soe')
  assert.equal(r.body.path, o.path, 'a PATCH never moves')
  assertError(await admin.patch(`/api/v1/orgs/${o.id}`, { kind: 'club' }), 422, 'kind')
  assertError(await admin.patch(`/api/v1/orgs/${o.id}`, { name: null }), 422, 'name')
  assertError(await admin.patch(`/api/v1/orgs/${o.id}`, { parent_id: other.id }), 422, 'parent_id')
  assertError(await admin.patch(`/api/v1/orgs/${o.id}`, { unknown: 1 }), 422, 'unknown')
  const upd = (await auditLog('action=org.update&actor=admin')).find((e) => e.object_id === o.id)
  assert.ok(upd)
  assert.equal(upd.before.name, '改名前党支部')
  assert.equal(upd.after.name, '改名后党支部')
  assert.equal(upd.before.sector, 'government')
  assert.equal(upd.after.sector, 'soe')
})

// ---- move --------------------------------------------------------------------------------------------

t('moving a village branch with its members to another township moves paths, members and counts', async () => {
  // a village branch of 城关镇 with members (some in its party groups)
  const kids = await listAll(admin, `/api/v1/orgs/${own.id}/children`)
  const village = kids.find((k) => k.sector === 'rural' && k.kind === 'branch' && k.children_count > 0)
  assert.ok(village, 'a village branch with party groups')
  const sub = await listAll(admin, `/api/v1/orgs/${village.id}/children`)
  let members = await listAll(admin, `/api/v1/members?org_id=${village.id}`)
  assert.ok(members.length > 1)
  // one member registered in a party group below the branch: the whole subtree moves
  const inGroup = await admin.patch(`/api/v1/members/${members[0].id}`, { org_id: sub[0].id })
  assert.equal(inGroup.status, 200, JSON.stringify(inGroup.body))
  members = await listAll(admin, `/api/v1/members?org_id=${village.id}`)
  assert.ok(members.some((m) => m.org_id === sub[0].id), 'a member in a party group')
  const S = await stats(village.id)
  const T1 = await stats(own.id)
  const T2 = await stats(other.id)
  const D1 = (await cg.get('/api/v1/dashboard')).body
  const county = (await admin.get('/api/v1/dashboard')).body

  const r = await admin.post(`/api/v1/orgs/${village.id}/move`, { parent_id: other.id })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.parent_id, other.id)
  assert.equal(r.body.path, `${other.path}${village.id}/`)
  assert.equal(r.body.depth, other.depth + 1)
  for (const s of sub) {
    const g = await admin.get(`/api/v1/orgs/${s.id}`)
    assert.equal(g.body.path, `${r.body.path}${s.id}/`, 'the subtree moves along')
    assert.equal(g.body.depth, r.body.depth + 1)
  }
  // members: now under the new township, not the old
  const ids = new Set(members.map((m) => m.id))
  const inNew = await listAll(admin, `/api/v1/members?org_id=${other.id}`)
  assert.equal(inNew.filter((m) => ids.has(m.id)).length, ids.size)
  const inOld = await listAll(admin, `/api/v1/members?org_id=${own.id}`)
  assert.equal(inOld.filter((m) => ids.has(m.id)).length, 0)
  assert.equal((await admin.get(`/api/v1/members?org_id=${village.id}&per_page=1`)).body.total, ids.size)
  // the org_admin of 城关镇 lost them
  assertError(await cg.get(`/api/v1/orgs/${village.id}`), 404)
  assertError(await cg.get(`/api/v1/members/${members[0].id}`), 404)
  assertError(await cg.get(`/api/v1/members?org_id=${village.id}`), 404)
  // statistics and the pre-aggregated counts follow
  const T1b = await stats(own.id)
  const T2b = await stats(other.id)
  assert.equal(T1b.total, T1.total - S.total)
  assert.equal(T2b.total, T2.total + S.total)
  assert.equal(T1b.by_category.full, T1.by_category.full - S.by_category.full)
  assert.equal(T2b.by_category.probationary, T2.by_category.probationary + S.by_category.probationary)
  assert.equal(T1b.orgs_by_kind.branch, T1.orgs_by_kind.branch - 1)
  const D1b = (await cg.get('/api/v1/dashboard')).body
  assert.equal(D1b.members_total, D1.members_total - S.total)
  assert.equal(D1b.members_full, D1.members_full - S.by_category.full)
  assert.equal(D1b.orgs_total, D1.orgs_total - 1 - sub.length)
  const countyB = (await admin.get('/api/v1/dashboard')).body
  assert.equal(countyB.members_total, county.members_total)
  assert.equal((await stats(village.id)).total, S.total)
  // audit: one org.move with the before/after paths
  const mv = (await auditLog('action=org.move&actor=admin')).filter((e) => e.object_id === village.id)
  assert.equal(mv.length, 1)
  assert.equal(mv[0].before.path, village.path)
  assert.equal(mv[0].after.path, r.body.path)
  assert.equal(mv[0].before.parent_id, own.id)
  assert.equal(mv[0].after.parent_id, other.id)
  // and back home: everything as before
  const back = await admin.post(`/api/v1/orgs/${village.id}/move`, { parent_id: own.id })
  assert.equal(back.status, 200)
  assert.equal(back.body.path, village.path)
  assert.equal((await stats(own.id)).total, T1.total)
  assert.equal((await stats(other.id)).total, T2.total)
  assert.equal((await cg.get('/api/v1/dashboard')).body.members_total, D1.members_total)
  assert.equal((await cg.get(`/api/v1/members/${members[0].id}`)).status, 200)
})

// orgs_by_kind (dashboard and statistics) is pre-aggregated per org (lib/domain/org_kinds.c): after a
// create, a kind change and a move it must equal the subtree counted by walking the tree.
async function kindsByWalk(id) {
  const counts = {}
  const walk = async (o) => {
    counts[o.kind] = (counts[o.kind] || 0) + 1
    if (!o.children_count) return
    for (const ch of await listAll(admin, `/api/v1/orgs/${o.id}/children`)) await walk(ch)
  }
  await walk((await admin.get(`/api/v1/orgs/${id}`)).body)
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)))
}
t('orgs_by_kind follows create, kind change and move: equal to the tree walked, for both townships and the county', async () => {
  const check = async (label) => {
    for (const [id, c] of [[own.id, cg], [other.id, null]]) {
      const walked = await kindsByWalk(id)
      assert.deepEqual((await stats(id)).orgs_by_kind, walked, `${label}: stats of ${id}`)
      if (c) {
        const d = (await c.get('/api/v1/dashboard')).body
        assert.deepEqual(d.orgs_by_kind, walked, `${label}: dashboard of ${id}`)
        assert.equal(d.orgs_total, Object.values(walked).reduce((a, b) => a + b, 0))
      }
    }
  }
  const county0 = (await admin.get('/api/v1/dashboard')).body
  await check('before')
  const gb = await mkOrg(own.id, '种类计数测试总支', 'general_branch')
  const br = await mkOrg(gb.id, '种类计数测试支部', 'branch')
  await mkOrg(br.id, '种类计数测试小组', 'group')
  await check('after create')
  // a kind change moves the org between kinds on its whole path
  const p = await admin.patch(`/api/v1/orgs/${br.id}`, { kind: 'joint_branch' })
  assert.equal(p.status, 200, JSON.stringify(p.body))
  await check('after kind change')
  // the 3-org subtree moves to the other township
  const m = await admin.post(`/api/v1/orgs/${gb.id}/move`, { parent_id: other.id })
  assert.equal(m.status, 200, JSON.stringify(m.body))
  await check('after move')
  const county1 = (await admin.get('/api/v1/dashboard')).body
  assert.equal(county1.orgs_total, county0.orgs_total + 3)
  assert.equal(county1.orgs_by_kind.joint_branch ?? 0, (county0.orgs_by_kind.joint_branch ?? 0) + 1)
  assert.equal(county1.orgs_by_kind.general_branch, county0.orgs_by_kind.general_branch + 1)
  assert.equal(county1.orgs_by_kind.group, county0.orgs_by_kind.group + 1)
})

t('a move under its own descendant (or itself) is 422; moving to the same parent changes nothing', async () => {
  const a = await mkOrg(own.id, '上层党总支', 'general_branch')
  const b = await mkOrg(a.id, '下层党支部')
  const c = await mkOrg(b.id, '最下层党小组', 'group', null)
  for (const target of [a.id, b.id, c.id]) {
    assertError(await admin.post(`/api/v1/orgs/${a.id}/move`, { parent_id: target }), 422, 'parent_id')
  }
  assertError(await admin.post(`/api/v1/orgs/${own.id}/move`, { parent_id: c.id }), 422, 'parent_id')
  assertError(await admin.post(`/api/v1/orgs/${a.id}/move`, {}), 422, 'parent_id')
  assertError(await admin.post(`/api/v1/orgs/${a.id}/move`, { parent_id: 'x' }), 422, 'parent_id')
  assertError(await admin.post(`/api/v1/orgs/${a.id}/move`, { parent_id: own.id, why: 1 }), 422, 'why')
  assertError(await admin.post(`/api/v1/orgs/${a.id}/move`, { parent_id: 99999999 }), 422, 'parent_id')
  assertError(await admin.post(`/api/v1/orgs/${srv.rootId}/move`, { parent_id: own.id }), 422)
  const same = await admin.post(`/api/v1/orgs/${b.id}/move`, { parent_id: a.id })
  assert.equal(same.status, 200)
  assert.equal(same.body.path, b.path)
  assert.equal((await admin.get(`/api/v1/orgs/${c.id}`)).body.path, c.path, 'nothing moved')
  // a real move between two of its own branches, by the org_admin
  const d = await mkOrg(own.id, '另一党总支', 'general_branch', 'government', cg)
  const mv = await cg.post(`/api/v1/orgs/${b.id}/move`, { parent_id: d.id })
  assert.equal(mv.status, 200, JSON.stringify(mv.body))
  assert.equal(mv.body.path, `${d.path}${b.id}/`)
  assert.equal((await admin.get(`/api/v1/orgs/${c.id}`)).body.path, `${d.path}${b.id}/${c.id}/`)
  assert.equal((await admin.get(`/api/v1/orgs/${a.id}`)).body.children_count, 0)
  assert.equal((await admin.get(`/api/v1/orgs/${d.id}`)).body.children_count, 1)
})

t('org_admin: cannot move its own root, nor move anything into another township', async () => {
  // its own root: 422 whatever the target
  assertError(await cg.post(`/api/v1/orgs/${own.id}/move`, { parent_id: other.id }), 422)
  assertError(await cg.post(`/api/v1/orgs/${own.id}/move`, { parent_id: srv.rootId }), 422)
  const kids = await listAll(cg, `/api/v1/orgs/${own.id}/children`)
  assertError(await cg.post(`/api/v1/orgs/${own.id}/move`, { parent_id: kids[0].id }), 422)
  // one of its branches into another township, or to the county root: the target is out of scope
  const b = await mkOrg(own.id, '不许外调党支部', 'branch', 'government', cg)
  assertError(await cg.post(`/api/v1/orgs/${b.id}/move`, { parent_id: other.id }), 422, 'parent_id')
  assertError(await cg.post(`/api/v1/orgs/${b.id}/move`, { parent_id: srv.rootId }), 422, 'parent_id')
  const otherKid = (await admin.get(`/api/v1/orgs/${other.id}/children?per_page=1`)).body.items[0]
  assertError(await cg.post(`/api/v1/orgs/${b.id}/move`, { parent_id: otherKid.id }), 422, 'parent_id')
  // and nothing of another township can be moved in
  assertError(await cg.post(`/api/v1/orgs/${otherKid.id}/move`, { parent_id: own.id }), 404)
  assert.equal((await admin.get(`/api/v1/orgs/${b.id}`)).body.parent_id, own.id, 'still at home')
  assert.equal((await admin.get(`/api/v1/orgs/${own.id}`)).body.parent_id, srv.rootId)
  const log = (await auditLog('action=org.move&actor=chengguan')).filter((e) => e.object_id === own.id || e.object_id === b.id)
  assert.equal(log.length, 0, 'refused moves are not audited')
})

// ---- statistics --------------------------------------------------------------------------------------

const BANDS = ['<=30', '31-35', '36-40', '41-45', '46-50', '51-55', '56-60', '>=61']
const sum = (o) => Object.values(o).reduce((a, b) => a + b, 0)

function assertStatsShape(s) {
  for (const k of ['total', 'by_category', 'by_sex', 'by_age_band', 'by_age_sex', 'by_education', 'by_occupation', 'by_join_period', 'orgs_by_kind', 'as_of', 'org_id']) {
    assert.ok(k in s, `stats has ${k}`)
  }
  assert.deepEqual(Object.keys(s.by_age_band), BANDS, 'the 8 STAT-3 bands in order')
  assert.deepEqual(Object.keys(s.by_age_sex), BANDS)
  assert.equal(sum(s.by_age_band), s.total, 'bands sum to total')
  assert.equal(sum(s.by_category), s.total)
  assert.equal(sum(s.by_education), s.total)
  assert.equal(sum(s.by_occupation), s.total)
  assert.equal(sum(s.by_join_period), s.total)
  for (const b of BANDS) assert.equal(s.by_age_sex[b].male + s.by_age_sex[b].female <= s.by_age_band[b], true)
  assert.deepEqual(Object.keys(s.by_join_period), ['before_1949_10', 'to_1978_12', 'to_2012_11', 'since_2012_11', 'unknown'])
}

t('GET /orgs/{id}/stats: shape, the 8 STAT-3 bands summing to total, at the root and a township', async () => {
  const root = await stats(srv.rootId, '?as_of=2025-12-31')
  assertStatsShape(root)
  assert.equal(root.as_of, '2025-12-31')
  assert.equal(root.org_id, srv.rootId)
  assert.ok(root.total > 16000)
  assert.equal(root.by_sex.male + root.by_sex.female, root.total)
  const known = new Set(['worker', 'farmer', 'professional', 'manager', 'official', 'student', 'other', 'retired', 'unknown'])
  for (const k of Object.keys(root.by_occupation)) assert.ok(known.has(k), `occupation ${k}`)
  const tw = await stats(own.id)
  assertStatsShape(tw)
  assert.ok(tw.total < root.total)
  assert.equal(tw.as_of, fmt(today()), 'as_of defaults to today')
  // the township sum
  let total = 0
  for (const o of towns) total += (await stats(o.id, '?as_of=2025-12-31')).total
  assert.ok(total <= root.total)
})

t('ages are 周岁 on as_of: the 30/31 boundary, a 02-29 birthday, joins after as_of excluded', async () => {
  const b = await mkOrg(own.id, '年龄统计测试党支部')
  // as_of 2025-06-15: exactly 30, exactly 31, one day short of 31
  await mkMember(b.id, { id_number: freshId('1995-06-15', true) })
  await mkMember(b.id, { id_number: freshId('1994-06-15', false) })
  await mkMember(b.id, { id_number: freshId('1994-06-16', true) })
  let s = await stats(b.id, '?as_of=2025-06-15')
  assertStatsShape(s)
  assert.equal(s.total, 3)
  assert.equal(s.by_age_band['<=30'], 2)
  assert.equal(s.by_age_band['31-35'], 1)
  assert.deepEqual(s.by_age_sex['31-35'], { male: 0, female: 1 })
  assert.deepEqual(s.by_age_sex['<=30'], { male: 2, female: 0 })
  s = await stats(b.id, '?as_of=2025-06-14')
  assert.equal(s.by_age_band['<=30'], 3, 'the day before, all three are ≤30')
  s = await stats(b.id, '?as_of=2025-06-16')
  assert.equal(s.by_age_band['<=30'], 1)
  assert.equal(s.by_age_band['31-35'], 2)
  // 1992-02-29: 31 on 2023-02-28 in a common year (date.c: month-end clamp), not on 02-27
  const leap = await mkOrg(own.id, '闰日统计测试党支部')
  await mkMember(leap.id, { id_number: freshId('1992-02-29', true) })
  assert.equal((await stats(leap.id, '?as_of=2023-02-27')).by_age_band['<=30'], 1)
  assert.equal((await stats(leap.id, '?as_of=2023-02-28')).by_age_band['31-35'], 1)
  assert.equal((await stats(leap.id, '?as_of=2024-02-28')).by_age_band['31-35'], 1, '31 still, a leap year')
  // 56–60 / ≥61 boundary
  await mkMember(leap.id, { id_number: freshId('1964-12-31', false) })
  assert.equal((await stats(leap.id, '?as_of=2025-12-30')).by_age_band['56-60'], 1)
  assert.equal((await stats(leap.id, '?as_of=2025-12-31')).by_age_band['>=61'], 1)
  // joined after as_of: not counted yet; 入党时间 bands by joined_on
  const j = await mkOrg(own.id, '入党时间统计测试党支部')
  await mkMember(j.id, { id_number: freshId('1950-01-01'), joined_on: '1978-12-17', converted_on: '1979-12-17' })
  await mkMember(j.id, { id_number: freshId('1950-01-02'), joined_on: '1978-12-18', converted_on: '1979-12-18' })
  await mkMember(j.id, { id_number: freshId('1960-01-01'), joined_on: '2012-11-08', converted_on: '2013-11-08' })
  await mkMember(j.id, { id_number: freshId('1990-01-01'), category: 'probationary', joined_on: '2025-06-16', occupation: 'student', education: '14' })
  s = await stats(j.id, '?as_of=2025-06-15')
  assert.equal(s.total, 3, 'the member joined on 2025-06-16 is not counted on 2025-06-15')
  assert.equal(s.by_category.probationary, 0)
  assert.equal(s.by_join_period.to_1978_12, 1)
  assert.equal(s.by_join_period.to_2012_11, 1)
  assert.equal(s.by_join_period.since_2012_11, 1)
  s = await stats(j.id, '?as_of=2025-06-16')
  assert.equal(s.total, 4)
  assert.equal(s.by_category.probationary, 1)
  assert.equal(s.by_join_period.since_2012_11, 2)
  assert.equal(s.by_occupation.student, 1)
  assert.equal(s.by_education['14'], 1)
  assertStatsShape(s)
  assert.equal(s.orgs_by_kind.branch, 1)
})

t('a bad as_of is 422 on as_of; an org out of scope is 404', async () => {
  for (const q of ['abc', '2025-02-30', '2025-13-01', '20250101', '2025-1-1']) {
    const r = await admin.get(`/api/v1/orgs/${own.id}/stats?as_of=${q}`)
    assertError(r, 422, 'as_of')
    assert.ok(hasChinese(r.body.error.message))
  }
  assertError(await cg.get(`/api/v1/orgs/${other.id}/stats`), 404)
  assertError(await cg.get(`/api/v1/orgs/${srv.rootId}/stats?as_of=2025-01-01`), 404)
  assertError(await admin.get('/api/v1/orgs/99999999/stats'), 404)
})

// ---- findings and committees --------------------------------------------------------------------------

t('ORG-1: a branch with 2 full members (and 3 probationary) gets a warning', async () => {
  const b = await mkOrg(own.id, '两名党员测试党支部')
  await mkMember(b.id)
  await mkMember(b.id)
  for (let i = 0; i < 3; i++) await mkMember(b.id, { category: 'probationary', joined_on: fmt(addMonths(today(), -3)) })
  const f = byRule(await findings(b.id), 'ORG-1')
  assert.equal(f.length, 1)
  assert.equal(f[0].severity, 'warning')
  assert.ok(f[0].source && hasChinese(f[0].source))
  assert.equal(byRule(await findings(b.id), 'ORG-7').length, 0)
  await mkMember(b.id)
  assert.equal(byRule(await findings(b.id), 'ORG-1').length, 0, 'three full members: fine')
})

t('ORG-7: 7 full members and no committee is an error; a registered committee of 3 clears it', async () => {
  const b = await mkOrg(own.id, '七名党员测试党支部')
  const ms = []
  for (let i = 0; i < 7; i++) ms.push(await mkMember(b.id, { joined_on: '2010-01-01', converted_on: '2011-01-01' }))
  let f = await findings(b.id)
  assert.equal(byRule(f, 'ORG-7').length, 1)
  assert.equal(byRule(f, 'ORG-7')[0].severity, 'error')
  assert.equal(byRule(f, 'ORG-1').length, 0)
  const started = fmt(addMonths(today(), -12))
  const r = await admin.post(`/api/v1/orgs/${b.id}/committees`, {
    started_on: started, term_no: 1,
    members: [
      { member_id: ms[0].id, post: 'secretary' },
      { member_id: ms[1].id, post: 'organization_member' },
      { name: '王宣传', post: 'publicity_member' },
    ],
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  f = await findings(b.id)
  assert.equal(byRule(f, 'ORG-7').length, 0, JSON.stringify(f))
  assert.equal(byRule(f, 'ORG-11').length, 0, 'a secretary with 党龄 over a year')
  assert.equal(byRule(f, 'ORG-9').length, 0, 'a term with two years to run')
})

t('ORG-9: a non-village term of 3 years — expired (error, due_on = ends_on) and within 6 months (warning)', async () => {
  const b = await mkOrg(own.id, '换届到期测试党支部', 'branch', 'institution')
  const started = addDays(addMonths(today(), -36), -1) // 3 years + 1 day ago
  let r = await admin.post(`/api/v1/orgs/${b.id}/committees`, { started_on: fmt(started), members: [{ name: '李书记', post: 'secretary' }] })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  const term = r.body.items[0]
  assert.equal(term.started_on, fmt(started))
  assert.equal(term.ends_on, fmt(addMonths(started, 36)), 'ends_on = started_on + 3 years')
  let f = byRule(await findings(b.id), 'ORG-9')
  assert.equal(f.length, 1)
  assert.equal(f[0].severity, 'error')
  assert.equal(f[0].due_on, term.ends_on)
  assert.ok(f[0].message.includes(term.ends_on))
  // a general branch and an enterprise branch: 3 years as well
  const b2 = await mkOrg(own.id, '换届临近测试党支部', 'branch', 'soe')
  const s2 = addMonths(today(), -31) // 2 years 7 months ago → ends in 5 months
  r = await admin.post(`/api/v1/orgs/${b2.id}/committees`, { started_on: fmt(s2), members: [{ name: '赵书记', post: 'secretary' }] })
  assert.equal(r.status, 201)
  const ends2 = fmt(addMonths(s2, 36))
  assert.equal(r.body.items[0].ends_on, ends2)
  f = byRule(await findings(b2.id), 'ORG-9')
  assert.equal(f.length, 1, JSON.stringify(f))
  assert.equal(f[0].severity, 'warning')
  assert.equal(f[0].due_on, ends2)
  // a fresh term clears it
  const s3 = fmt(today())
  r = await admin.post(`/api/v1/orgs/${b2.id}/committees`, { started_on: s3, term_no: 2, members: [{ name: '钱书记', post: 'secretary' }] })
  assert.equal(r.status, 201)
  assert.equal(byRule(await findings(b2.id), 'ORG-9').length, 0)
})

t('ORG-9: a village (rural) branch and a community committee have 5-year terms', async () => {
  const v = await mkOrg(own.id, '五年任期测试村党支部', 'branch', 'rural')
  const s = addMonths(today(), -31)
  let r = await admin.post(`/api/v1/orgs/${v.id}/committees`, { started_on: fmt(s), members: [{ name: '孙书记', post: 'secretary' }] })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal(r.body.items[0].ends_on, fmt(addMonths(s, 60)), 'ends_on = started_on + 5 years')
  assert.equal(byRule(await findings(v.id), 'ORG-9').length, 0, 'two and a half years still to run')
  const old = addDays(addMonths(today(), -60), -1)
  const v2 = await mkOrg(own.id, '五年届满测试社区党委', 'committee', 'community')
  r = await admin.post(`/api/v1/orgs/${v2.id}/committees`, { started_on: fmt(old), members: [{ name: '周书记', post: 'secretary' }] })
  assert.equal(r.status, 201)
  assert.equal(r.body.items[0].ends_on, fmt(addMonths(old, 60)))
  const f = byRule(await findings(v2.id), 'ORG-9')
  assert.equal(f.length, 1)
  assert.equal(f[0].severity, 'error')
})

t('ORG-11: a secretary converted 6 months ago gets a warning naming the member', async () => {
  const b = await mkOrg(own.id, '书记党龄测试党支部')
  const conv = addMonths(today(), -6)
  const sec = await mkMember(b.id, { name: '吴新书', joined_on: fmt(addMonths(conv, -12)), converted_on: fmt(conv) })
  const r = await admin.post(`/api/v1/orgs/${b.id}/committees`, {
    started_on: fmt(addMonths(today(), -1)), members: [{ member_id: sec.id, post: 'secretary' }],
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal(r.body.items[0].members[0].name, '吴新书', 'the name comes from the register')
  const f = byRule(await findings(b.id), 'ORG-11')
  assert.equal(f.length, 1)
  assert.equal(f[0].severity, 'warning')
  assert.equal(f[0].member_id, sec.id)
  assert.ok(f[0].message.includes('吴新书'))
})

t('ORG-2: a branch with 51 members gets a warning (50 do not)', async () => {
  const b = await mkOrg(own.id, '五十一人测试党支部')
  for (let i = 0; i < 50; i++) await mkMember(b.id, { id_number: freshId('1970-03-03', i % 2 === 0) })
  assert.equal(byRule(await findings(b.id), 'ORG-2').length, 0)
  await mkMember(b.id, { id_number: freshId('1970-03-04') })
  const f = byRule(await findings(b.id), 'ORG-2')
  assert.equal(f.length, 1)
  assert.equal(f[0].severity, 'warning')
  assert.ok(f[0].message.includes('51'))
})

t('committees: newest first with post_label; a new term closes the previous one; validation', async () => {
  const b = await mkOrg(own.id, '班子换届测试党支部')
  const s1 = fmt(addMonths(today(), -40))
  const s2 = fmt(addMonths(today(), -4))
  let r = await admin.post(`/api/v1/orgs/${b.id}/committees`, {
    started_on: s1, term_no: 1, election_method: '差额选举',
    members: [{ name: '郑书记', post: 'secretary' }, { name: '冯委员', post: 'organization_member' }],
  })
  assert.equal(r.status, 201)
  r = await admin.post(`/api/v1/orgs/${b.id}/committees`, {
    started_on: s2, term_no: 2, members: [{ name: '陈书记', post: 'secretary' }, { name: '褚副书记', post: 'deputy_secretary' }, { name: '卫委员', post: 'discipline_member' }],
  })
  assert.equal(r.status, 201)
  const l = await admin.get(`/api/v1/orgs/${b.id}/committees`)
  assert.equal(l.status, 200)
  assert.equal(l.body.total, 2)
  const [newest, prev] = l.body.items
  assert.equal(newest.term_no, 2)
  assert.equal(newest.started_on, s2)
  assert.equal(newest.current, true)
  assert.equal(newest.ended_on, null)
  assert.equal(prev.term_no, 1)
  assert.equal(prev.current, false)
  assert.equal(prev.ended_on, s2, 'the previous term ends where the new one starts')
  assert.equal(prev.election_method, '差额选举')
  assert.deepEqual(newest.members.map((m) => [m.name, m.post, m.post_label]), [
    ['陈书记', 'secretary', '书记'], ['褚副书记', 'deputy_secretary', '副书记'], ['卫委员', 'discipline_member', '纪检委员'],
  ])
  assert.equal(prev.members[1].post_label, '组织委员')
  const log = (await auditLog('action=committee.create&actor=admin')).filter((e) => e.after && e.after.org_id === b.id)
  assert.equal(log.length, 2)
  // validation
  const ok = { started_on: s2, members: [{ name: '某', post: 'secretary' }] }
  assertError(await admin.post(`/api/v1/orgs/${b.id}/committees`, { ...ok, started_on: '2020-02-30' }), 422, 'started_on')
  assertError(await admin.post(`/api/v1/orgs/${b.id}/committees`, { ...ok, started_on: fmt(addDays(today(), 1)) }), 422, 'started_on')
  assertError(await admin.post(`/api/v1/orgs/${b.id}/committees`, { ...ok, members: [] }), 422, 'members')
  assertError(await admin.post(`/api/v1/orgs/${b.id}/committees`, { ...ok, members: [{ name: '某', post: 'king' }] }), 422, 'members')
  assertError(await admin.post(`/api/v1/orgs/${b.id}/committees`, { ...ok, members: [{ post: 'secretary' }] }), 422, 'members')
  assertError(await admin.post(`/api/v1/orgs/${b.id}/committees`, { ...ok, term_no: 0 }), 422, 'term_no')
  assertError(await admin.post(`/api/v1/orgs/${b.id}/committees`, { ...ok, ends_on: '2030-01-01' }), 422, 'ends_on')
  const outside = (await admin.get(`/api/v1/members?org_id=${other.id}&per_page=1`)).body.items[0]
  assertError(await cg.post(`/api/v1/orgs/${b.id}/committees`, { ...ok, members: [{ member_id: outside.id, post: 'secretary' }] }), 422, 'members')
  assert.equal((await admin.get(`/api/v1/orgs/${b.id}/committees`)).body.total, 2, 'refused terms wrote nothing')
  assertError(await cg.get(`/api/v1/orgs/${other.id}/committees`), 404)
})

// ---- CLI ----------------------------------------------------------------------------------------------

t('CLI: report stats and report findings agree with the API; rules list names the rule ids', async () => {
  const b = await mkOrg(own.id, '命令行报表测试党支部')
  for (let i = 0; i < 2; i++) await mkMember(b.id)
  let r = await cli(['report', 'stats', '--db', srv.db, '--org', String(own.id), '--as-of', '2025-12-31'])
  assert.equal(r.code, 0, r.stderr)
  const s = JSON.parse(r.stdout)
  assert.deepEqual(s, await stats(own.id, '?as_of=2025-12-31'))
  r = await cli(['report', 'findings', '--db', srv.db, '--org', String(b.id)])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /ORG-1/)
  r = await cli(['report', 'stats', '--db', srv.db, '--org', '99999999'])
  assert.notEqual(r.code, 0)
  assert.ok(hasChinese(r.stderr))
  r = await cli(['report', 'stats', '--db', srv.db, '--org', String(own.id), '--as-of', '2025-02-30'])
  assert.notEqual(r.code, 0)
  r = await cli(['rules', 'list'])
  assert.equal(r.code, 0, r.stderr)
  for (const id of ['ORG-1', 'ORG-2', 'ORG-7', 'ORG-8', 'ORG-9', 'ORG-11']) assert.match(r.stdout, new RegExp(`\\b${id}\\b`), id)
  assert.ok(hasChinese(r.stdout))
})
