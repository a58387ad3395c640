// meetings.test.mjs — organizational life records (RULES.md §3): one record with several types,
// validation, list filters and scope, attendance with 应到 from the register (VOTE-1, VOTE-3),
// the quorum checks (VOTE-2, MTG-2), votes (S-1, S-2, VOTE-4, ELE-4/5) with their explanation,
// the review workflow (submit → accept/return by the upper organization), QR sign-in, attachments
// (sniffed type, size, file name) and the audit trail. Runs on the demo county; the counted
// tests use fresh branches under 城关镇 whose members this file creates.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { deflateSync } from 'node:zlib'
import { startServer, serverTest, session, addUser, errorShapeProblem, hasChinese, storeExec } from '../lib/server.mjs'

let srv
let admin // county admin
let cg // chengguan: org_admin of 城关镇
let dy // dangyuan: member account linked to a member of 镇机关第一党支部
let aud // auditor
let zb // org_admin scoped to branch A (created with `dangjian user add`)
let za // admin scoped to branch A (likewise)
let own // 城关镇 id
let other // another township id
let A // fresh branch under 城关镇: 6 full + 2 probationary members
let B // second fresh branch under 城关镇: 1 member
let X // fresh branch under the other township: 1 member
const full = [] // member ids of A, 正式党员
const prob = [] // member ids of A, 预备党员
let memberB
let memberX
const t = serverTest(() => srv)

// ---- helpers ------------------------------------------------------------------------------------

/** Today in +08:00 (the server's calendar), as YYYY-MM-DD. */
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
const addDays = (d, n) => new Date(Date.parse(d + 'T00:00:00Z') + n * 86400e3).toISOString().slice(0, 10)

/** A valid 18-digit 身份证号 (GB 11643-1999, ISO 7064 MOD 11-2 check character). */
const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
function idNumber(region, birth, seq) {
  const body = region + birth.replaceAll('-', '') + String(seq).padStart(3, '0')
  const s = [...body].reduce((acc, ch, i) => acc + Number(ch) * W[i], 0)
  return body + '10X98765432'[s % 11]
}
let serial = 0
const freshId = () => idNumber('110108', '1986-07-1' + (serial % 10), 100 + ++serial * 2 + 1)

function assertError(r, status, field) {
  assert.equal(r.status, status, JSON.stringify(r.body))
  assert.equal(errorShapeProblem(r.body), null, errorShapeProblem(r.body))
  if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body))
}

async function mkOrg(c, parent, name, kind = 'branch') {
  const r = await c.post('/api/v1/orgs', { parent_id: parent, name, kind, sector: 'government' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body.id
}
async function mkMember(c, org, name, category = 'full') {
  const r = await c.post('/api/v1/members', { name, id_number: freshId(), org_id: org, category })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body.id
}
/** POST /api/v1/meetings (default: a held 支部党员大会 of branch A today); must be 201. */
async function mkMeeting(extra = {}, c = cg) {
  const body = { org_id: A, title: '测试支部党员大会', types: ['branch_congress'], held_on: today(), ...extra }
  const r = await c.post('/api/v1/meetings', body)
  assert.equal(r.status, 201, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`)
  return r.body
}
async function attend(id, items, c = cg) {
  const r = await c.post(`/api/v1/meetings/${id}/attendance`, { items })
  assert.equal(r.status, 200, `${JSON.stringify(items)} → ${JSON.stringify(r.body)}`)
  return r.body
}
const check = (m, rule) => m.quorum_checks.find((q) => q.rule === rule)

/** All items of a list endpoint (pages of 200). */
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

/** Raw bytes of a GET (the JSON client decodes text). */
async function getBytes(c, path) {
  const r = await fetch(srv.base + path, { headers: { Cookie: c.cookie } })
  return { status: r.status, headers: r.headers, bytes: Buffer.from(await r.arrayBuffer()) }
}
/** POST a file body to the attachments endpoint. */
const upload = (c, id, name, bytes, type = 'application/octet-stream') =>
  c.post(`/api/v1/meetings/${id}/attachments${name === null ? '' : '?filename=' + encodeURIComponent(name)}`, bytes, {
    'Content-Type': type,
  })

// A tiny valid PNG (1×1, RGBA), built from its bytes: signature, IHDR, IDAT, IEND with CRCs.
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32(buf) {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}
function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(td))
  return Buffer.concat([len, td, crc])
}
function tinyPng() {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(1, 0) // width
  ihdr.writeUInt32BE(1, 4) // height
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  const raw = Buffer.from([0, 0xc8, 0x10, 0x2e, 0xff]) // filter 0, one red pixel
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

function sqliteAvailable() {
  try {
    execFileSync('sqlite3', ['-version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

before(async () => {
  srv = await startServer({ demo: true })
  admin = await session(srv.base, 'admin')
  cg = await session(srv.base, 'chengguan')
  dy = await session(srv.base, 'dangyuan')
  aud = await session(srv.base, 'auditor')
  own = cg.user.org_id
  const towns = (await admin.get(`/api/v1/orgs/${srv.rootId}/children?per_page=200`)).body.items
  other = towns.find((o) => o.id !== own && /镇委员会$/.test(o.name)).id
  A = await mkOrg(cg, own, '会议测试第一党支部')
  B = await mkOrg(cg, own, '会议测试第二党支部')
  X = await mkOrg(admin, other, '会议测试外镇党支部')
  for (let i = 0; i < 6; i++) full.push(await mkMember(cg, A, `正式${'甲乙丙丁戊己'[i]}`))
  for (let i = 0; i < 2; i++) prob.push(await mkMember(cg, A, `预备${'甲乙'[i]}`, 'probationary'))
  memberB = await mkMember(cg, B, '二支部党员')
  memberX = await mkMember(admin, X, '外镇党员')
  await addUser(srv.db, { username: 'zhibu', role: 'org_admin', org: A, password: 'Zhi!bu2026x' })
  zb = await session(srv.base, 'zhibu', 'Zhi!bu2026x')
  await addUser(srv.db, { username: 'zhibuadm', role: 'admin', org: A, password: 'Zhi!bu2026y' })
  za = await session(srv.base, 'zhibuadm', 'Zhi!bu2026y')
})
after(async () => {
  if (!srv) return
  assert.equal(await srv.stop(), 0)
  srv.assertClean()
})

// ---- create and validation -------------------------------------------------------------------------

t('one record carries several types: 主题党日 + 支部党员大会 + 党课 (RULES.md §3.1)', async () => {
  const m = await mkMeeting({
    title: '主题党日暨支部党员大会、专题党课', types: ['theme_day', 'branch_congress', 'lecture'], lecturer: '张书记',
    held_on: addDays(today(), -1), start_time: '09:00', place: '党员活动室', host: '张书记', topics: '学习；表决',
  })
  assert.deepEqual([...m.types].sort(), ['branch_congress', 'lecture', 'theme_day'])
  for (const l of ['主题党日', '支部党员大会', '党课']) assert.ok(m.types_label.includes(l), m.types_label)
  assert.equal(m.status, 'held')
  assert.equal(m.lecturer, '张书记')
  assert.equal(m.org_id, A)
  // 应到 from the register: 8 active members, 6 of them with a vote (VOTE-1)
  assert.equal(m.attendance_summary.expected, 8)
  assert.equal(m.attendance_summary.expected_voting, 6)
  assert.equal(m.attendance_summary.unrecorded, 8)
  assert.equal(m.attendance_summary.present, 0)
  assert.deepEqual(m.votes, [])
  assert.deepEqual(m.attachments, [])
  const q = check(m, 'VOTE-2')
  assert.ok(q, 'a 支部党员大会 has the VOTE-2 quorum check')
  assert.equal(q.ok, false)
  const g = await cg.get(`/api/v1/meetings/${m.id}`)
  assert.equal(g.status, 200)
  assert.deepEqual([...g.body.types].sort(), ['branch_congress', 'lecture', 'theme_day'])
  // the same record counts under each type
  for (const ty of ['theme_day', 'branch_congress', 'lecture']) {
    const l = await listAll(cg, `/api/v1/meetings?org_id=${A}&type=${ty}`)
    assert.ok(l.some((x) => x.id === m.id), `listed under type=${ty}`)
  }
  assert.ok(!(await listAll(cg, `/api/v1/meetings?org_id=${A}&type=committee`)).some((x) => x.id === m.id))
  // a planned meeting (no held_on) is "planned"
  const p = await mkMeeting({ title: '计划中的党课', types: ['lecture'], lecturer: '李老师', held_on: null, planned_on: addDays(today(), 10) })
  assert.equal(p.status, 'planned')
})

t('validation: lecturer for 党课, held_on not in the future, known type codes, HH:MM start time', async () => {
  const base = { org_id: A, title: '校验', types: ['lecture'], held_on: today() }
  assertError(await cg.post('/api/v1/meetings', { ...base, lecturer: null }), 422, 'lecturer')
  assertError(await cg.post('/api/v1/meetings', { ...base, lecturer: '' }), 422, 'lecturer')
  assertError(await cg.post('/api/v1/meetings', { ...base, types: ['theme_day', 'lecture'], lecturer: null }), 422, 'lecturer')
  assertError(await cg.post('/api/v1/meetings', base), 422, 'lecturer')
  assertError(await cg.post('/api/v1/meetings', { ...base, types: ['theme_day'], held_on: addDays(today(), 1) }), 422, 'held_on')
  assertError(await cg.post('/api/v1/meetings', { ...base, lecturer: 'x', held_on: '2026-02-30' }), 422, 'held_on')
  assertError(await cg.post('/api/v1/meetings', { ...base, types: ['nope'] }), 422, 'types')
  assertError(await cg.post('/api/v1/meetings', { ...base, types: ['theme_day', 'party'] }), 422, 'types')
  assertError(await cg.post('/api/v1/meetings', { ...base, types: [] }), 422, 'types')
  assertError(await cg.post('/api/v1/meetings', { ...base, types: ['theme_day'], start_time: '25:00' }), 422, 'start_time')
  assertError(await cg.post('/api/v1/meetings', { ...base, types: ['theme_day'], start_time: '9:00' }), 422, 'start_time')
  assertError(await cg.post('/api/v1/meetings', { ...base, types: ['theme_day'], title: undefined }), 422, 'title')
  assertError(await cg.post('/api/v1/meetings', { ...base, types: ['theme_day'], bogus: 1 }), 422)
  assert.ok(hasChinese((await cg.post('/api/v1/meetings', { ...base, lecturer: null })).body.error.message))
  // PATCH keeps the rules: held_on in the future is refused
  const m = await mkMeeting({ types: ['lecture'], lecturer: '王讲师', title: '党课' })
  assertError(await cg.patch(`/api/v1/meetings/${m.id}`, { held_on: addDays(today(), 3) }), 422, 'held_on')
  assertError(await cg.patch(`/api/v1/meetings/${m.id}`, { lecturer: null }), 422, 'lecturer')
  assert.equal((await cg.get(`/api/v1/meetings/${m.id}`)).body.lecturer, '王讲师', 'the lecturer is kept')
  const td = await mkMeeting({ types: ['theme_day'], title: '无讲课人' })
  assertError(await cg.patch(`/api/v1/meetings/${td.id}`, { types: ['lecture'] }), 422, 'lecturer')
  const g = await cg.get(`/api/v1/meetings/${m.id}`)
  assert.equal(g.body.held_on, today(), 'the refused PATCH changed nothing')
})

// ---- list filters and scope -----------------------------------------------------------------------

t('list filters: type, from/to, subtree, and an org outside the scope is 404', async () => {
  const d1 = addDays(today(), -40)
  const lec = await mkMeeting({ title: '筛选党课', types: ['lecture'], lecturer: '赵老师', held_on: d1 })
  const theme = await mkMeeting({ title: '筛选主题党日', types: ['theme_day'], held_on: d1 })
  const inB = await mkMeeting({ org_id: B, title: '二支部党课', types: ['lecture'], lecturer: '钱老师', held_on: d1 })
  const lectures = await listAll(cg, `/api/v1/meetings?org_id=${A}&type=lecture`)
  assert.ok(lectures.some((x) => x.id === lec.id))
  assert.ok(!lectures.some((x) => x.id === theme.id), 'type=lecture leaves out a theme day')
  for (const x of lectures) {
    assert.ok(x.types.includes('lecture'))
    assert.equal(x.org_id, A)
  }
  const day = await listAll(cg, `/api/v1/meetings?org_id=${A}&from=${d1}&to=${d1}`)
  assert.deepEqual(day.map((x) => x.id).sort((a, b) => a - b), [lec.id, theme.id].sort((a, b) => a - b))
  for (const x of day) assert.equal(x.held_on, d1)
  assert.equal((await listAll(cg, `/api/v1/meetings?org_id=${A}&from=${addDays(d1, 1)}&to=${addDays(d1, 1)}`)).length, 0)
  assertError(await cg.get(`/api/v1/meetings?org_id=${A}&from=${today()}&to=${d1}`), 422, 'to')
  assertError(await cg.get(`/api/v1/meetings?from=2026-13-01`), 422, 'from')
  // subtree: the township's own meetings only (subtree=0) vs its whole subtree (default, subtree=1)
  const only = await listAll(cg, `/api/v1/meetings?org_id=${own}&subtree=0&from=${d1}&to=${d1}`)
  for (const x of only) assert.equal(x.org_id, own)
  assert.ok(!only.some((x) => x.id === lec.id || x.id === inB.id))
  for (const sub of ['', '&subtree=1']) {
    const all = await listAll(cg, `/api/v1/meetings?org_id=${own}${sub}&from=${d1}&to=${d1}`)
    assert.ok(all.some((x) => x.id === lec.id) && all.some((x) => x.id === inB.id), `subtree${sub}`)
  }
  // another township: 404 for the filter and for the record
  assertError(await cg.get(`/api/v1/meetings?org_id=${other}`), 404, 'org_id')
  assertError(await cg.get(`/api/v1/meetings?org_id=${X}`), 404, 'org_id')
  const foreign = await mkMeeting({ org_id: X, title: '外镇主题党日', types: ['theme_day'] }, admin)
  assertError(await cg.get(`/api/v1/meetings/${foreign.id}`), 404)
  assertError(await cg.patch(`/api/v1/meetings/${foreign.id}`, { title: '改' }), 404)
  assertError(await cg.get(`/api/v1/meetings/${foreign.id}/attendance`), 404)
  // a body that references an org outside the scope is a field error (as for members)
  assertError(await cg.post('/api/v1/meetings', { org_id: X, title: '越权', types: ['theme_day'], held_on: today() }), 422, 'org_id')
  assert.ok(!(await listAll(cg, `/api/v1/meetings?from=${today()}&to=${today()}`)).some((x) => x.id === foreign.id))
  // the branch's own admin sees its branch only
  assertError(await zb.get(`/api/v1/meetings/${inB.id}`), 404)
  assertError(await zb.get(`/api/v1/meetings?org_id=${B}`), 404, 'org_id')
  for (const x of await listAll(zb, `/api/v1/meetings?from=${d1}&to=${d1}`)) assert.equal(x.org_id, A)
})

// ---- attendance and quorum --------------------------------------------------------------------------

t('attendance: 应到 is the active register; present/leave/absent/excluded; VOTE-2 quorum exactly at floor(n/2)+1', async () => {
  const m = await mkMeeting({ title: '出席测试支部党员大会' })
  let r = await cg.get(`/api/v1/meetings/${m.id}/attendance`)
  assert.equal(r.status, 200)
  assert.equal(r.body.total, 8)
  const byId = Object.fromEntries(r.body.items.map((x) => [x.member_id, x]))
  for (const id of full) {
    assert.equal(byId[id].voting, true)
    assert.equal(byId[id].category, 'full')
    assert.equal(byId[id].status, null)
    assert.equal(byId[id].status_label, '未登记')
  }
  for (const id of prob) assert.equal(byId[id].voting, false, '预备党员 have no vote (VOTE-1)')
  assert.ok(!(memberB in byId), 'another branch is not expected')

  // 3 of 6 voting members present (+ a 预备党员): exactly half is not "more than half"
  let g = await attend(m.id, [
    { member_id: full[0], status: 'present' },
    { member_id: full[1], status: 'present' },
    { member_id: full[2], status: 'present', late: true },
    { member_id: prob[0], status: 'present' },
  ])
  let s = g.attendance_summary
  assert.deepEqual([s.expected, s.expected_voting, s.present, s.present_voting, s.late], [8, 6, 4, 3, 1])
  let q = check(g, 'VOTE-2')
  assert.equal(q.ok, false, 'floor(6/2) = 3 present voting members is no quorum')
  assert.ok(q.message.includes('6 人') && q.message.includes('3 人') && q.message.includes('至少 4 人'), q.message)
  // the 4th voting member: floor(6/2)+1 → quorum
  g = await attend(m.id, [{ member_id: full[3], status: 'present' }])
  q = check(g, 'VOTE-2')
  assert.equal(q.ok, true, JSON.stringify(q))
  assert.equal(g.attendance_summary.present_voting, 4)

  // leave needs a reason
  assertError(await cg.post(`/api/v1/meetings/${m.id}/attendance`, { items: [{ member_id: full[4], status: 'leave' }] }), 422, 'items')
  assertError(await cg.post(`/api/v1/meetings/${m.id}/attendance`, { items: [{ member_id: full[4], status: 'excluded' }] }), 422, 'items')
  g = await attend(m.id, [
    { member_id: full[4], status: 'leave', reason: '出差' },
    { member_id: prob[1], status: 'absent' },
  ])
  s = g.attendance_summary
  assert.deepEqual([s.leave, s.absent, s.unrecorded], [1, 2, 1], JSON.stringify(s))
  // VOTE-3: an excluded member leaves 应到 (with the reason recorded)
  g = await attend(m.id, [{ member_id: full[5], status: 'excluded', reason: '因病不能表达意志，经上级党委批准' }])
  s = g.attendance_summary
  assert.deepEqual([s.expected, s.expected_voting, s.excluded, s.absent, s.unrecorded], [7, 5, 1, 1, 0], JSON.stringify(s))
  assert.equal(check(g, 'VOTE-2').ok, true)
  r = await cg.get(`/api/v1/meetings/${m.id}/attendance`)
  const ex = r.body.items.find((x) => x.member_id === full[5])
  assert.equal(ex.status, 'excluded')
  assert.match(ex.reason, /因病/)
  assert.equal(r.body.items.find((x) => x.member_id === full[4]).reason, '出差')
  assert.equal(r.body.items.find((x) => x.member_id === full[2]).late, true)

  // members who are not expected, and malformed items
  assertError(await cg.post(`/api/v1/meetings/${m.id}/attendance`, { items: [{ member_id: memberB, status: 'present' }] }), 422, 'items')
  assertError(await cg.post(`/api/v1/meetings/${m.id}/attendance`, { items: [{ member_id: 99999999, status: 'present' }] }), 422, 'items')
  assertError(await cg.post(`/api/v1/meetings/${m.id}/attendance`, { items: [{ member_id: full[0], status: 'asleep' }] }), 422, 'items')
  assertError(await cg.post(`/api/v1/meetings/${m.id}/attendance`, { items: [] }), 422, 'items')
  assertError(await cg.post(`/api/v1/meetings/${m.id}/attendance`, { items: [{ member_id: full[0], status: 'present', late: 'yes' }] }), 422, 'items')
  // a refused batch is all-or-nothing: the valid first item is not stored
  assertError(await cg.post(`/api/v1/meetings/${m.id}/attendance`, {
    items: [{ member_id: full[0], status: 'absent' }, { member_id: memberB, status: 'present' }],
  }), 422, 'items')
  assert.equal((await cg.get(`/api/v1/meetings/${m.id}`)).body.attendance_summary.present_voting, 4)
})

t('MTG-2: a 支委会 needs more than half of the committee (registered with member ids)', async () => {
  const c = await cg.post(`/api/v1/orgs/${A}/committees`, {
    started_on: addDays(today(), -30), term_no: 1,
    members: [
      { member_id: full[0], post: 'secretary' },
      { member_id: full[1], post: 'organization_member' },
      { member_id: full[2], post: 'publicity_member' },
      { member_id: full[3], post: 'discipline_member' },
    ],
  })
  assert.equal(c.status, 201, JSON.stringify(c.body))
  const m = await mkMeeting({ title: '支委会', types: ['committee'] })
  let q = check(m, 'MTG-2')
  assert.ok(q, 'a 支委会 carries the MTG-2 check')
  assert.equal(q.ok, false)
  assert.equal(check(m, 'VOTE-2'), undefined, 'no VOTE-2 check without a 支部党员大会')
  let g = await attend(m.id, [
    { member_id: full[0], status: 'present' },
    { member_id: full[1], status: 'present' },
    { member_id: full[4], status: 'present' }, // not a committee member
  ])
  q = check(g, 'MTG-2')
  assert.equal(q.ok, false, '2 of 4 committee members is not more than half')
  assert.ok(q.message.includes('4 人') && q.message.includes('到会 2 人') && q.message.includes('至少 3 人'), q.message)
  g = await attend(g.id, [{ member_id: full[2], status: 'present' }])
  q = check(g, 'MTG-2')
  assert.equal(q.ok, true, q.message)
  assert.ok(q.message.includes('到会 3 人'), q.message)
})

// ---- votes ----------------------------------------------------------------------------------------------

t('votes: resolution at floor(n/2)+1 of those who should attend; quorum; written opinions only for admission (VOTE-4)', async () => {
  const m = await mkMeeting({ title: '表决测试支部党员大会' })
  const vote = async (body) => {
    const r = await cg.post(`/api/v1/meetings/${m.id}/votes`, { subject: '表决事项', ...body })
    assert.equal(r.status, 201, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`)
    return r.body.votes[r.body.votes.length - 1]
  }
  for (const n of [6, 7, 10, 25]) {
    const need = Math.floor(n / 2) + 1
    let v = await vote({ kind: 'resolution', eligible: n, present_voting: n, yes: need, no: n - need })
    assert.deepEqual([v.quorum, v.passed, v.rule], [true, true, 'VOTE-2'], v.explanation)
    assert.ok(v.explanation.includes(`应到会有表决权党员 ${n} 人，实到 ${n} 人`), v.explanation)
    assert.ok(v.explanation.includes(`至少 ${need} 票`) && v.explanation.includes(`赞成 ${need} 票`), v.explanation)
    v = await vote({ kind: 'resolution', eligible: n, present_voting: n, yes: need - 1, no: n - need + 1 })
    assert.deepEqual([v.quorum, v.passed], [true, false], v.explanation)
    assert.ok(v.explanation.includes('未通过'), v.explanation)
    // quorum: floor(n/2)+1 present is enough, floor(n/2) is not — whatever the yes count
    v = await vote({ kind: 'resolution', eligible: n, present_voting: need, yes: need })
    assert.deepEqual([v.quorum, v.passed], [true, true], v.explanation)
    v = await vote({ kind: 'resolution', eligible: n, present_voting: need - 1, yes: need - 1 })
    assert.deepEqual([v.quorum, v.passed], [false, false], v.explanation)
    assert.ok(v.explanation.includes('未达到法定人数'), v.explanation)
  }
  // VOTE-4: 5 in the room + 1 written = 6 of 10 passes an admission, not a resolution
  let v = await vote({ kind: 'admission', subject: '接收张三为预备党员', eligible: 10, present_voting: 6, yes: 5, no: 1, written_yes: 1 })
  assert.deepEqual([v.quorum, v.passed, v.written_yes], [true, true, 1], v.explanation)
  assert.ok(v.explanation.includes('含书面意见') && v.explanation.includes('赞成 6 票'), v.explanation)
  v = await vote({ kind: 'conversion', subject: '李四转正', eligible: 10, present_voting: 6, yes: 5, no: 1, written_yes: 1 })
  assert.equal(v.passed, true, v.explanation)
  // written opinions are refused for an ordinary resolution; without them 5 of 10 does not pass
  assertError(await cg.post(`/api/v1/meetings/${m.id}/votes`, { subject: '表决事项', kind: 'resolution', eligible: 10, present_voting: 6, yes: 5, no: 1, written_yes: 1 }), 422, 'yes')
  v = await vote({ kind: 'resolution', eligible: 10, present_voting: 6, yes: 5, no: 1 })
  assert.equal(v.passed, false, 'written opinions do not count for an ordinary resolution')
  assert.ok(v.explanation.includes('赞成 5 票'), v.explanation)
  // default counts come from the attendance (6 voting expected, 4 present)
  await attend(m.id, full.slice(0, 4).map((id) => ({ member_id: id, status: 'present' })))
  v = await vote({ kind: 'resolution', yes: 4 })
  assert.deepEqual([v.eligible, v.present_voting, v.quorum, v.passed], [6, 4, true, true], v.explanation)
  v = await vote({ kind: 'resolution', yes: 3, no: 1 })
  assert.equal(v.passed, false, v.explanation)
  // the votes are listed on the record
  const g = await cg.get(`/api/v1/meetings/${m.id}`)
  assert.equal(g.body.votes.length, 4 * 4 + 3 + 2)
  assert.ok(g.body.votes.every((x) => typeof x.explanation === 'string' && x.explanation.length > 10))
})

t('votes: an election needs more than 4/5 present (S-2 strict) and more than half of those who should attend', async () => {
  const m = await mkMeeting({ title: '换届选举大会' })
  const vote = async (body) => {
    const r = await cg.post(`/api/v1/meetings/${m.id}/votes`, { subject: '选举支部书记', kind: 'election', ...body })
    assert.equal(r.status, 201, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`)
    return r.body.votes[r.body.votes.length - 1]
  }
  for (const [n, q] of [[5, 5], [7, 6], [10, 9], [11, 9], [25, 21], [50, 41]]) {
    const need = Math.floor(n / 2) + 1
    let v = await vote({ eligible: n, present_voting: q, yes: need, no: q - need })
    assert.deepEqual([v.quorum, v.passed, v.rule], [true, true, 'ELE-4/ELE-5'], `n=${n}: ${v.explanation}`)
    assert.ok(v.explanation.includes(`至少 ${q} 人`), v.explanation)
    v = await vote({ eligible: n, present_voting: q - 1, yes: q - 1 })
    assert.deepEqual([v.quorum, v.passed], [false, false], `n=${n} present ${q - 1}: ${v.explanation}`)
    v = await vote({ eligible: n, present_voting: q, yes: need - 1, no: q - need + 1 })
    assert.deepEqual([v.quorum, v.passed], [true, false], `n=${n} yes ${need - 1}: ${v.explanation}`)
  }
  // The 🔶 S-2 parameter ("不少于4/5") exists and can be set for the branch…
  const p = await admin.put('/api/v1/rules/params', { org_id: A, rule: 'S-2', param: 'strict', value: false, note: '本地选举办法：不少于4/5' })
  assert.equal(p.status, 200, JSON.stringify(p.body))
  assert.equal(p.body.params.find((x) => x.rule === 'S-2').value, '0')
  // …and votes honour it: with S-2 strict=0 on the branch, 8 of 10 present (ceil(4·10/5) = 8) is a quorum
  const v = await vote({ eligible: 10, present_voting: 8, yes: 8 })
  assert.equal(v.quorum, true, v.explanation)
  const back = await admin.put('/api/v1/rules/params', { org_id: A, rule: 'S-2', param: 'strict', value: true })
  assert.equal(back.status, 200)
})

t('votes: impossible tallies and bad bodies are 422, nothing stored', async () => {
  const m = await mkMeeting({ title: '无效表决' })
  const bad = [
    [{ kind: 'resolution', eligible: 5, present_voting: 6, yes: 3 }, 'yes'], // more present than expected
    [{ kind: 'resolution', eligible: 10, present_voting: 6, yes: 5, no: 2 }, 'yes'], // more ballots than present
    [{ kind: 'election', eligible: 10, present_voting: 9, yes: 9, abstain: 1 }, 'yes'],
    [{ kind: 'resolution', eligible: 10, present_voting: 6, yes: -1 }, 'yes'],
    [{ kind: 'resolution', eligible: 10, present_voting: 6 }, 'yes'], // yes is required
    [{ kind: 'resolution', eligible: 10, present_voting: 6, yes: 1.5 }, 'yes'],
    [{ kind: 'resolution', eligible: '10', present_voting: 6, yes: 1 }, 'yes'],
    [{ kind: 'acclamation', eligible: 10, present_voting: 6, yes: 6 }, 'kind'],
    [{ eligible: 10, present_voting: 6, yes: 6 }, 'kind'],
  ]
  for (const [body, field] of bad) {
    assertError(await cg.post(`/api/v1/meetings/${m.id}/votes`, { subject: '无效', ...body }), 422, field)
  }
  assertError(await cg.post(`/api/v1/meetings/${m.id}/votes`, { kind: 'resolution', eligible: 10, present_voting: 6, yes: 6 }), 422, 'subject')
  assertError(await cg.post(`/api/v1/meetings/${m.id}/votes`, { subject: 'x', kind: 'resolution', yes: 1, secret: true }), 422)
  // written opinions never stand in for ballots of those present, and present + written ≤ eligible
  assertError(await cg.post(`/api/v1/meetings/${m.id}/votes`, { subject: 'x', kind: 'resolution', eligible: 10, present_voting: 6, written_yes: 4, yes: 10 }), 422, 'yes')
  assertError(await cg.post(`/api/v1/meetings/${m.id}/votes`, { subject: 'x', kind: 'admission', eligible: 10, present_voting: 6, written_yes: 3, yes: 9 }), 422, 'yes')
  const g = await cg.get(`/api/v1/meetings/${m.id}`)
  assert.deepEqual(g.body.votes, [])
  assertError(await cg.post('/api/v1/meetings/99999999/votes', { subject: 'x', kind: 'resolution', yes: 1 }), 404)
})

// ---- review workflow --------------------------------------------------------------------------------

t('review: submit (held → submitted) freezes the record; only the upper organization accepts or returns', async () => {
  const m = await mkMeeting({ title: '报送测试主题党日', types: ['theme_day'] })
  await attend(m.id, [{ member_id: full[0], status: 'present' }])
  const review = (c, body) => c.post(`/api/v1/meetings/${m.id}/review`, body)
  // nothing to accept before it is submitted
  assertError(await review(cg, { action: 'accept' }), 409, 'action')
  let r = await review(zb, { action: 'submit' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.status, 'submitted')
  assertError(await review(zb, { action: 'submit' }), 409, 'action')
  // frozen while submitted
  assertError(await cg.patch(`/api/v1/meetings/${m.id}`, { title: '改标题' }), 409)
  assertError(await zb.patch(`/api/v1/meetings/${m.id}`, { place: '会议室' }), 409)
  assertError(await cg.post(`/api/v1/meetings/${m.id}/attendance`, { items: [{ member_id: full[1], status: 'present' }] }), 409)
  assertError(await cg.post(`/api/v1/meetings/${m.id}/votes`, { subject: '报送后表决', kind: 'resolution', yes: 1 }), 409)
  // the branch's own org_admin is not the upper organization
  r = await review(zb, { action: 'accept' })
  assertError(r, 403, 'action')
  assert.ok(hasChinese(r.body.error.message))
  assertError(await review(zb, { action: 'return', comment: '自己退回' }), 403)
  assertError(await review(za, { action: 'accept' }), 403, 'action') // an admin account scoped to the branch
  // the township returns it: a comment is required
  assertError(await review(cg, { action: 'return' }), 422, 'comment')
  assertError(await review(cg, { action: 'return', comment: '' }), 422, 'comment')
  assertError(await review(cg, { action: 'approve' }), 422, 'action')
  assertError(await review(cg, { action: 'accept', extra: 1 }), 422)
  r = await review(cg, { action: 'return', comment: '请补充会议记录' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.status, 'returned')
  assert.equal(r.body.review_comment, '请补充会议记录')
  assert.match(r.body.reviewed_at, /^\d{4}-\d\d-\d\dT/)
  // returned: editable again, and stays "returned" until submitted
  r = await zb.patch(`/api/v1/meetings/${m.id}`, { minutes: '补充的会议记录', held_on: today() })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.status, 'returned')
  assert.equal((await review(zb, { action: 'submit' })).body.status, 'submitted')
  r = await review(cg, { action: 'accept', comment: '同意' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.status, 'accepted')
  // accepted: final
  assertError(await cg.patch(`/api/v1/meetings/${m.id}`, { title: '再改' }), 409)
  assertError(await cg.del(`/api/v1/meetings/${m.id}`, { reason: '重复录入' }), 409)
  assertError(await admin.del(`/api/v1/meetings/${m.id}`, { reason: '重复录入' }), 409)
  assertError(await review(cg, { action: 'return', comment: '再退回' }), 409)
  assertError(await review(zb, { action: 'submit' }), 409)
  assertError(await cg.post(`/api/v1/meetings/${m.id}/attendance`, { items: [{ member_id: full[1], status: 'present' }] }), 409)
  assert.equal((await cg.get(`/api/v1/meetings/${m.id}`)).body.status, 'accepted')
  // a planned meeting cannot be submitted
  const p = await mkMeeting({ title: '计划', types: ['theme_day'], held_on: null, planned_on: addDays(today(), 5) })
  assertError(await cg.post(`/api/v1/meetings/${p.id}/review`, { action: 'submit' }), 409, 'action')
  // the county may review too (any upper organization)
  const m2 = await mkMeeting({ title: '县委审核', types: ['theme_day'] }, zb)
  assert.equal((await zb.post(`/api/v1/meetings/${m2.id}/review`, { action: 'submit' })).status, 200)
  assert.equal((await admin.post(`/api/v1/meetings/${m2.id}/review`, { action: 'accept' })).body.status, 'accepted')
})

t('delete: a reason is required; the record then is gone (404) and not listed', async () => {
  const m = await mkMeeting({ title: '待删除', types: ['theme_day'], held_on: addDays(today(), -2) })
  assertError(await cg.del(`/api/v1/meetings/${m.id}`), 422, 'reason')
  assertError(await cg.del(`/api/v1/meetings/${m.id}`, { reason: '' }), 422, 'reason')
  const r = await cg.del(`/api/v1/meetings/${m.id}`, { reason: '重复录入' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.deepEqual(r.body, { ok: true })
  assertError(await cg.get(`/api/v1/meetings/${m.id}`), 404)
  assertError(await cg.del(`/api/v1/meetings/${m.id}`, { reason: '再删' }), 404)
  const d = addDays(today(), -2)
  assert.ok(!(await listAll(cg, `/api/v1/meetings?org_id=${A}&from=${d}&to=${d}`)).some((x) => x.id === m.id))
})

// ---- QR sign-in -------------------------------------------------------------------------------------------

t('QR sign-in: a token with an SVG code; the linked member signs in and is present with checked_in_at', async () => {
  const s = await dy.get('/api/v1/session')
  assert.equal(s.status, 200)
  const memberId = s.body.user.member_id
  assert.ok(Number.isInteger(memberId), 'the demo dangyuan account is linked to a member')
  const me = await admin.get(`/api/v1/members/${memberId}`)
  assert.equal(me.status, 200)
  const branch = me.body.org_id
  assert.equal((await admin.get(`/api/v1/orgs/${branch}`)).body.name, '镇机关第一党支部')

  const m = await mkMeeting({ org_id: branch, title: '扫码签到主题党日', types: ['theme_day'], start_time: '00:00' })
  const tk = await cg.post(`/api/v1/meetings/${m.id}/checkin-token`)
  assert.equal(tk.status, 201, JSON.stringify(tk.body))
  assert.match(tk.body.token, /^[0-9a-f]{64}$/)
  assert.ok(tk.body.qr_svg.startsWith('<svg'), tk.body.qr_svg.slice(0, 40))
  assert.ok(tk.body.qr_svg.trimEnd().endsWith('</svg>'))
  assert.ok(tk.body.path.includes(tk.body.token) && tk.body.path.includes(String(m.id)), tk.body.path)
  const ttl = Date.parse(tk.body.expires_at) - Date.now()
  assert.ok(ttl > 200e3 && ttl <= 301e3, `expires in ${ttl} ms (5 minutes)`)

  let r = await dy.post(`/api/v1/meetings/${m.id}/checkin`, { token: tk.body.token })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.ok, true)
  assert.equal(r.body.meeting_id, m.id)
  const att = await cg.get(`/api/v1/meetings/${m.id}/attendance?per_page=200`)
  const mine = att.body.items.find((x) => x.member_id === memberId)
  assert.equal(mine.status, 'present')
  assert.match(mine.checked_in_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$/)
  assert.ok(Math.abs(Date.parse(mine.checked_in_at) - Date.now()) < 120e3)
  assert.equal(mine.late, true, 'after the 00:00 start time')
  assert.equal((await cg.get(`/api/v1/meetings/${m.id}`)).body.attendance_summary.present, 1)
  // signing in twice is harmless
  assert.equal((await dy.post(`/api/v1/meetings/${m.id}/checkin`, { token: tk.body.token })).status, 200)

  // unknown, malformed, another meeting's token
  assertError(await dy.post(`/api/v1/meetings/${m.id}/checkin`, { token: randomBytes(32).toString('hex') }), 422, 'token')
  assertError(await dy.post(`/api/v1/meetings/${m.id}/checkin`, { token: 'abc' }), 422, 'token')
  assertError(await dy.post(`/api/v1/meetings/${m.id}/checkin`, {}), 422, 'token')
  const m2 = await mkMeeting({ org_id: branch, title: '另一次会议', types: ['theme_day'] })
  assertError(await dy.post(`/api/v1/meetings/${m2.id}/checkin`, { token: tk.body.token }), 422, 'token')
  // a member of another org; an account without a member record
  const mA = await mkMeeting({ title: '一支部签到', types: ['theme_day'] })
  const tA = (await cg.post(`/api/v1/meetings/${mA.id}/checkin-token`)).body.token
  r = await dy.post(`/api/v1/meetings/${mA.id}/checkin`, { token: tA })
  assertError(r, 403)
  assert.ok(hasChinese(r.body.error.message))
  assertError(await cg.post(`/api/v1/meetings/${mA.id}/checkin`, { token: tA }), 403)
  // the member role cannot mint tokens; another township cannot either
  assertError(await dy.post(`/api/v1/meetings/${m.id}/checkin-token`), 403)
  const foreign = await mkMeeting({ org_id: X, title: '外镇', types: ['theme_day'] }, admin)
  assertError(await cg.post(`/api/v1/meetings/${foreign.id}/checkin-token`), 404)

  // an expired token
  if (sqliteAvailable()) {
    const t2 = (await cg.post(`/api/v1/meetings/${m2.id}/checkin-token`)).body.token
    const hash = createHash('sha256').update(t2).digest('hex')
    storeExec(srv.db, `UPDATE meeting_checkins SET expires_at = expires_at - 600 WHERE token_hash = '${hash}'`)
    assertError(await dy.post(`/api/v1/meetings/${m2.id}/checkin`, { token: t2 }), 422, 'token')
    const a2 = await cg.get(`/api/v1/meetings/${m2.id}/attendance?per_page=200`)
    assert.equal(a2.body.items.find((x) => x.member_id === memberId).status, null)
  }
  // a submitted record is frozen: sign-in is refused (409) like attendance POST, and changes nothing
  const m3 = await mkMeeting({ org_id: branch, title: '报送后签到', types: ['theme_day'] })
  const t3 = (await cg.post(`/api/v1/meetings/${m3.id}/checkin-token`)).body.token
  r = await cg.post(`/api/v1/meetings/${m3.id}/review`, { action: 'submit' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assertError(await dy.post(`/api/v1/meetings/${m3.id}/checkin`, { token: t3 }), 409)
  assertError(await cg.post(`/api/v1/meetings/${m3.id}/checkin-token`), 409)
  const a3 = await cg.get(`/api/v1/meetings/${m3.id}/attendance?per_page=200`)
  assert.equal(a3.body.items.find((x) => x.member_id === memberId).status, null)
})

// ---- attachments -------------------------------------------------------------------------------------

t('attachments: a real PNG round-trips; type from the bytes, size limit, file name checks, scope', async () => {
  const m = await mkMeeting({ title: '附件测试', types: ['theme_day'] })
  const png = tinyPng()
  let r = await upload(cg, m.id, '活动照片.png', png, 'image/png')
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal(r.body.meeting_id, m.id)
  const aid = r.body.id
  assert.ok(Number.isInteger(aid))
  const got = await getBytes(cg, `/api/v1/meetings/${m.id}/attachments/${aid}`)
  assert.equal(got.status, 200)
  assert.equal(got.headers.get('content-type'), 'image/png')
  assert.ok(got.bytes.equals(png), 'the same bytes come back')
  assert.match(got.headers.get('content-disposition') || '', /^attachment/)
  const g = await cg.get(`/api/v1/meetings/${m.id}`)
  assert.deepEqual(g.body.attachments.map((a) => [a.id, a.name, a.mime, a.size]), [[aid, '活动照片.png', 'image/png', png.length]])
  // a PDF is accepted too, sniffed from its bytes whatever the name says
  r = await upload(cg, m.id, 'minutes.bin', Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n', 'latin1'))
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.equal((await getBytes(cg, `/api/v1/meetings/${m.id}/attachments/${r.body.id}`)).headers.get('content-type'), 'application/pdf')

  // text renamed .png; HTML; empty
  assertError(await upload(cg, m.id, 'photo.png', Buffer.from('这不是图片，只是文字。\n'), 'image/png'), 422, 'file')
  assertError(await upload(cg, m.id, 'x.png', Buffer.from('<html><script>alert(1)</script></html>'), 'image/png'), 422, 'file')
  assertError(await upload(cg, m.id, 'x.png', Buffer.alloc(0), 'image/png'), 422)
  // over 10 MB
  const big = Buffer.alloc(10 * 1024 * 1024 + 1)
  png.copy(big)
  r = await upload(cg, m.id, 'big.png', big, 'image/png')
  assertError(r, 413)
  // path traversal and other bad names
  for (const name of ['../x.png', '..\\x.png', 'a/b.png', '/etc/passwd.png', '..', '']) {
    assertError(await upload(cg, m.id, name, png, 'image/png'), 422, undefined)
  }
  assertError(await upload(cg, m.id, null, png, 'image/png'), 422)
  const after2 = await cg.get(`/api/v1/meetings/${m.id}`)
  assert.equal(after2.body.attachments.length, 2, 'refused uploads stored nothing')

  // another township's meeting and its attachment are 404
  const foreign = await mkMeeting({ org_id: X, title: '外镇附件', types: ['theme_day'] }, admin)
  r = await upload(admin, foreign.id, 'p.png', png, 'image/png')
  assert.equal(r.status, 201)
  assert.equal((await getBytes(cg, `/api/v1/meetings/${foreign.id}/attachments/${r.body.id}`)).status, 404)
  assert.equal((await getBytes(cg, `/api/v1/meetings/${m.id}/attachments/${r.body.id}`)).status, 404, 'an id of another meeting')
  assertError(await upload(cg, foreign.id, 'p.png', png, 'image/png'), 404)
  assert.equal((await getBytes(admin, `/api/v1/meetings/${foreign.id}/attachments/${r.body.id}`)).status, 200)
  assert.equal((await getBytes(cg, `/api/v1/meetings/${m.id}/attachments/99999999`)).status, 404)
  assert.equal((await getBytes(cg, `/api/v1/meetings/${m.id}/attachments/abc`)).status, 404)
})

// ---- audit --------------------------------------------------------------------------------------------

t('audit: create, attendance, vote, review, sign-in, attach and delete are in the log (as auditor)', async () => {
  const m = await mkMeeting({ title: '审计测试', types: ['theme_day', 'branch_congress'] })
  await attend(m.id, [{ member_id: full[0], status: 'present' }])
  assert.equal((await cg.post(`/api/v1/meetings/${m.id}/votes`, { subject: '审计表决', kind: 'resolution', eligible: 6, present_voting: 4, yes: 4 })).status, 201)
  assert.equal((await upload(cg, m.id, 'a.png', tinyPng(), 'image/png')).status, 201)
  assert.equal((await zb.post(`/api/v1/meetings/${m.id}/review`, { action: 'submit' })).status, 200)
  assert.equal((await cg.post(`/api/v1/meetings/${m.id}/review`, { action: 'return', comment: '退回重报' })).status, 200)
  const log = await listAll(aud, `/api/v1/audit?object_type=meeting`)
  const mine = log.filter((e) => e.object_id === m.id)
  const actions = new Set(mine.map((e) => e.action))
  for (const a of ['meeting.create', 'meeting.attendance', 'meeting.vote', 'meeting.attach', 'meeting.review']) {
    assert.ok(actions.has(a), `${a} in ${[...actions]}`)
  }
  const create = mine.find((e) => e.action === 'meeting.create')
  assert.equal(create.actor_name, 'chengguan')
  assert.equal(create.after.title, '审计测试')
  const reviews = mine.filter((e) => e.action === 'meeting.review').sort((a, b) => a.id - b.id)
  assert.deepEqual(reviews.map((e) => [e.actor_name, e.before.status, e.after.status]), [
    ['zhibu', 'held', 'submitted'],
    ['chengguan', 'submitted', 'returned'],
  ])
  assert.equal(reviews[1].after.comment, '退回重报')
  const vote = mine.find((e) => e.action === 'meeting.vote')
  assert.equal(vote.after.passed, true)
  assert.match(vote.after.explanation, /应到会有表决权党员 6 人/)
  const att = mine.find((e) => e.action === 'meeting.attach')
  assert.equal(att.after.mime, 'image/png')
  assert.match(att.after.sha256, /^[0-9a-f]{64}$/)
  // the sign-in of the earlier test, by the member account, and the deletion with its reason
  const checkins = log.filter((e) => e.action === 'meeting.checkin')
  assert.ok(checkins.length >= 1)
  assert.ok(checkins.every((e) => e.actor_name === 'dangyuan'))
  assert.ok(log.some((e) => e.action === 'meeting.checkin_token' && e.actor_name === 'chengguan'))
  assert.ok(log.some((e) => e.action === 'meeting.delete'), 'meeting.delete')
  // the meeting entries carry the branch's path, so a township auditor scope would see them
  assert.ok(mine.every((e) => e.org_path.includes(`/${own}/${A}/`)), JSON.stringify(mine.map((e) => e.org_path)))
})
