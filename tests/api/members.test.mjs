// members.test.mjs — the member register (党员花名册): 身份证号 rules (RULES.md §11.1), derived
// birth date and sex, masked PII with audited reveal, date-order rules, strict bodies, soft
// delete, search/filter/sort/paging, org-subtree scope, sub-records, the member role, and the
// pre-aggregated counts behind the dashboard staying equal to what the list says.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, existsSync } from 'node:fs'
import { startServer, serverTest, session, errorShapeProblem, hasChinese } from '../lib/server.mjs'
import { idNumber } from '../lib/xlsx.mjs'

let srv
let admin
let cg // chengguan: org_admin of the first township (城关镇)
let dy // dangyuan: a member of 城关镇
let aud
let own // 城关镇
let other // another township (白石镇)
let branch // a fresh branch under 城关镇 for this file's members
let branch2 // a second fresh branch under 城关镇
let otherBranch // a fresh branch under the other township
const t = serverTest(() => srv)

const REGION = '320102' // this file's generated 身份证号 (the demo county uses 42xxxx)
let serial = 0
/** A fresh valid 身份证号 (unique in this file: at most 500 per birth date). */
const freshId = (birth = '1985-03-04', male = true) => {
  serial++
  return idNumber(REGION, birth, (serial % 500) * 2 + (male ? 1 : 0))
}

/** A date n days before today (local calendar), YYYY-MM-DD. */
const daysAgo = (n) => {
  const d = new Date()
  d.setDate(d.getDate() - n)
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

const MASK_ID = /^\d{4}\*{10}[\dX]{4}$/
const MASK_PHONE = /^\d{3}\*{4}\d{4}$/

function assertError(r, status, field) {
  assert.equal(r.status, status, JSON.stringify(r.body))
  assert.equal(errorShapeProblem(r.body), null, errorShapeProblem(r.body))
  if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body))
}

/** POST /api/v1/members as `c` (default admin) with the minimum fields plus `extra`; must be 201. */
async function mkMember(extra = {}, c = admin) {
  const body = { name: '测试党员', id_number: freshId(), org_id: branch.id, category: 'full', ...extra }
  const r = await c.post('/api/v1/members', body)
  assert.equal(r.status, 201, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`)
  return r.body
}

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

/** Audit entries (newest first) for a query, as the county auditor. */
const auditLog = (qs) => listAll(aud, `/api/v1/audit?${qs}`)

const dash = async (c = admin) => {
  const r = await c.get('/api/v1/dashboard')
  assert.equal(r.status, 200)
  return r.body
}
const stats = async (id, c = admin) => {
  const r = await c.get(`/api/v1/orgs/${id}/stats`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body
}

before(async () => {
  srv = await startServer({ demo: true })
  admin = await session(srv.base, 'admin')
  cg = await session(srv.base, 'chengguan')
  dy = await session(srv.base, 'dangyuan')
  aud = await session(srv.base, 'auditor')
  const towns = (await admin.get(`/api/v1/orgs/${srv.rootId}/children?per_page=200`)).body.items
  own = towns.find((o) => o.id === cg.user.org_id)
  other = towns.find((o) => o.id !== own.id && /镇委员会$/.test(o.name))
  const mk = async (parent, name) => {
    const r = await admin.post('/api/v1/orgs', { parent_id: parent, name, kind: 'branch', sector: 'government' })
    assert.equal(r.status, 201, JSON.stringify(r.body))
    return r.body
  }
  branch = await mk(own.id, '花名册测试第一党支部')
  branch2 = await mk(own.id, '花名册测试第二党支部')
  otherBranch = await mk(other.id, '花名册测试外镇党支部')
})
after(async () => {
  if (!srv) return
  assert.equal(await srv.stop(), 0)
  srv.assertClean()
})

// ---- create and the 身份证号 rules ---------------------------------------------------------------

t('create with the minimum fields: 201 with id, birth date and sex derived from the 身份证号', async () => {
  const r = await admin.post('/api/v1/members', {
    name: '林小红', id_number: '11010519491231002X', org_id: branch.id, category: 'full',
  })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  assert.ok(Number.isInteger(r.body.id) && r.body.id > 0)
  assert.equal(r.body.birth_date, '1949-12-31')
  assert.equal(r.body.sex, '2')
  assert.equal(r.body.sex_label, '女')
  assert.equal(r.body.org_id, branch.id)
  assert.equal(r.body.category, 'full')
  assert.equal(r.body.status, 'active', 'status defaults to 正常')
  assert.equal(r.body.id_number, '1101**********002X', 'the answer carries the masked number')
  const g = await admin.get(`/api/v1/members/${r.body.id}`)
  assert.equal(g.status, 200)
  assert.equal(g.body.name, '林小红')
})

t('RULES.md §11.1 vectors: valid numbers derive their birth date and sex', async () => {
  const cases = [
    ['440524188001010014', '1880-01-01', '1'], // the standard's example, male, born 1880
    ['34052419800101001X', '1980-01-01', '1'],
    ['370101190102039973', '1901-02-03', '1'],
  ]
  for (const [id, birth, sex] of cases) {
    const r = await admin.post('/api/v1/members', { name: '向量', id_number: id, org_id: branch.id, category: 'full' })
    assert.equal(r.status, 201, `${id}: ${JSON.stringify(r.body)}`)
    assert.equal(r.body.birth_date, birth, id)
    assert.equal(r.body.sex, sex, id)
    const clear = await admin.get(`/api/v1/members/${r.body.id}?reveal=1`)
    assert.equal(clear.body.id_number, id)
  }
})

t('a wrong check character is 422 on id_number with a Chinese reason; so are bad lengths and dates', async () => {
  for (const id of ['110105194912310021', '11010519491231002', '1101051949123100211', '11010519491331002X', 'ABCDEFGHIJKLMNOPQR', '110105202912310021']) {
    const r = await admin.post('/api/v1/members', { name: '错号', id_number: id, org_id: branch.id, category: 'full' })
    assertError(r, 422, 'id_number')
    assert.ok(hasChinese(r.body.error.message))
  }
  const r = await admin.post('/api/v1/members', {
    name: '错号', id_number: '110105194912310021', org_id: branch.id, category: 'full',
  })
  assert.match(r.body.error.message, /校验位/)
})

t('a lowercase x is accepted and stored uppercase', async () => {
  // find a number whose check character is X
  let id
  for (let s = 1; !id || !id.endsWith('X'); s += 2) id = idNumber(REGION, '1990-05-06', 500 + s)
  const m = await mkMember({ id_number: id.toLowerCase() })
  const clear = await admin.get(`/api/v1/members/${m.id}?reveal=1`)
  assert.equal(clear.body.id_number, id)
  assert.ok(m.id_number.endsWith('X'), m.id_number)
})

t('a legacy 15-digit number is converted to 18 digits; the same person again is 409 on id_number', async () => {
  // 110105491231002 → 110105 19 491231002 + check → 11010519491231002X (already registered above)
  const dup = await admin.post('/api/v1/members', { name: '旧号', id_number: '110105491231002', org_id: branch.id, category: 'full' })
  assertError(dup, 409, 'id_number')
  const again = await admin.post('/api/v1/members', { name: '重复', id_number: '11010519491231002X', org_id: branch2.id, category: 'full' })
  assertError(again, 409, 'id_number')
  assert.ok(hasChinese(again.body.error.message))
  // a fresh 15-digit number: 320102 (19)850607 123 → male, 1985-06-07
  const m = await mkMember({ id_number: '320102850607123' })
  assert.equal(m.birth_date, '1985-06-07')
  assert.equal(m.sex, '1')
  const clear = await admin.get(`/api/v1/members/${m.id}?reveal=1`)
  assert.equal(clear.body.id_number, idNumber('320102', '1985-06-07', 123))
  assert.equal(clear.body.id_number.length, 18)
})

t('birth date or sex contradicting the 身份证号 is 422 naming that field; agreeing values are fine', async () => {
  const id = freshId('1975-08-09', true)
  assertError(await admin.post('/api/v1/members', { name: '甲', id_number: id, org_id: branch.id, category: 'full', birth_date: '1975-08-10' }), 422, 'birth_date')
  assertError(await admin.post('/api/v1/members', { name: '甲', id_number: id, org_id: branch.id, category: 'full', sex: '2' }), 422, 'sex')
  const ok = await mkMember({ id_number: id, birth_date: '1975-08-09', sex: '1' })
  assert.equal(ok.sex, '1')
})

t('member dates must run in order; a 预备党员 has no conversion date', async () => {
  const base = { name: '乙', org_id: branch.id, category: 'full' }
  let r = await admin.post('/api/v1/members', { ...base, id_number: freshId(), joined_on: '2010-07-01', converted_on: '2010-06-30' })
  assertError(r, 422, 'converted_on')
  r = await admin.post('/api/v1/members', { ...base, id_number: freshId('1985-03-04'), joined_on: '1980-01-01' })
  assertError(r, 422, 'joined_on') // before birth
  r = await admin.post('/api/v1/members', { ...base, id_number: freshId(), applied_on: '2011-01-01', joined_on: '2010-07-01' })
  assertError(r, 422, 'joined_on')
  r = await admin.post('/api/v1/members', { ...base, id_number: freshId(), joined_on: '2999-01-01' })
  assertError(r, 422, 'joined_on') // in the future
  r = await admin.post('/api/v1/members', {
    ...base, id_number: freshId(), category: 'probationary', joined_on: '2024-01-01', converted_on: '2025-01-01',
  })
  assertError(r, 422, 'converted_on')
  const m = await mkMember({ joined_on: '2010-07-01', converted_on: '2011-07-01' })
  assert.equal(m.converted_on, '2011-07-01')
  // a PATCH is judged against the stored values
  assertError(await admin.patch(`/api/v1/members/${m.id}`, { converted_on: '2009-01-01' }), 422, 'converted_on')
  assertError(await admin.patch(`/api/v1/members/${m.id}`, { category: 'probationary' }), 422, 'converted_on')
})

t('strict bodies: unknown keys, wrong types and missing required fields are 422 naming the field', async () => {
  const base = { name: '丙', id_number: freshId(), org_id: branch.id, category: 'full' }
  assertError(await admin.post('/api/v1/members', { ...base, nickname: '小丙' }), 422, 'nickname')
  assertError(await admin.post('/api/v1/members', { ...base, id: 5 }), 422, 'id')
  const wrong = {
    name: 123, id_number: 110105194912310, org_id: String(branch.id), category: 1, is_mobile: 'yes',
    joined_on: '2010/07/01', education: '大学', sex: 1, phone: ['138'],
  }
  for (const [k, v] of Object.entries(wrong)) {
    const r = await admin.post('/api/v1/members', { ...base, [k]: v })
    assertError(r, 422, k)
    assert.ok(hasChinese(r.body.error.message), k)
  }
  for (const k of ['name', 'id_number', 'org_id', 'category']) {
    const b = { ...base }
    delete b[k]
    assertError(await admin.post('/api/v1/members', b), 422, k)
  }
  assertError(await admin.post('/api/v1/members', { ...base, name: 'x'.repeat(51) }), 422, 'name')
  assertError(await admin.post('/api/v1/members', { ...base, org_id: 99999999 }), 422, 'org_id')
  const nobody = await admin.post('/api/v1/members', '', { 'Content-Type': null })
  assert.ok([400, 422].includes(nobody.status), `no body: ${nobody.status}`)
})

// ---- masking, reveal, audit, and what is on disk --------------------------------------------------

t('lists and details mask 身份证号 and phone; reveal=1 shows them and is audited as member.reveal', async () => {
  const id = freshId('1968-02-03', false)
  const m = await mkMember({ name: '顾明珠', id_number: id, phone: '13912345678', work_unit: '掩码测试单位' })
  const l = await admin.get(`/api/v1/members?org_id=${branch.id}&q=${encodeURIComponent('顾明珠')}`)
  assert.equal(l.status, 200)
  assert.equal(l.body.total, 1)
  const row = l.body.items[0]
  assert.match(row.id_number, MASK_ID)
  assert.equal(row.id_number, id.slice(0, 4) + '*'.repeat(10) + id.slice(-4))
  assert.match(row.phone, MASK_PHONE)
  assert.equal(row.phone, '139****5678')
  const d = await admin.get(`/api/v1/members/${m.id}`)
  assert.equal(d.body.id_number, row.id_number)
  assert.equal(d.body.phone, '139****5678')
  const before = (await auditLog('action=member.reveal')).length
  const clear = await admin.get(`/api/v1/members/${m.id}?reveal=1`)
  assert.equal(clear.status, 200)
  assert.equal(clear.body.id_number, id)
  assert.equal(clear.body.phone, '13912345678')
  const log = await auditLog('action=member.reveal')
  assert.equal(log.length, before + 1)
  assert.equal(log[0].object_id, m.id)
  assert.equal(log[0].actor_name, 'admin')
  assert.equal(log[0].object_type, 'member')
  assert.ok(log[0].org_path.startsWith(branch.path), log[0].org_path)
  // reveal of a member out of scope is 404 and not audited
  const outside = await mkMember({ org_id: otherBranch.id })
  assertError(await cg.get(`/api/v1/members/${outside.id}?reveal=1`), 404)
  assert.equal((await auditLog('action=member.reveal')).length, before + 1)
})

t('PATCH changes fields; the audit before/after carry the masked 身份证号, never the clear one; not on disk either', async () => {
  const id = freshId('1971-09-10', true)
  const m = await mkMember({ name: '孔祥东', id_number: id, phone: '13700001111', work_unit: '旧单位' })
  const r = await admin.patch(`/api/v1/members/${m.id}`, { work_unit: '新单位', education: '21', remarks: '调整' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.work_unit, '新单位')
  assert.equal(r.body.education, '21')
  assert.equal(r.body.education_label, '大学本科')
  assert.equal(r.body.name, '孔祥东', 'untouched fields stay')
  assert.equal((await admin.get(`/api/v1/members/${m.id}`)).body.work_unit, '新单位')
  const upd = (await auditLog('action=member.update&actor=admin')).find((e) => e.object_id === m.id)
  assert.ok(upd, 'member.update entry')
  assert.equal(upd.before.work_unit, '旧单位')
  assert.equal(upd.after.work_unit, '新单位')
  assert.equal(upd.before.id_number, id.slice(0, 4) + '*'.repeat(10) + id.slice(-4))
  assert.equal(upd.after.id_number, upd.before.id_number)
  const cre = (await auditLog('action=member.create&actor=admin')).find((e) => e.object_id === m.id)
  assert.ok(cre)
  assert.equal(cre.before, null)
  assert.match(cre.after.id_number, MASK_ID)
  const all = JSON.stringify([upd, cre])
  assert.ok(!all.includes(id) && !all.includes('13700001111'), 'no clear PII in the audit log')
  // a new 身份证号 re-derives birth date and sex
  const id2 = freshId('1972-10-11', false)
  const r2 = await admin.patch(`/api/v1/members/${m.id}`, { id_number: id2 })
  assert.equal(r2.status, 200, JSON.stringify(r2.body))
  assert.equal(r2.body.birth_date, '1972-10-11')
  assert.equal(r2.body.sex, '2')
  assertError(await admin.patch(`/api/v1/members/${m.id}`, { birth_date: '1972-10-12' }), 422, 'birth_date')
  assertError(await admin.patch(`/api/v1/members/${m.id}`, { id_number: '110105194912310021' }), 422, 'id_number')
  assertError(await admin.patch(`/api/v1/members/${m.id}`, { id_number: '11010519491231002X' }), 409, 'id_number')
  assertError(await admin.patch(`/api/v1/members/${m.id}`, { bogus: 1 }), 422, 'bogus')
  assertError(await admin.patch(`/api/v1/members/${m.id}`, { name: null }), 422, 'name')
  // the clear numbers and phone are nowhere in the database files (sealed + blind index + mask)
  for (const f of [srv.db, srv.db + '-wal']) {
    if (!existsSync(f)) continue
    const bytes = readFileSync(f)
    for (const secret of [id, id2, '13700001111', '11010519491231002X', '440524188001010014']) {
      assert.equal(bytes.indexOf(Buffer.from(secret)), -1, `${secret} in clear in ${f}`)
    }
  }
})

// ---- delete --------------------------------------------------------------------------------------

t('soft DELETE needs a reason; then the member is 404 and gone from lists and counts', async () => {
  const m = await mkMember({ name: '将删除', work_unit: '删除测试单位' })
  const d0 = await dash()
  const s0 = await stats(branch.id)
  assertError(await admin.del(`/api/v1/members/${m.id}`), 422, 'reason')
  assertError(await admin.del(`/api/v1/members/${m.id}`, { reason: '' }), 422, 'reason')
  assertError(await admin.del(`/api/v1/members/${m.id}`, {}), 422, 'reason')
  assertError(await admin.del(`/api/v1/members/${m.id}`, { reason: '测试', extra: 1 }), 422, 'extra')
  assert.equal((await admin.get(`/api/v1/members/${m.id}`)).status, 200, 'refused deletes change nothing')
  const r = await admin.del(`/api/v1/members/${m.id}`, { reason: '重复录入' })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assertError(await admin.get(`/api/v1/members/${m.id}`), 404)
  assertError(await admin.get(`/api/v1/members/${m.id}?reveal=1`), 404)
  assertError(await admin.patch(`/api/v1/members/${m.id}`, { remarks: 'x' }), 404)
  assertError(await admin.del(`/api/v1/members/${m.id}`, { reason: '再删' }), 404)
  const l = await admin.get(`/api/v1/members?q=${encodeURIComponent('删除测试单位')}`)
  assert.equal(l.body.total, 0)
  const d1 = await dash()
  assert.equal(d1.members_total, d0.members_total - 1)
  assert.equal(d1.members_full, d0.members_full - 1)
  assert.equal((await stats(branch.id)).total, s0.total - 1)
  const del = (await auditLog('action=member.delete&actor=admin')).find((e) => e.object_id === m.id)
  assert.ok(del, 'member.delete audited')
  assert.equal(del.after.delete_reason, '重复录入')
  // the reason may also come as a query parameter; the 身份证号 of a deleted member can be registered again
  const idAgain = freshId('1979-09-09')
  const m2 = await mkMember({ id_number: idAgain })
  assert.equal((await admin.del(`/api/v1/members/${m2.id}?reason=${encodeURIComponent('调出')}`)).status, 200)
  assertError(await admin.get(`/api/v1/members/${m2.id}`), 404)
  const back = await mkMember({ name: '重新录入', id_number: idAgain })
  assert.notEqual(back.id, m2.id)
  assertError(await admin.post('/api/v1/members', { name: '又一次', id_number: idAgain, org_id: branch.id, category: 'full' }), 409, 'id_number')
})

// ---- search, filters, sort, paging ---------------------------------------------------------------

t('search q finds a 2-character name and a work unit (substring)', async () => {
  const m = await mkMember({ name: '敖翀', work_unit: '青山县翀远农机合作社' })
  let r = await admin.get(`/api/v1/members?q=${encodeURIComponent('敖翀')}`)
  assert.equal(r.status, 200)
  assert.ok(r.body.items.some((x) => x.id === m.id), 'found by the 2-character name')
  assert.ok(r.body.items.every((x) => x.name.includes('敖翀') || (x.work_unit || '').includes('敖翀')))
  r = await admin.get(`/api/v1/members?q=${encodeURIComponent('翀远农机')}`)
  assert.deepEqual(r.body.items.map((x) => x.id), [m.id])
  r = await admin.get(`/api/v1/members?q=${encodeURIComponent('翀')}`)
  assert.ok(r.body.items.some((x) => x.id === m.id), 'one character')
  r = await admin.get(`/api/v1/members?q=${encodeURIComponent('%')}`)
  assert.equal(r.status, 200)
  assert.ok(!r.body.items.some((x) => x.id === m.id), '% is literal, not a wildcard')
  assertError(await admin.get(`/api/v1/members?q=${'长'.repeat(51)}`.replace(/长/g, encodeURIComponent('长'))), 422, 'q')
  // the org_admin finds it too (own township); another township's admin would not
  r = await cg.get(`/api/v1/members?q=${encodeURIComponent('敖翀')}`)
  assert.ok(r.body.items.some((x) => x.id === m.id))
})

t('filters status/category/sex/education narrow the list; a bad code is 422 naming the filter', async () => {
  const b = branch2.id
  await mkMember({ org_id: b, id_number: freshId('1980-01-01', true), education: '21' })
  await mkMember({ org_id: b, id_number: freshId('1981-01-01', false), education: '31' })
  await mkMember({ org_id: b, id_number: freshId('1982-01-01', false), education: '21', category: 'probationary', joined_on: '2025-01-01' })
  await mkMember({ org_id: b, id_number: freshId('1950-01-01', true), education: '71', status: 'deceased', status_changed_on: '2024-05-01' })
  const count = async (qs) => {
    const r = await admin.get(`/api/v1/members?org_id=${b}&${qs}`)
    assert.equal(r.status, 200, `${qs}: ${JSON.stringify(r.body)}`)
    return r.body.total
  }
  assert.equal(await count(''), 4)
  assert.equal(await count('status=active'), 3)
  assert.equal(await count('status=deceased'), 1)
  assert.equal(await count('category=probationary'), 1)
  assert.equal(await count('category=full'), 3)
  assert.equal(await count('sex=2'), 2)
  assert.equal(await count('sex=1'), 2)
  assert.equal(await count('education=21'), 2)
  assert.equal(await count('education=21&sex=2'), 1)
  assert.equal(await count('education=31&sex=1'), 0)
  assert.equal(await count('category=full&status=active&sex=1'), 1)
  for (const [k, v] of [['status', 'bogus'], ['category', 'x'], ['sex', '7'], ['education', '99']]) {
    assertError(await admin.get(`/api/v1/members?org_id=${b}&${k}=${v}`), 422, k)
  }
})

t('sort=name, sort=-birth_date and sort=-id order the list; unsortable fields are 422', async () => {
  const b = branch2.id
  const byName = await listAll(admin, `/api/v1/members?org_id=${b}&sort=name`)
  const names = byName.map((x) => x.name)
  assert.deepEqual(names, [...names].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))))
  const byBirth = await listAll(admin, `/api/v1/members?org_id=${b}&sort=-birth_date`)
  const births = byBirth.map((x) => x.birth_date)
  assert.deepEqual(births, [...births].sort().reverse())
  assert.equal(births[0], '1982-01-01')
  const asc = await listAll(admin, `/api/v1/members?org_id=${b}&sort=birth_date`)
  assert.equal(asc[0].birth_date, '1950-01-01')
  const desc = await listAll(admin, `/api/v1/members?org_id=${b}&sort=-id`)
  const ids = desc.map((x) => x.id)
  assert.deepEqual(ids, [...ids].sort((x, y) => y - x))
  for (const s of ['phone', 'id_number', 'nosuch', '-work_unit']) {
    assertError(await admin.get(`/api/v1/members?org_id=${b}&sort=${s}`), 422, 'sort')
  }
})

t('paging: the list shape, pages that do not overlap, per_page over 200 is 422', async () => {
  const r = await admin.get('/api/v1/members')
  assert.equal(r.status, 200)
  assert.deepEqual(Object.keys(r.body).sort(), ['items', 'page', 'per_page', 'total'])
  assert.equal(r.body.page, 1)
  assert.equal(r.body.per_page, 20)
  assert.equal(r.body.items.length, 20)
  assert.ok(r.body.total > 16000)
  const p1 = await admin.get(`/api/v1/members?org_id=${own.id}&per_page=7&page=1`)
  const p2 = await admin.get(`/api/v1/members?org_id=${own.id}&per_page=7&page=2`)
  assert.equal(p1.body.items.length, 7)
  assert.equal(p2.body.page, 2)
  const seen = new Set([...p1.body.items, ...p2.body.items].map((x) => x.id))
  assert.equal(seen.size, 14)
  const last = Math.ceil(p1.body.total / 200)
  const tail = await admin.get(`/api/v1/members?org_id=${own.id}&per_page=200&page=${last}`)
  assert.equal(tail.body.items.length, p1.body.total - 200 * (last - 1))
  assert.equal((await admin.get(`/api/v1/members?org_id=${own.id}&per_page=200&page=${last + 1}`)).body.items.length, 0)
  for (const q of ['per_page=201', 'per_page=0', 'page=0', 'per_page=x', 'page=-2']) {
    assertError(await admin.get(`/api/v1/members?${q}`), 422, q.split('=')[0])
  }
  assertError(await admin.get('/api/v1/members?subtree=maybe'), 422, 'subtree')
  assertError(await admin.get('/api/v1/members?org_id=abc'), 422, 'org_id')
})

t('org_id with subtree=1 (default) covers the whole subtree; subtree=0 only the org itself', async () => {
  const sub = await admin.get(`/api/v1/members?org_id=${own.id}&per_page=1`)
  const sub1 = await admin.get(`/api/v1/members?org_id=${own.id}&subtree=1&per_page=1`)
  const flat = await admin.get(`/api/v1/members?org_id=${own.id}&subtree=0&per_page=1`)
  assert.equal(sub.body.total, sub1.body.total)
  assert.ok(sub.body.total > 1000, `${sub.body.total}`)
  assert.ok(flat.body.total < sub.body.total)
  const direct = await listAll(admin, `/api/v1/members?org_id=${branch.id}&subtree=0`)
  for (const x of direct) assert.equal(x.org_id, branch.id)
  // active members of the township subtree = the township's statistics total
  const act = await admin.get(`/api/v1/members?org_id=${own.id}&status=active&per_page=1`)
  assert.equal(act.body.total, (await stats(own.id)).total)
})

// ---- scope -----------------------------------------------------------------------------------------

t('org_admin: another township is 404 for lists, members, writes and sub-records', async () => {
  const m = await mkMember({ org_id: otherBranch.id, name: '外镇党员' })
  assertError(await cg.get(`/api/v1/members?org_id=${other.id}`), 404)
  assertError(await cg.get(`/api/v1/members?org_id=${otherBranch.id}&subtree=0`), 404)
  assertError(await cg.get(`/api/v1/members?org_id=${srv.rootId}`), 404)
  const unknown = await cg.get('/api/v1/members/99999999')
  const r = await cg.get(`/api/v1/members/${m.id}`)
  assertError(r, 404)
  assert.deepEqual(r.body, unknown.body, 'out of scope looks like absent')
  assertError(await cg.patch(`/api/v1/members/${m.id}`, { remarks: '越权' }), 404)
  assertError(await cg.del(`/api/v1/members/${m.id}`, { reason: '越权' }), 404)
  assertError(await cg.get(`/api/v1/members/${m.id}/records/rewards`), 404)
  assertError(await cg.post(`/api/v1/members/${m.id}/records/rewards`, { kind: '奖励', title: '越权' }), 404)
  // the org_admin's own lists never contain it
  const mine = await cg.get(`/api/v1/members?q=${encodeURIComponent('外镇党员')}`)
  assert.equal(mine.body.total, 0)
  // cannot create a member there, nor move one of its own there
  assertError(await cg.post('/api/v1/members', { name: '越权', id_number: freshId(), org_id: otherBranch.id, category: 'full' }), 422, 'org_id')
  const mineM = await mkMember({}, cg)
  assertError(await cg.patch(`/api/v1/members/${mineM.id}`, { org_id: otherBranch.id }), 422, 'org_id')
  assert.equal((await admin.get(`/api/v1/members/${mineM.id}`)).body.org_id, branch.id)
  assert.equal((await admin.get(`/api/v1/members/${m.id}`)).body.remarks, null, 'untouched')
})

// ---- sub-records ---------------------------------------------------------------------------------

t('sub-records (rewards, positions, family, abroad): create, list, patch, delete', async () => {
  const m = await mkMember({ name: '子记录' }, cg)
  const kinds = {
    rewards: [{ kind: '奖励', title: '优秀共产党员', decided_on: '2021-06-30', issuer: '中共青山县委' }, { title: '优秀党务工作者' }],
    positions: [{ title: '村委会主任', unit: '西垸村', started_on: '2018-01-01' }, { ended_on: '2021-01-01' }],
    family: [{ name: '王芳', relation: '配偶', birth_date: '1970-01-01', political_status: '群众' }, { work_unit: '青山县第一小学 教师' }],
    abroad: [{ destination: '新加坡', purpose: '探亲', left_on: '2019-02-01', returned_on: '2019-02-15' }, { purpose: '旅游' }],
  }
  for (const [kind, [body, patch]] of Object.entries(kinds)) {
    const base = `/api/v1/members/${m.id}/records/${kind}`
    const c = await cg.post(base, body)
    assert.equal(c.status, 201, `${kind}: ${JSON.stringify(c.body)}`)
    assert.ok(c.body.id > 0)
    assert.equal(c.body.member_id, m.id)
    for (const [k, v] of Object.entries(body)) assert.equal(c.body[k], v, `${kind}.${k}`)
    let l = await cg.get(base)
    assert.equal(l.status, 200)
    assert.equal(l.body.total, 1)
    assert.equal(l.body.items[0].id, c.body.id)
    const p = await cg.patch(`${base}/${c.body.id}`, patch)
    assert.equal(p.status, 200, `${kind} patch: ${JSON.stringify(p.body)}`)
    for (const [k, v] of Object.entries(patch)) assert.equal(p.body[k], v, `${kind}.${k} patched`)
    assertError(await cg.post(base, { ...body, nosuch: 1 }), 422, 'nosuch')
    assertError(await cg.patch(`${base}/${c.body.id}`, { nosuch: 1 }), 422, 'nosuch')
    const d = await cg.del(`${base}/${c.body.id}`)
    assert.equal(d.status, 200, JSON.stringify(d.body))
    l = await cg.get(base)
    assert.equal(l.body.total, 0)
    assertError(await cg.patch(`${base}/${c.body.id}`, patch), 404)
    assertError(await cg.del(`${base}/${c.body.id}`), 404)
  }
  // required fields
  assertError(await cg.post(`/api/v1/members/${m.id}/records/rewards`, { kind: '奖励' }), 422, 'title')
  assertError(await cg.post(`/api/v1/members/${m.id}/records/abroad`, { destination: '日本' }), 422, 'left_on')
  assertError(await cg.post(`/api/v1/members/${m.id}/records/family`, { name: '某', relation: '子', birth_date: '2020-02-30' }), 422, 'birth_date')
  // unknown kinds and members
  assertError(await cg.get(`/api/v1/members/${m.id}/records/salaries`), 404)
  assertError(await cg.post(`/api/v1/members/${m.id}/records/salaries`, { title: 'x' }), 404)
  assertError(await cg.get('/api/v1/members/99999999/records/rewards'), 404)
  // sub-record writes are audited
  const log = await auditLog('action=member_reward.create&actor=chengguan')
  assert.ok(log.some((e) => e.after && e.after.title === '优秀共产党员'), 'member_reward.create audited')
})

t('a sub-record is reached only through its own member', async () => {
  const a = await mkMember({ name: '甲记录' })
  const b = await mkMember({ name: '乙记录' })
  const rec = await admin.post(`/api/v1/members/${b.id}/records/rewards`, { kind: '奖励', title: '乙的奖励' })
  assert.equal(rec.status, 201)
  const wrong = await admin.patch(`/api/v1/members/${a.id}/records/rewards/${rec.body.id}`, { title: '改到甲名下' })
  assertError(wrong, 404)
  assert.equal((await admin.get(`/api/v1/members/${b.id}/records/rewards`)).body.items[0].title, '乙的奖励')
  // the list of a's records never shows b's
  const la = await admin.get(`/api/v1/members/${a.id}/records/rewards`)
  assert.equal(la.body.total, 0)
  const wrongDel = await admin.del(`/api/v1/members/${a.id}/records/rewards/${rec.body.id}`)
  assertError(wrongDel, 404)
  assert.equal((await admin.get(`/api/v1/members/${b.id}/records/rewards`)).body.total, 1, 'b still has its record')
})

// ---- the member role ---------------------------------------------------------------------------

t('a member (dangyuan) sees only their own record, and every write is 403', async () => {
  const me = dy.user.member_id
  assert.ok(me > 0, 'the member account is linked to a register entry')
  const l = await dy.get('/api/v1/members')
  assert.equal(l.status, 200)
  assert.equal(l.body.total, 1)
  assert.deepEqual(l.body.items.map((x) => x.id), [me])
  assert.match(l.body.items[0].id_number, MASK_ID)
  assert.equal((await dy.get(`/api/v1/members?org_id=${own.id}`)).body.total, 1)
  assert.equal((await dy.get(`/api/v1/members?q=${encodeURIComponent('敖翀')}`)).body.total, 0)
  const g = await dy.get(`/api/v1/members/${me}`)
  assert.equal(g.status, 200)
  assert.equal(g.body.id, me)
  const someone = (await admin.get(`/api/v1/members?org_id=${own.id}&per_page=5`)).body.items.find((x) => x.id !== me)
  assertError(await dy.get(`/api/v1/members/${someone.id}`), 404)
  assertError(await dy.get(`/api/v1/members/${someone.id}/records/rewards`), 404)
  assert.equal((await dy.get(`/api/v1/members/${me}/records/rewards`)).status, 200)
  const writes = [
    dy.post('/api/v1/members', { name: '自建', id_number: freshId(), org_id: own.id, category: 'full' }),
    dy.patch(`/api/v1/members/${me}`, { remarks: '自改' }),
    dy.del(`/api/v1/members/${me}`, { reason: '自删' }),
    dy.post(`/api/v1/members/${me}/records/rewards`, { kind: '奖励', title: '自评' }),
    dy.patch(`/api/v1/members/${me}/records/rewards/1`, { title: 'x' }),
    dy.del(`/api/v1/members/${me}/records/rewards/1`),
  ]
  for (const r of await Promise.all(writes)) {
    assertError(r, 403)
    assert.equal(r.body.error.code, 'forbidden')
  }
  const d = await dash(dy)
  assert.equal(d.self_only, true)
  assert.equal(d.member_id, me)
  assert.ok(!('members_total' in d))
})

// ---- pre-aggregated counts -----------------------------------------------------------------------

/** Counts of the active members by category, by paging the whole list of a scope. */
async function countByPaging(c, orgId) {
  const items = await listAll(c, `/api/v1/members?org_id=${orgId}`)
  const active = items.filter((x) => x.status === 'active')
  return {
    total: active.length,
    full: active.filter((x) => x.category === 'full').length,
    probationary: active.filter((x) => x.category === 'probationary').length,
  }
}

async function assertCountsConsistent(label) {
  const d = await dash(cg)
  const paged = await countByPaging(cg, own.id)
  assert.equal(d.members_full, paged.full, `${label}: 城关镇 dashboard members_full vs paging`)
  assert.equal(d.members_probationary, paged.probationary, `${label}: members_probationary vs paging`)
  assert.equal(d.members_total, paged.total, `${label}: members_total vs paging`)
  const st = await stats(own.id)
  assert.equal(st.total, d.members_total, `${label}: stats total vs dashboard`)
  assert.equal(st.by_category.full, d.members_full)
  // the county dashboard equals the root statistics, and the sum of the townships' figures
  const county = await dash()
  const root = await stats(srv.rootId)
  assert.equal(county.members_total, root.total, `${label}: county dashboard vs root stats`)
  assert.equal(county.members_full, root.by_category.full)
  assert.equal(county.members_probationary, root.by_category.probationary)
  const full = await admin.get('/api/v1/members?status=active&category=full&per_page=1')
  const prob = await admin.get('/api/v1/members?status=active&category=probationary&per_page=1')
  assert.equal(county.members_full, full.body.total, `${label}: county full vs list total`)
  assert.equal(county.members_probationary, prob.body.total, `${label}: county probationary vs list total`)
  return { d, county }
}

t('dashboard members_total equals the root statistics and the sum over the townships', async () => {
  const county = await dash()
  const root = await stats(srv.rootId)
  assert.equal(county.members_total, root.total)
  assert.equal(county.members_total, county.members_full + county.members_probationary)
  const towns = (await admin.get(`/api/v1/orgs/${srv.rootId}/children?per_page=200`)).body.items
  let sum = 0
  for (const o of towns) sum += (await stats(o.id)).total
  const direct = await admin.get(`/api/v1/members?org_id=${srv.rootId}&subtree=0&status=active&per_page=1`)
  assert.equal(sum + direct.body.total, root.total, 'children subtrees + members directly at the root')
})

t('pre-aggregated counts follow create, category change, status change, move and delete', async () => {
  let { d, county } = await assertCountsConsistent('start')
  // create: +1
  const m = await mkMember({ category: 'probationary', joined_on: daysAgo(400) }, cg)
  let now = await assertCountsConsistent('after create')
  assert.equal(now.d.members_total, d.members_total + 1)
  assert.equal(now.d.members_probationary, d.members_probationary + 1)
  assert.equal(now.county.members_total, county.members_total + 1)
  // conversion (category change): total unchanged, full +1, probationary −1
  let r = await cg.patch(`/api/v1/members/${m.id}`, { category: 'full', converted_on: daysAgo(35) })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  now = await assertCountsConsistent('after category change')
  assert.equal(now.d.members_total, d.members_total + 1)
  assert.equal(now.d.members_full, d.members_full + 1)
  assert.equal(now.d.members_probationary, d.members_probationary)
  // status change: a deceased member is not counted
  r = await cg.patch(`/api/v1/members/${m.id}`, { status: 'deceased', status_changed_on: daysAgo(5) })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  now = await assertCountsConsistent('after status change')
  assert.equal(now.d.members_total, d.members_total)
  r = await cg.patch(`/api/v1/members/${m.id}`, { status: 'active' })
  assert.equal(r.status, 200)
  now = await assertCountsConsistent('after status back')
  assert.equal(now.d.members_total, d.members_total + 1)
  // move to the other township (admin): 城关镇 −1, the other township +1, the county unchanged
  const o0 = await stats(other.id)
  const b0 = await stats(branch.id)
  r = await admin.patch(`/api/v1/members/${m.id}`, { org_id: otherBranch.id })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.org_id, otherBranch.id)
  now = await assertCountsConsistent('after move')
  assert.equal(now.d.members_total, d.members_total)
  assert.equal(now.county.members_total, county.members_total + 1)
  assert.equal((await stats(other.id)).total, o0.total + 1)
  assert.equal((await stats(branch.id)).total, b0.total - 1)
  assertError(await cg.get(`/api/v1/members/${m.id}`), 404, undefined)
  // and back, then delete: everything returns to the start
  r = await admin.patch(`/api/v1/members/${m.id}`, { org_id: branch.id })
  assert.equal(r.status, 200)
  r = await cg.del(`/api/v1/members/${m.id}`, { reason: '测试完毕' })
  assert.equal(r.status, 200)
  now = await assertCountsConsistent('after delete')
  assert.equal(now.d.members_total, d.members_total)
  assert.equal(now.d.members_full, d.members_full)
  assert.equal(now.county.members_total, county.members_total)
  assert.equal((await stats(other.id)).total, o0.total)
})
