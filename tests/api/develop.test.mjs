// develop.test.mjs — the 时间线审核 endpoint on the worked timeline of RULES.md §4.2, dev-2014 vs dev-2026,
// a case refused on a DEV rule and overridden by an admin, and the PDF documents' Chinese text (pdftotext).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer, session, api, tempDir } from '../lib/server.mjs'

let srv, admin, chengguan
before(async () => {
  srv = await startServer({ demo: true })
  admin = await session(srv.base, 'admin')
  chengguan = await session(srv.base, 'chengguan')
})
after(async () => { await srv?.stop() })

// GB 11643 MOD 11-2 check character for 17 digits.
const withCheck = (d17) => {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...d17].reduce((a, c, i) => a + Number(c) * w[i], 0)
  return d17 + '10X98765432'[sum % 11]
}
const check = (s, body) => api(srv.base, 'POST', '/api/v1/rules/develop/check', { ...s, body })
const rules = (res) => res.body.findings.map((f) => f.rule)

test('worked timeline (2014): talk overdue, target a day early, deadlines as written', async () => {
  const r = await check(admin, {
    rule_set: 'dev-2014', applied_on: '2025-01-15', talked_on: '2025-02-16', activist_on: '2025-03-10',
    target_on: '2026-03-09', admitted_on: '2026-06-20', approved_on: '2027-01-01', converted_on: '2027-08-01',
  })
  assert.equal(r.status, 200)
  const d = r.body.deadlines
  assert.equal(d.talk_by, '2025-02-15')
  assert.deepEqual(d.assessments, ['2025-09-10', '2026-03-10'])
  assert.equal(d.earliest_target_on, '2026-03-10')
  assert.equal(d.approval_by, '2026-09-20')
  assert.equal(d.approval_max, '2026-12-20')
  assert.equal(d.probation_end, '2027-06-20')
  assert.equal(d.conversion_date, '2027-06-20')
  for (const rule of ['DEV-A3', 'DEV-C1', 'DEV-D7', 'DEV-T6']) assert.ok(rules(r).includes(rule), rule)
  for (const f of r.body.findings) {
    assert.equal(f.version, 'dev-2014')
    assert.match(f.message, /[\u4e00-\u9fff]/)
  }
})

test('training and extension boundaries; bad input names the field', async () => {
  assert.ok(rules(await check(admin, { training_days: 2, training_hours: 16 })).includes('DEV-C4'))
  assert.ok(!rules(await check(admin, { training_days: 3, training_hours: 20 })).includes('DEV-C4'))
  assert.ok(!rules(await check(admin, { training_days: 2, training_hours: 24 })).includes('DEV-C4'))
  const ok6 = await check(admin, { admitted_on: '2026-06-20', extended_months: 6 })
  assert.ok(!rules(ok6).includes('DEV-T2'))
  assert.equal(ok6.body.deadlines.probation_end, '2026-12-20'.replace('2026-12', '2027-12'))
  assert.ok(rules(await check(admin, { admitted_on: '2026-06-20', extended_months: 13 })).includes('DEV-T2'))
  const bad = await check(admin, { applied_on: '2025-02-30' })
  assert.equal(bad.status, 422)
  assert.equal(bad.body.error.field, 'applied_on')
  const unk = await check(admin, { applied: '2025-01-01' })
  assert.equal(unk.status, 422)
  assert.equal(unk.body.error.field, 'applied')
})

test('dev-2026 applies to steps dated from the switch date (DEV-D4) unless a set is named', async () => {
  const late = await check(admin, { prereviewed_on: '2026-06-01', admitted_on: '2026-07-15' })
  assert.ok(rules(late).includes('DEV-D4'))
  assert.equal(late.body.findings.find((f) => f.rule === 'DEV-D4').version, 'dev-2026')
  const old = await check(admin, { rule_set: 'dev-2014', prereviewed_on: '2026-06-01', admitted_on: '2026-07-15' })
  assert.ok(!rules(old).includes('DEV-D4'))
})

test('a case step that breaks a DEV rule is refused; org_admin cannot override; admin can, audited', async () => {
  const mk = await api(srv.base, 'POST', '/api/v1/dev/cases', {
    ...chengguan, body: { org_id: 3, name: '测试申请人', id_number: '34052419800101001X', applied_on: '2025-01-15' },
  })
  assert.equal(mk.status, 201, JSON.stringify(mk.body))
  const id = mk.body.id
  assert.equal(mk.body.stage, 'applicant')
  const late = await api(srv.base, 'POST', `/api/v1/dev/cases/${id}/steps`, { ...chengguan, body: { step: 2, done_on: '2025-02-16' } })
  assert.equal(late.status, 422)
  assert.match(late.body.error.message, /DEV-A3/)
  const over = await api(srv.base, 'POST', `/api/v1/dev/cases/${id}/steps`, {
    ...chengguan, body: { step: 2, done_on: '2025-02-16', override_reason: '外出' },
  })
  assert.equal(over.status, 403)
  const ok = await api(srv.base, 'POST', `/api/v1/dev/cases/${id}/steps`, {
    ...admin, body: { step: 2, done_on: '2025-02-16', override_reason: '申请人外出务工，回乡后当面谈话' },
  })
  assert.equal(ok.status, 201, JSON.stringify(ok.body))
  const s2 = ok.body.steps.find((s) => s.step === 2)
  assert.equal(s2.override_reason, '申请人外出务工，回乡后当面谈话')
  assert.equal(s2.rule_set, 'dev-2014')
  // skipping the order (step 7 before 3) is refused
  const skip = await api(srv.base, 'POST', `/api/v1/dev/cases/${id}/steps`, { ...admin, body: { step: 7, done_on: '2026-03-10' } })
  assert.equal(skip.status, 422)
  // under 18 cannot apply (DEV-A1)
  const young = await api(srv.base, 'POST', '/api/v1/dev/cases', {
    ...admin, body: { org_id: 3, name: '少年', id_number: withCheck('11010520100101003'), applied_on: '2025-01-15' },
  })
  assert.equal(young.status, 422)
  assert.equal(young.body.error.field, 'applied_on')
  assert.match(young.body.error.message, /DEV-A1/)
})

test('documents: JSON paragraphs by stage and a PDF whose Chinese text pdftotext can read', async () => {
  const list = await api(srv.base, 'GET', '/api/v1/dev/cases?q=测试申请人', admin)
  const id = list.body.items[0].id
  await api(srv.base, 'POST', `/api/v1/dev/cases/${id}/steps`, { ...admin, body: { step: 3, done_on: '2025-03-10' } })
  const docs = await api(srv.base, 'GET', `/api/v1/dev/cases/${id}/documents`, admin)
  assert.equal(docs.status, 200)
  assert.ok(docs.body.items.some((d) => d.stage === 1 && d.title === '入党申请人登记表'))
  assert.ok(docs.body.items.some((d) => d.stage === 2))
  const res = await fetch(`${srv.base}/api/v1/dev/cases/${id}/documents.pdf`, { headers: { Cookie: admin.cookie } })
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-type'), 'application/pdf')
  const dir = tempDir('dj-pdf-')
  const pdf = join(dir, 'd.pdf')
  writeFileSync(pdf, Buffer.from(await res.arrayBuffer()))
  const text = execFileSync('pdftotext', [pdf, '-'], { encoding: 'utf8' })
  assert.match(text, /入党申请人登记表/)
  assert.match(text, /测试申请人/)
  assert.match(text, /镇机关第一党支部/)
  assert.match(text, /确定入党积极分子/)
})

test('S-5 calendar: 公示 working days follow holidays and 调休; a year without a calendar is provisional', async () => {
  const body = { rule_set: 'dev-2026', activist_on: '2025-06-01', target_on: '2026-10-12', publicized_from: '2026-09-28', publicized_to: '2026-10-09' }
  const before = await check(admin, body)
  assert.ok(!rules(before).includes('DEV-C1'), 'ten weekdays are enough without a calendar')
  // National Day: 10-01..10-08 off in this test's calendar; 09-27 and 10-10 worked
  for (let d = 1; d <= 8; d++) {
    const r = await api(srv.base, 'PUT', '/api/v1/calendar', { ...admin, body: { day: `2026-10-0${d}`, kind: 'holiday', name: '国庆节' } })
    assert.equal(r.status, 200)
  }
  const org = await api(srv.base, 'PUT', '/api/v1/calendar', { ...chengguan, body: { day: '2026-10-09', kind: 'holiday' } })
  assert.equal(org.status, 403)
  const after = await check(admin, body)
  const f = after.body.findings.find((x) => x.rule === 'DEV-C1')
  assert.ok(f, 'only 09-28..09-30 and 10-09 are working days now')
  assert.match(f.message, /按节假日日历计/)
  const cal = await api(srv.base, 'GET', '/api/v1/calendar?year=2026', admin)
  assert.equal(cal.body.total, 8)
  const other = await check(admin, { ...body, activist_on: '2024-01-01', target_on: '2025-03-10', publicized_from: '2025-03-03', publicized_to: '2025-03-04' })
  assert.match(other.body.findings.find((x) => x.rule === 'DEV-C1' && /公示/.test(x.message)).message, /暂定/)
})

test('mobile members: registration sets the flag, contacts are recorded, a 6-month silence is a finding', async () => {
  const list = await api(srv.base, 'GET', '/api/v1/members?org_id=3&subtree=0&per_page=1', chengguan)
  const id = list.body.items[0].id
  const mk = await api(srv.base, 'POST', `/api/v1/members/${id}/mobility`, {
    ...chengguan, body: { direction: 'out', place: '广东省深圳市', reason: '外出务工', since: '2025-01-10' },
  })
  assert.equal(mk.status, 201, JSON.stringify(mk.body))
  const rec = mk.body.items[0]
  assert.equal(rec.place, '广东省深圳市')
  const m = await api(srv.base, 'GET', `/api/v1/members/${id}`, chengguan)
  assert.equal(m.body.is_mobile, true)
  let f = await api(srv.base, 'GET', '/api/v1/findings?rule=MOB-1&per_page=200', chengguan)
  assert.ok(f.body.items.some((x) => x.member_id === id && x.severity === 'error'))
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10)
  const c = await api(srv.base, 'POST', `/api/v1/members/${id}/mobility/${rec.id}`, { ...chengguan, body: { contact_on: today } })
  assert.equal(c.status, 200)
  f = await api(srv.base, 'GET', '/api/v1/findings?rule=MOB-1&per_page=200', chengguan)
  assert.ok(!f.body.items.some((x) => x.member_id === id))
  const bad = await api(srv.base, 'POST', `/api/v1/members/${id}/mobility`, { ...chengguan, body: { direction: 'sideways', place: 'x', since: '2025-01-01' } })
  assert.equal(bad.status, 422)
  assert.equal(bad.body.error.field, 'direction')
  const end = await api(srv.base, 'POST', `/api/v1/members/${id}/mobility/${rec.id}`, { ...chengguan, body: { ended_on: today } })
  assert.equal(end.status, 200)
  assert.equal((await api(srv.base, 'GET', `/api/v1/members/${id}`, chengguan)).body.is_mobile, false)
})
