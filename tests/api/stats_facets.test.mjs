// stats_facets.test.mjs — GET /orgs/{id}/stats comes from pre-aggregated figures (org_member_facets):
// after every kind of member write (create, patch of each counted field, transfer between orgs,
// status changes, soft delete) and after an org move, the answer for several orgs and
// as_of dates (a birthday's eve and day, before a member joined, today) equals what the test
// computes itself from the member list (RULES.md STAT-3, ages in 周岁, S-7).
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, serverTest, session, serve, storeExec, DEMO_PASSWORD } from '../lib/server.mjs'
import { idNumber } from '../lib/xlsx.mjs'

let srv
let admin
const t = serverTest(() => srv)

let serial = 0
const freshId = (birth, male) => {
  serial++
  return idNumber('510104', birth, (serial % 500) * 2 + (male ? 1 : 0))
}

const pad = (n) => String(n).padStart(2, '0')
const todayStr = () => {
  const n = new Date()
  return `${n.getFullYear()}-${pad(n.getMonth() + 1)}-${pad(n.getDate())}`
}
const leap = (y) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0

/** 周岁 on `on` (S-7: the birthday completes the year; 02-29 is reached on 02-28 in common years). */
function age(birth, on) {
  const [by, bm, bd0] = birth.split('-').map(Number)
  const [oy, om, od] = on.split('-').map(Number)
  const bd = bm === 2 && bd0 === 29 && !leap(oy) ? 28 : bd0
  let a = oy - by
  if (om < bm || (om === bm && od < bd)) a--
  return a < 0 ? 0 : a
}
const BANDS = [['<=30', 0, 30], ['31-35', 31, 35], ['36-40', 36, 40], ['41-45', 41, 45], ['46-50', 46, 50], ['51-55', 51, 55], ['56-60', 56, 60], ['>=61', 61, 1000]]
const PERIODS = [['before_1949_10', '0000-00-00'], ['to_1978_12', '1949-10-01'], ['to_2012_11', '1978-12-18'], ['since_2012_11', '2012-11-08']]

/** The STAT-3 answer computed from member rows (as listed by GET /members). */
function expected(members, asOf) {
  const e = {
    total: 0,
    by_category: { full: 0, probationary: 0 },
    by_sex: { male: 0, female: 0 },
    by_age_band: Object.fromEntries(BANDS.map(([k]) => [k, 0])),
    by_age_sex: Object.fromEntries(BANDS.map(([k]) => [k, { male: 0, female: 0 }])),
    by_education: {},
    by_occupation: {},
    by_join_period: Object.fromEntries([...PERIODS.map(([k]) => [k, 0]), ['unknown', 0]]),
  }
  for (const m of members) {
    if (m.status !== 'active') continue
    if (m.joined_on && m.joined_on > asOf) continue // not yet a member on as_of
    e.total++
    e.by_category[m.category === 'full' ? 'full' : 'probationary']++
    const sex = m.sex === '1' ? 'male' : m.sex === '2' ? 'female' : null
    if (sex) e.by_sex[sex]++
    if (m.birth_date) {
      const a = age(m.birth_date, asOf)
      const band = BANDS.find(([, lo, hi]) => a >= lo && a <= hi)
      if (band) {
        e.by_age_band[band[0]]++
        if (sex) e.by_age_sex[band[0]][sex]++
      }
    }
    const edu = m.education ?? 'unknown'
    const occ = m.occupation ?? 'unknown'
    e.by_education[edu] = (e.by_education[edu] || 0) + 1
    e.by_occupation[occ] = (e.by_occupation[occ] || 0) + 1
    let p = -1
    if (m.joined_on) for (let i = 0; i < PERIODS.length; i++) if (m.joined_on >= PERIODS[i][1]) p = i
    e.by_join_period[p < 0 ? 'unknown' : PERIODS[p][0]]++
  }
  return e
}

async function listAll(path) {
  const out = []
  for (let page = 1; ; page++) {
    const r = await admin.get(`${path}${path.includes('?') ? '&' : '?'}per_page=100&page=${page}`)
    assert.equal(r.status, 200, JSON.stringify(r.body))
    out.push(...r.body.items)
    if (out.length >= r.body.total || !r.body.items.length) return out
  }
}

let tree // { root, a, b, a1, a2, b1 }
const dates = new Set([todayStr()])

/** Every org of the test tree, every date: the server's stats equal the ones computed here. */
async function checkAll(what) {
  for (const [name, id] of Object.entries(tree)) {
    const members = await listAll(`/api/v1/members?org_id=${id}`)
    for (const d of dates) {
      const r = await admin.get(`/api/v1/orgs/${id}/stats?as_of=${d}`)
      assert.equal(r.status, 200, JSON.stringify(r.body))
      const got = { ...r.body }
      for (const k of ['org_id', 'as_of', 'join_period_labels', 'orgs_by_kind']) delete got[k]
      assert.deepEqual(got, expected(members, d), `${what}: org ${name} on ${d}`)
    }
  }
}

async function mkOrg(parent, name, kind = 'branch') {
  const r = await admin.post('/api/v1/orgs', { parent_id: parent, name, kind, sector: 'government' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body.id
}
async function mkMember(org, birth, male, extra = {}) {
  const body = { name: '统计测试', id_number: freshId(birth, male), org_id: org, category: 'full', ...extra }
  const r = await admin.post('/api/v1/members', body)
  assert.equal(r.status, 201, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`)
  return r.body
}
async function patch(id, body) {
  const r = await admin.patch(`/api/v1/members/${id}`, body)
  assert.equal(r.status, 200, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`)
  return r.body
}

before(async () => {
  srv = await startServer({ users: [{ username: 'admin', role: 'admin', password: DEMO_PASSWORD }] })
  admin = await session(srv.base, 'admin')
  const root = srv.rootId
  const a = await mkOrg(root, '甲镇委员会', 'committee')
  const b = await mkOrg(root, '乙镇委员会', 'committee')
  tree = { root, a, b, a1: await mkOrg(a, '甲镇一支部'), a2: await mkOrg(a, '甲镇二支部'), b1: await mkOrg(b, '乙镇一支部') }
})
after(async () => {
  if (!srv) return
  assert.equal(await srv.stop(), 0)
  srv.assertClean()
})

const people = []

t('stats after creates: every org and date agree with the member list (birthday eve/day, before joining)', async () => {
  const spec = [
    // [org, birth, male, extra]
    ['a1', '1990-03-15', true, { education: '21', occupation: 'worker', joined_on: '2015-07-01' }],
    ['a1', '1990-03-16', false, { education: '31', occupation: 'farmer', joined_on: '2012-11-08' }],
    ['a1', '1960-02-29', true, { education: '11', occupation: 'retired', joined_on: '1978-12-17' }],
    ['a2', '1985-12-31', false, { category: 'probationary', joined_on: '2026-01-10' }],
    ['a2', '1995-01-01', true, { occupation: 'student', joined_on: '2020-06-15' }],
    ['b1', '1975-06-30', true, { education: '41', joined_on: '1999-09-09' }],
    ['b1', '1991-03-16', false, { education: '21', occupation: 'official' }],
    ['b', '1948-10-01', true, { education: '90', occupation: 'retired', joined_on: '1970-01-01' }],
  ]
  for (const [org, birth, male, extra] of spec) people.push(await mkMember(tree[org], birth, male, extra))
  // 31 on 2021-03-16 (1990-03-16), 30 the day before; 2014: before several joined; the leap birthday
  for (const d of ['2021-03-15', '2021-03-16', '2020-06-14', '2014-01-01', '2025-02-28', '2024-02-28', '2024-02-29', '2026-01-09', '1998-01-01'])
    dates.add(d)
  await checkAll('after creates')
})

t('stats after patches of each counted field (birth date via 身份证号, category, education, occupation, joined_on)', async () => {
  await patch(people[0].id, { id_number: freshId('1990-04-02', true) })
  await checkAll('new birth date')
  await patch(people[3].id, { category: 'full', converted_on: '2026-02-10' })
  await checkAll('probationary → full')
  await patch(people[4].id, { education: '14', occupation: null })
  await checkAll('education and occupation')
  await patch(people[6].id, { joined_on: '2013-05-05' })
  await checkAll('joined_on set')
})

t('stats after a member moves to another org (branch of another township) and back', async () => {
  await patch(people[1].id, { org_id: tree.b1 })
  await checkAll('a1 → b1')
  await patch(people[1].id, { org_id: tree.a2 })
  await checkAll('b1 → a2')
})

t('stats after status changes (失联 and back to 正常, 死亡) and a soft delete', async () => {
  const status = async (m, body) => {
    const r = await admin.post(`/api/v1/members/${m.id}/status`, { on: todayStr(), ...body })
    assert.equal(r.status, 200, JSON.stringify(r.body))
  }
  await status(people[2], { status: 'lost_contact', reason: '长期失去联系' })
  await checkAll('lost contact')
  await status(people[2], { status: 'active', reason: '已恢复联系' })
  await checkAll('active again')
  await status(people[7], { status: 'deceased', reason: '病故' })
  await checkAll('deceased')
  // no longer counted, and joined after some as_of dates: must not be taken off twice
  await status(people[4], { status: 'lost_contact', reason: '长期失去联系' })
  await checkAll('a late joiner lost contact')
  const r = await admin.del(`/api/v1/members/${people[5].id}`, { reason: '重复录入' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  await checkAll('soft delete') // people[5] joined 1999: after the 1998 as_of
})

t('stats after an org move: the branch with its members leaves one township and joins the other', async () => {
  const before = (await admin.get(`/api/v1/orgs/${tree.b}/stats`)).body.total
  const moved = (await admin.get(`/api/v1/orgs/${tree.a2}/stats`)).body.total
  assert.ok(moved > 0)
  let r = await admin.post(`/api/v1/orgs/${tree.a2}/move`, { parent_id: tree.b })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal((await admin.get(`/api/v1/orgs/${tree.b}/stats`)).body.total, before + moved)
  await checkAll('a2 under b')
  r = await admin.post(`/api/v1/orgs/${tree.a2}/move`, { parent_id: tree.a })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  await checkAll('a2 back under a')
})

t('stats after a member import into a branch and after the batch is rolled back (the import adds its rows in bulk)', async () => {
  const q = (v) => (/[",\r\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v ?? ''))
  const rows = [['姓名*', '身份证号*', '人员类别*', '性别', '学历', '入党日期', '转正日期']]
  const births = ['1990-03-15', '1990-03-16', '1955-11-30', '1999-12-31', '1970-07-07', '1986-02-28']
  births.forEach((b, i) => {
    const prob = i % 3 === 2
    rows.push([`导入统计${i}`, freshId(b, i % 2 === 0), prob ? '预备党员' : '正式党员', i % 2 === 0 ? '男' : '女',
      i % 2 ? '大学本科' : '31', prob ? '2026-01-10' : '2004-05-04', prob ? '' : '2005-05-04'])
  })
  const body = Buffer.from(rows.map((r) => r.map(q).join(',')).join('\r\n') + '\r\n', 'utf8')
  const r = await admin.post(`/api/v1/import/members?dry_run=0&org_id=${tree.a2}`, body, { 'Content-Type': 'text/csv' })
  assert.equal(r.status, 202, JSON.stringify(r.body))
  let job
  for (let i = 0; i < 400; i++) {
    job = (await admin.get(`/api/v1/import/jobs/${r.body.job_id}`)).body
    if (job.state !== 'running') break
    await new Promise((res) => setTimeout(res, 25))
  }
  assert.equal(job.state, 'done', JSON.stringify(job))
  assert.ok(job.result.batch_id, JSON.stringify(job.result))
  assert.equal(job.result.rows_imported ?? births.length, births.length, JSON.stringify(job.result))
  dates.add('2026-01-09')
  await checkAll('after an import')
  const rb = await admin.post(`/api/v1/import/batches/${job.result.batch_id}/rollback`)
  assert.equal(rb.status, 200, JSON.stringify(rb.body))
  await checkAll('after the import was rolled back')
})

t('an interrupted recount runs again on the next start (the marker stays until a recount commits)', async () => {
  // What a recount killed mid-way leaves: the marker, and figures that are wrong (here: none at all).
  assert.equal(await srv.stop(), 0)
  srv.assertClean()
  storeExec(srv.db, 'DELETE FROM org_member_facets')
  storeExec(srv.db, 'DELETE FROM org_stats')
  storeExec(srv.db, "INSERT INTO settings(key, value, updated_at) VALUES ('counts.recount', 'pending', '2026-11-23T00:00:00Z')")
  const again = await serve(srv.db)
  srv = { ...srv, ...again }
  admin = await session(srv.base, 'admin')
  await checkAll('after the restart that finished the recount')
  assert.equal(storeExec(srv.db, "SELECT COUNT(*) FROM settings WHERE key = 'counts.recount'"), '0')
})
