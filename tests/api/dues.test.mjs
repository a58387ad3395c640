// dues.test.mjs — the party dues ledger (党费, RULES.md §6): every fee vector of §6 through the
// monthly bills (FEE-2, FEE-5, FEE-6, FEE-16 settings), base history and FEE-9 policy, the first
// month from admission (FEE-10), payments with 补交 ≤ 6 months and 代缴 with consent (FEE-11),
// voluntary extras and the remit flag (FEE-8), the refusal of payments by an organization (FEE-14),
// approved exemptions (FEE-7), cycles with closing and the admin-only change of a closed month
// (audited before/after), bulk payment, the payments import (dry run with bad rows), arrears
// findings at 3 and 6 months (FEE-11, FEE-12 — never a status change), totals that add up across
// the demo county's tree, exports, scope (404 outside the subtree) and the member's own view.
// Runs on the demo county; the counted tests use fresh branches under 城关镇.
import { before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, serverTest, session, errorShapeProblem, hasChinese } from '../lib/server.mjs'
import { idNumber, unzip, xlsxFromRows } from '../lib/xlsx.mjs'

let srv
let admin // county admin
let cg // chengguan: org_admin of 城关镇
let dy // dangyuan: member account
let aud // auditor
let own // 城关镇
let other // another township
let A // fresh branch under 城关镇, FEE-9 switched to "from the month pay changes"
let B // fresh branch under 城关镇, default policy (annual fixing)
let C // fresh branch under 城关镇 for bulk payment and import
let X // fresh branch under the other township
const t = serverTest(() => srv)

// ---- months in the server's calendar (+08:00) -------------------------------------------------------

const now = new Date(Date.now() + 8 * 3600e3)
const TODAY = now.toISOString().slice(0, 10)
const MI = now.getUTCFullYear() * 12 + now.getUTCMonth()
/** The month k months from now, "YYYY-MM". */
const month = (k = 0) => {
  const x = MI + k
  return `${Math.floor(x / 12)}-${String((x % 12) + 1).padStart(2, '0')}`
}
const CUR = month(0)
const JAN = `${CUR.slice(0, 4)}-01`

// ---- helpers ----------------------------------------------------------------------------------------

const REGION = '510104' // this file's 身份证号 (the demo county uses 42xxxx, members.test 320102)
let serial = 0
const freshId = (birth = '1980-06-15') => idNumber(REGION, birth, (++serial % 500) * 2 + 1)

function assertError(r, status, field) {
  assert.equal(r.status, status, JSON.stringify(r.body))
  assert.equal(errorShapeProblem(r.body), null, errorShapeProblem(r.body))
  if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body))
  assert.ok(hasChinese(r.body.error.message), r.body.error.message)
}

async function mkOrg(parent, name) {
  const r = await admin.post('/api/v1/orgs', { parent_id: parent, name, kind: 'branch', sector: 'government' })
  assert.equal(r.status, 201, JSON.stringify(r.body))
  return r.body
}

/** A member of org (default: a full member admitted in 2005); returns {id, id_number, name}. */
async function mkMember(org, extra = {}) {
  const body = { name: '党费测试', id_number: freshId(), org_id: org.id, category: 'full', joined_on: '2005-07-01',
    converted_on: '2006-07-01', ...extra }
  if (body.category === 'probationary') delete body.converted_on
  const r = await admin.post('/api/v1/members', body)
  assert.equal(r.status, 201, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`)
  return { id: r.body.id, id_number: body.id_number, name: body.name }
}

async function setBase(m, body, c = admin, status = 201) {
  const r = await c.post(`/api/v1/members/${m.id}/dues/bases`, body)
  assert.equal(r.status, status, JSON.stringify(r.body))
  return r.body
}

async function ledger(m, c = admin, qs = '') {
  const r = await c.get(`/api/v1/members/${m.id}/dues${qs}`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  return r.body
}
const billOf = (l, mo) => l.bills.find((b) => b.month === mo)

async function pay(m, body, c = admin, status = 201) {
  const r = await c.post(`/api/v1/members/${m.id}/dues/payments`, { method: 'cash', ...body })
  if (status) assert.equal(r.status, status, JSON.stringify(r.body))
  return r
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

before(async () => {
  srv = await startServer({ demo: true })
  admin = await session(srv.base, 'admin')
  cg = await session(srv.base, 'chengguan')
  dy = await session(srv.base, 'dangyuan')
  aud = await session(srv.base, 'auditor')
  const towns = (await admin.get(`/api/v1/orgs/${srv.rootId}/children?per_page=200`)).body.items
  own = towns.find((o) => o.id === cg.user.org_id)
  other = towns.find((o) => o.id !== own.id && /镇委员会$/.test(o.name))
  A = await mkOrg(own.id, '党费测试第一党支部')
  B = await mkOrg(own.id, '党费测试第二党支部')
  C = await mkOrg(own.id, '党费测试第三党支部')
  X = await mkOrg(other.id, '党费测试外镇党支部')
  // Branch A follows FEE-9's older rule (new base from the month pay changes) and a farmer rate of 0.50 元.
  for (const [rule, param, value] of [['FEE-9', 'annual', 0], ['FEE-6', 'farmer_fen', 50]]) {
    const r = await admin.put('/api/v1/rules/params', { org_id: A.id, rule, param, value, note: '党费测试' })
    assert.equal(r.status, 200, JSON.stringify(r.body))
  }
})
after(async () => {
  if (!srv) return
  assert.equal(await srv.stop(), 0)
  srv.assertClean()
})

// ---- FEE-2 … FEE-6 through the bills -----------------------------------------------------------------

const EMPLOYED = [
  ['0', 0], ['2999.99', 1500], ['3000', 1500], ['3000.01', 3000], ['4500', 4500], ['5000', 5000],
  ['5000.01', 7500], ['8000', 12000], ['10000', 15000], ['10000.01', 20000], ['12345.67', 24691],
]
const RETIRED = [['3000', 1500], ['5000', 2500], ['5000.01', 5000], ['6200', 6200]]
const fen = (yuan) => Math.round(Number(yuan) * 100)

t('every RULES.md §6 employed vector: one base a month (FEE-9 monthly policy), each month billed as the table says', async () => {
  const m = await mkMember(A, { name: '在职向量' })
  const n = EMPLOYED.length
  for (let i = 0; i < n; i++) {
    const b = await setBase(m, { category: 'employed', base_fen: fen(EMPLOYED[i][0]), effective_month: month(i - n + 1) })
    assert.equal(b.policy, 'monthly')
    assert.equal(b.effective_month, month(i - n + 1), 'the monthly policy keeps the month')
    assert.equal(b.normalized, false)
  }
  const l = await ledger(m, admin, `?from=${month(-n + 1)}&to=${CUR}`)
  for (let i = 0; i < n; i++) {
    const bill = billOf(l, month(i - n + 1))
    assert.ok(bill, `bill for ${month(i - n + 1)}`)
    assert.equal(bill.base_fen, fen(EMPLOYED[i][0]))
    assert.equal(bill.amount_fen, EMPLOYED[i][1], `base ${EMPLOYED[i][0]} → ${EMPLOYED[i][1]} 分: ${JSON.stringify(bill)}`)
    assert.equal(bill.rule, 'FEE-2')
    assert.ok(hasChinese(bill.explanation))
  }
  assert.equal(billOf(l, month(-n + 1)).status, 'none', 'a base of 0 owes nothing')
  // The base history keeps who set each base and when.
  const h = await admin.get(`/api/v1/members/${m.id}/dues/bases`)
  assert.equal(h.status, 200)
  assert.equal(h.body.total, n)
  assert.equal(h.body.items[0].effective_month, CUR)
  assert.equal(h.body.items[0].in_force, true)
  assert.equal(h.body.items[0].set_by, 'admin')
  assert.match(h.body.items[0].set_at, /^\d{4}-\d\d-\d\dT/)
})

t('retired vectors (FEE-5), student 0.20 and the farmer rate set for the subtree (FEE-6)', async () => {
  const r = await mkMember(A, { name: '离退休向量' })
  for (let i = 0; i < RETIRED.length; i++)
    await setBase(r, { category: 'retired', base_fen: fen(RETIRED[i][0]), effective_month: month(i - RETIRED.length + 1) })
  const l = await ledger(r)
  for (let i = 0; i < RETIRED.length; i++) {
    const bill = billOf(l, month(i - RETIRED.length + 1))
    assert.equal(bill.amount_fen, RETIRED[i][1], `retired ${RETIRED[i][0]}`)
    assert.equal(bill.rule, 'FEE-5')
  }
  const s = await mkMember(A, { name: '学生党员' })
  await setBase(s, { category: 'student', effective_month: CUR })
  assert.equal(billOf(await ledger(s), CUR).amount_fen, 20)
  const f = await mkMember(A, { name: '农民党员' })
  await setBase(f, { category: 'farmer', effective_month: CUR })
  const fb = billOf(await ledger(f), CUR)
  assert.equal(fb.amount_fen, 50, 'branch A set FEE-6 farmer_fen = 50')
  assert.equal(fb.rule, 'FEE-6')
  // The same category in a branch without the setting pays the default 0.20.
  const g = await mkMember(B, { name: '农民党员乙' })
  await setBase(g, { category: 'farmer' })
  assert.equal(billOf(await ledger(g), CUR).amount_fen, 20)
})

t('FEE-9 default (annual fixing): a base applies from January of its year; bases are validated with 422 naming the field', async () => {
  const m = await mkMember(B, { name: '按年核定' })
  const b = await setBase(m, { category: 'employed', base_fen: 450000, effective_month: CUR })
  assert.equal(b.policy, 'annual')
  assert.equal(b.effective_month, JAN)
  assert.equal(b.normalized, CUR !== JAN)
  const l = await ledger(m)
  assert.equal(billOf(l, JAN).amount_fen, 4500)
  assert.equal(billOf(l, CUR).amount_fen, 4500)
  assert.equal(l.current_base.base_fen, 450000)
  assertError(await admin.post(`/api/v1/members/${m.id}/dues/bases`, { base_fen: 1 }), 422, 'category')
  assertError(await admin.post(`/api/v1/members/${m.id}/dues/bases`, { category: 'boss', base_fen: 1 }), 422, 'category')
  assertError(await admin.post(`/api/v1/members/${m.id}/dues/bases`, { category: 'employed' }), 422, 'base_fen')
  assertError(await admin.post(`/api/v1/members/${m.id}/dues/bases`, { category: 'farmer', base_fen: 300000 }), 422, 'base_fen')
  assertError(await admin.post(`/api/v1/members/${m.id}/dues/bases`, { category: 'employed', base_fen: -1 }), 422, 'base_fen')
  assertError(await admin.post(`/api/v1/members/${m.id}/dues/bases`, { category: 'employed', base_fen: 1, effective_month: '2026-13' }), 422, 'effective_month')
  assertError(await admin.post(`/api/v1/members/${m.id}/dues/bases`, { category: 'employed', base_fen: 1, salary: 2 }), 422, 'salary')
})

t('FEE-10: a 预备党员 admitted on the 18th owes from that month, not before', async () => {
  const joined = `${month(-2)}-18`
  const m = await mkMember(B, { name: '预备党员', category: 'probationary', joined_on: joined })
  await setBase(m, { category: 'employed', base_fen: 300000, effective_month: month(-8) })
  const l = await ledger(m)
  const months = l.bills.map((b) => b.month).sort()
  assert.equal(months[0], month(-2), JSON.stringify(months))
  assert.deepEqual(months, [month(-2), month(-1), CUR])
  assert.ok(l.bills.every((b) => b.amount_fen === 1500))
})

// ---- payments -------------------------------------------------------------------------------------

t('paying a month: paid in full, a second payment is 409, the bill and the cycle agree', async () => {
  const m = await mkMember(A, { name: '按月交纳' })
  await setBase(m, { category: 'employed', base_fen: 450000, effective_month: month(-2) })
  const r = await pay(m, { month: CUR, amount_fen: 4500, paid_on: TODAY, method: 'online' })
  assert.ok(r.body.id > 0)
  assert.equal(r.body.kind, 'dues')
  assert.equal(r.body.bill.status, 'paid')
  assert.equal(r.body.bill.outstanding_fen, 0)
  assertError(await pay(m, { month: CUR, amount_fen: 100 }, admin, 0), 409, 'month')
  // A partial payment, then the rest.
  const p1 = await pay(m, { month: month(-1), amount_fen: 2000 })
  assert.equal(p1.body.bill.status, 'partial')
  const p2 = await pay(m, { month: month(-1), amount_fen: 2500 })
  assert.equal(p2.body.bill.status, 'paid')
  assert.equal(p2.body.kind, 'back_payment', 'paid after its month: 补交')
  // A wrong entry is voided with a reason (soft delete, audited); the bill follows.
  assertError(await admin.del(`/api/v1/members/${m.id}/dues/payments/${p1.body.id}`, {}), 422, 'reason')
  const v = await admin.del(`/api/v1/members/${m.id}/dues/payments/${p1.body.id}`, { reason: '重复登记' })
  assert.equal(v.status, 200, JSON.stringify(v.body))
  assert.equal(billOf(await ledger(m), month(-1)).status, 'partial')
  assertError(await admin.del(`/api/v1/members/${m.id}/dues/payments/${p1.body.id}`, { reason: '再次作废' }), 404)
  await pay(m, { month: month(-1), amount_fen: 2000 })
  const cycles = await admin.get(`/api/v1/dues/cycles?org_id=${A.id}&subtree=0&month=${CUR}`)
  assert.equal(cycles.status, 200)
  assert.equal(cycles.body.total, 1)
  const cyc = cycles.body.items[0]
  const grid = await admin.get(`/api/v1/dues/grid?org_id=${A.id}&year=${CUR.slice(0, 4)}`)
  assert.equal(grid.status, 200)
  const tot = grid.body.totals.find((x) => x.month === CUR)
  assert.equal(cyc.due_fen, tot.due_fen, 'cycle 应交 = sum of the bills')
  assert.equal(cyc.paid_fen, tot.paid_fen, 'cycle 实交 = sum of the bills')
  assert.equal(cyc.unpaid_fen, cyc.due_fen - cyc.paid_fen)
  assert.equal(cyc.status, 'collecting')
})

t('FEE-11: 补交 of 6 months back is accepted, 7 months back is 422; no paying ahead', async () => {
  const m = await mkMember(A, { name: '补交' })
  await setBase(m, { category: 'employed', base_fen: 300000, effective_month: month(-9) })
  const ok = await pay(m, { month: month(-6), amount_fen: 1500, paid_on: TODAY })
  assert.equal(ok.body.kind, 'back_payment')
  assert.equal(ok.body.kind_label, '补交')
  const late = await pay(m, { month: month(-7), amount_fen: 1500, paid_on: TODAY }, admin, 0)
  assertError(late, 422, 'month')
  assert.match(late.body.error.message, /FEE-11/)
  assert.match(late.body.error.message, /6 个月/)
  // The window counts from the payment date: paid on in month −1, month −7 is within 6.
  await pay(m, { month: month(-7), amount_fen: 1500, paid_on: `${month(-1)}-10` })
  assertError(await pay(m, { month: month(1), amount_fen: 1500 }, admin, 0), 422, 'month')
  assertError(await pay(m, { month: month(-2), amount_fen: 1500, paid_on: '2999-01-01' }, admin, 0), 422, 'paid_on')
  assertError(await pay(m, { month: month(-2), amount_fen: 0 }, admin, 0), 422, 'amount_fen')
  assertError(await pay(m, { month: month(-2), amount_fen: 100, method: 'cheque' }, admin, 0), 422, 'method')
})

t('FEE-14: a payment by an organization (垫交) or by deduction (扣缴) is refused with the rule named', async () => {
  const m = await mkMember(A, { name: '不得垫交' })
  await setBase(m, { category: 'employed', base_fen: 300000, effective_month: CUR })
  const r1 = await pay(m, { month: CUR, amount_fen: 1500, payer: 'org' }, admin, 0)
  assertError(r1, 422, 'payer')
  assert.match(r1.body.error.message, /FEE-14/)
  const r2 = await pay(m, { month: CUR, amount_fen: 1500, payer_org_id: A.id }, admin, 0)
  assertError(r2, 422, 'payer_org_id')
  assert.match(r2.body.error.message, /FEE-14/)
  const r3 = await pay(m, { month: CUR, amount_fen: 1500, method: 'deduction' }, admin, 0)
  assertError(r3, 422, 'method')
  assert.match(r3.body.error.message, /FEE-14/)
  assert.equal(billOf(await ledger(m), CUR).paid_fen, 0, 'nothing was recorded')
})

t('FEE-11 代缴: another member may pay with the branch consent, never without it', async () => {
  const m = await mkMember(A, { name: '委托代缴' })
  const p = await mkMember(A, { name: '代缴人' })
  await setBase(m, { category: 'retired', base_fen: 300000, effective_month: CUR })
  assertError(await pay(m, { month: CUR, amount_fen: 1500, payer: 'member', payer_member_id: p.id }, admin, 0), 422, 'consent')
  assertError(await pay(m, { month: CUR, amount_fen: 1500, payer: 'member', payer_member_id: m.id, consent: true }, admin, 0),
    422, 'payer_member_id')
  const ok = await pay(m, { month: CUR, amount_fen: 1500, payer: 'member', payer_member_id: p.id, consent: true })
  assert.equal(ok.body.payer, 'member')
  assert.equal(ok.body.payer_member_id, p.id)
  const l = await ledger(m)
  assert.equal(l.payments[0].payer_name, '代缴人')
  assert.equal(l.payments[0].consent, true)
})

t('FEE-8: voluntary extras; a single extra of 1000 元 or more is flagged "remit to the Centre"; overpaying splits', async () => {
  const m = await mkMember(A, { name: '自愿多交' })
  await setBase(m, { category: 'employed', base_fen: 300000, effective_month: CUR })
  const small = await pay(m, { kind: 'voluntary', amount_fen: 99999 })
  assert.equal(small.body.kind, 'voluntary')
  assert.equal(small.body.remit_central, false)
  const big = await pay(m, { kind: 'voluntary', amount_fen: 100000 })
  assert.equal(big.body.remit_central, true)
  assert.match(big.body.remit_note, /FEE-8/)
  assert.equal(billOf(await ledger(m), CUR).paid_fen, 0, 'voluntary money does not pay the month')
  const split = await pay(m, { month: CUR, amount_fen: 1500 + 150000 })
  assert.equal(split.body.amount_fen, 1500)
  assert.equal(split.body.bill.status, 'paid')
  assert.equal(split.body.extra.amount_fen, 150000)
  assert.equal(split.body.extra.remit_central, true)
  const l = await ledger(m)
  assert.equal(l.totals.voluntary_fen, 99999 + 100000 + 150000)
  const rep = await admin.get(`/api/v1/dues/report?org_id=${own.id}&year=${CUR.slice(0, 4)}`)
  assert.ok(rep.body.remit_central_fen >= 250000, JSON.stringify(rep.body.remit_central_fen))
})

t('FEE-7: an approved exemption makes the months free, a reduction lowers them; approval is required', async () => {
  const m = await mkMember(A, { name: '困难党员' })
  await setBase(m, { category: 'employed', base_fen: 600000, effective_month: month(-3) })
  assertError(await admin.post(`/api/v1/members/${m.id}/dues/exemptions`, {
    from_month: month(-1), to_month: CUR, amount_fen: 0, reason: '因病住院',
  }), 422, 'approved_by')
  const ex = await admin.post(`/api/v1/members/${m.id}/dues/exemptions`, {
    from_month: month(-1), to_month: CUR, amount_fen: 0, reason: '因病住院，家庭困难', approved_by: '中共城关镇委员会', approved_on: TODAY,
  })
  assert.equal(ex.status, 201, JSON.stringify(ex.body))
  assert.equal(ex.body.kind, 'exempt')
  assert.equal(ex.body.bills_changed, 2)
  const red = await admin.post(`/api/v1/members/${m.id}/dues/exemptions`, {
    from_month: month(-3), to_month: month(-2), amount_fen: 1000, reason: '收入减少', approved_by: '中共城关镇委员会', approved_on: TODAY,
  })
  assert.equal(red.status, 201, JSON.stringify(red.body))
  const l = await ledger(m)
  assert.equal(billOf(l, CUR).amount_fen, 0)
  assert.equal(billOf(l, CUR).status, 'exempt')
  assert.equal(billOf(l, CUR).calc_fen, 9000, 'the standard amount is kept for reference')
  assert.equal(billOf(l, month(-1)).rule, 'FEE-7')
  assert.equal(billOf(l, month(-2)).amount_fen, 1000)
  assert.match(billOf(l, month(-2)).explanation, /FEE-7/)
  assert.equal(l.exemptions.length, 2)
  assertError(await pay(m, { month: CUR, amount_fen: 100 }, admin, 0), 409, 'month')
  assert.equal(l.arrears.length, 0)
})

// ---- cycles: closing, and changing a closed month ----------------------------------------------------

t('closing a month is audited; afterwards only the admin may change it, leaving a before/after trace', async () => {
  const D = await mkOrg(own.id, '党费结账测试党支部')
  const m = await mkMember(D, { name: '结账测试' })
  await setBase(m, { category: 'employed', base_fen: 450000, effective_month: month(-3) })
  const close = await cg.post(`/api/v1/dues/cycles/${D.id}/${month(-1)}/close`)
  assert.equal(close.status, 200, JSON.stringify(close.body))
  assert.equal(close.body.changed, 1)
  const cyc = (await cg.get(`/api/v1/dues/cycles?org_id=${D.id}&month=${month(-1)}`)).body.items[0]
  assert.equal(cyc.status, 'closed')
  assert.equal(cyc.closed_by, 'chengguan')
  assert.equal(cyc.paid_at_close_fen, 0)
  // The org_admin cannot record money received in the closed month, nor reopen it.
  const late = await pay(m, { month: month(-1), amount_fen: 4500, paid_on: `${month(-1)}-20` }, cg, 0)
  assertError(late, 409, 'month')
  assert.match(late.body.error.message, /已结账/)
  assert.match(late.body.error.message, /管理员/)
  const re = await cg.post(`/api/v1/dues/cycles/${D.id}/${month(-1)}/reopen`)
  assertError(re, 403)
  assert.match(re.body.error.message, /管理员/)
  // Nor change its amount through a new base or an exemption.
  assertError(await cg.post(`/api/v1/members/${m.id}/dues/bases`, { category: 'employed', base_fen: 800000, effective_month: month(-1) }), 409, 'month')
  // The admin can, and the change is traced with the cycle's totals before and after.
  const ok = await pay(m, { month: month(-1), amount_fen: 4500, paid_on: `${month(-1)}-20` }, admin)
  assert.equal(ok.body.closed_month, true)
  const trace = await aud.get('/api/v1/audit?action=dues.closed_change&per_page=5')
  assert.equal(trace.status, 200)
  const e = trace.body.items.find((x) => x.object_type === 'dues_cycle' && x.object_id === D.id)
  assert.ok(e, JSON.stringify(trace.body.items))
  assert.equal(e.actor_name, 'admin')
  assert.equal(e.before.paid_fen, 0)
  assert.equal(e.after.paid_fen, 4500)
  assert.equal(e.after.status, 'closed')
  const closes = await aud.get('/api/v1/audit?action=dues_cycle.close&per_page=50')
  const ce = closes.body.items.find((x) => x.after && x.after.org_id === D.id)
  assert.ok(ce, 'closing is audited')
  assert.notEqual(ce.before.status, 'closed')
  assert.equal(ce.after.status, 'closed')
  // 补交 received now for the closed month is the branch's everyday work.
  const m2 = await mkMember(D, { name: '结账后补交' })
  await setBase(m2, { category: 'employed', base_fen: 300000, effective_month: month(-3) }, admin)
  const back = await pay(m2, { month: month(-1), amount_fen: 1500, paid_on: TODAY }, cg)
  assert.equal(back.body.kind, 'back_payment')
  const after = (await cg.get(`/api/v1/dues/cycles?org_id=${D.id}&month=${month(-1)}`)).body.items[0]
  assert.equal(after.paid_fen, 6000)
  assert.equal(after.paid_at_close_fen, 0, 'the figure at closing stays')
  const reopen = await admin.post(`/api/v1/dues/cycles/${D.id}/${month(-1)}/reopen`)
  assert.equal(reopen.status, 200, JSON.stringify(reopen.body))
  assert.equal((await cg.get(`/api/v1/dues/cycles?org_id=${D.id}&month=${month(-1)}`)).body.items[0].status, 'collecting')
  assertError(await cg.post(`/api/v1/dues/cycles/${D.id}/${month(1)}/close`), 422, 'month')
  assertError(await cg.post(`/api/v1/dues/cycles/${D.id}/${month(-1)}/shred`), 422, 'action')
})

// ---- bulk payment and import ------------------------------------------------------------------------

let cMembers = []
t('bulk pay: a whole branch month paid at each bill in one action', async () => {
  cMembers = []
  for (const [name, base] of [['批量甲', 300000], ['批量乙', 500000], ['批量丙', 1200000]]) {
    const m = await mkMember(C, { name })
    await setBase(m, { category: 'employed', base_fen: base, effective_month: month(-2) })
    cMembers.push(m)
  }
  const r = await cg.post('/api/v1/dues/bulk-pay', { org_id: C.id, month: month(-1) })
  assert.equal(r.status, 200, JSON.stringify(r.body))
  assert.equal(r.body.payments, 3)
  assert.equal(r.body.amount_fen, 1500 + 5000 + 24000)
  const again = await cg.post('/api/v1/dues/bulk-pay', { org_id: C.id, month: month(-1) })
  assert.equal(again.body.payments, 0, 'nothing left to pay')
  const cyc = (await cg.get(`/api/v1/dues/cycles?org_id=${C.id}&month=${month(-1)}`)).body.items[0]
  assert.equal(cyc.paid_fen, cyc.due_fen)
  assert.equal(cyc.paid_members, 3)
  assert.equal(cyc.rate_permille, 1000)
  assertError(await cg.post('/api/v1/dues/bulk-pay', { org_id: C.id, month: 'last' }), 422, 'month')
  assertError(await cg.post('/api/v1/dues/bulk-pay', { org_id: X.id, month: month(-1) }), 404)
})

t('payments import: a dry run reports every bad row and writes nothing; then the good file is committed', async () => {
  const [a, b, c] = cMembers
  const rows = [
    ['姓名', '身份证号', '金额', '缴费日期'],
    [a.name, a.id_number, '15.00', TODAY],
    [b.name, b.id_number, '50', TODAY],
    ['查无此人', freshId(), '15.00', TODAY], // not in the subtree
    [c.name, c.id_number.slice(0, 17) + (c.id_number[17] === '1' ? '2' : '1'), '240.00', TODAY], // wrong check digit
    ['张冠李戴', c.id_number, '240.00', TODAY], // name does not match
    [c.name, c.id_number, '2元', TODAY], // amount
    [c.name, c.id_number, '240', '明天'], // date
  ]
  const csv = rows.map((r) => r.join(',')).join('\r\n') + '\r\n'
  const dry = await cg.post(`/api/v1/dues/import?org_id=${C.id}&month=${CUR}&dry_run=1`, csv, { 'Content-Type': 'text/csv' })
  assert.equal(dry.status, 200, JSON.stringify(dry.body))
  assert.equal(dry.body.dry_run, true)
  assert.equal(dry.body.rows_total, 7)
  assert.equal(dry.body.rows_ok, 2)
  assert.equal(dry.body.rows_bad, 5)
  assert.deepEqual(dry.body.errors.map((e) => e.row), [4, 5, 6, 7, 8])
  assert.deepEqual(dry.body.errors.map((e) => e.column), ['身份证号', '身份证号', '姓名', '金额', '缴费日期'])
  assert.ok(dry.body.errors.every((e) => hasChinese(e.message)))
  assert.equal(billOf(await ledger(a), CUR).paid_fen, 0, 'a dry run writes nothing')
  // Committing a file with bad rows is refused as a whole (422, the report in details).
  const bad = await cg.post(`/api/v1/dues/import?org_id=${C.id}&month=${CUR}&dry_run=0`, csv, { 'Content-Type': 'text/csv' })
  assertError(bad, 422, 'file')
  assert.equal(bad.body.error.details.rows_bad, 5)
  assert.equal(billOf(await ledger(a), CUR).paid_fen, 0)
  // The good rows as .xlsx: committed.
  const xlsx = xlsxFromRows([rows[0], rows[1], rows[2], [c.name, c.id_number, '240', TODAY.replace(/-/g, '/')]])
  const ok = await cg.post(`/api/v1/dues/import?org_id=${C.id}&month=${CUR}&dry_run=0`, xlsx, {
    'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  })
  assert.equal(ok.status, 200, JSON.stringify(ok.body))
  assert.equal(ok.body.rows_ok, 3)
  assert.equal(billOf(await ledger(a), CUR).status, 'paid')
  assert.equal(billOf(await ledger(c), CUR).paid_fen, 24000)
  // Importing the same month again: every row is already paid.
  const twice = await cg.post(`/api/v1/dues/import?org_id=${C.id}&month=${CUR}&dry_run=1`, xlsx, { 'Content-Type': 'text/csv' })
  assert.equal(twice.body.rows_bad, 3)
  assert.match(twice.body.errors[0].message, /已交清/)
  assertError(await cg.post(`/api/v1/dues/import?org_id=${C.id}&dry_run=1`, csv, { 'Content-Type': 'text/csv' }), 422, 'month')
  assertError(await cg.post(`/api/v1/dues/import?org_id=${X.id}&month=${CUR}&dry_run=1`, csv, { 'Content-Type': 'text/csv' }), 404, 'org_id')
})

// ---- arrears ---------------------------------------------------------------------------------------

t('arrears: 3 unpaid months → FEE-11 reminder; 6 consecutive → FEE-12 error, and the member stays active', async () => {
  const E = await mkOrg(own.id, '党费欠交测试党支部')
  // Bases from the month given (FEE-9 monthly), so the unpaid runs are exactly as set up here.
  const pr = await admin.put('/api/v1/rules/params', { org_id: E.id, rule: 'FEE-9', param: 'annual', value: 0 })
  assert.equal(pr.status, 200, JSON.stringify(pr.body))
  const three = await mkMember(E, { name: '欠三个月', category: 'probationary', joined_on: `${month(-3)}-05` })
  await setBase(three, { category: 'employed', base_fen: 300000, effective_month: month(-3) })
  const six = await mkMember(E, { name: '欠六个月' })
  await setBase(six, { category: 'employed', base_fen: 300000, effective_month: month(-6) })
  const gap = await mkMember(E, { name: '断续欠交' })
  await setBase(gap, { category: 'employed', base_fen: 300000, effective_month: month(-7) })
  await pay(gap, { month: month(-4), amount_fen: 1500 }) // 7 unpaid months, but not 6 in a row
  const two = await mkMember(E, { name: '欠两个月' })
  await setBase(two, { category: 'employed', base_fen: 300000, effective_month: month(-2) })
  const r = await cg.get(`/api/v1/dues/arrears?org_id=${E.id}`)
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const by = (m) => r.body.items.filter((f) => f.member_id === m.id)
  assert.equal(by(two).length, 0, 'two months is no finding yet')
  const w = by(three)
  assert.equal(w.length, 1)
  assert.equal(w[0].rule, 'FEE-11')
  assert.equal(w[0].severity, 'warning')
  assert.equal(w[0].org_id, E.id)
  assert.equal(w[0].period, month(-1))
  assert.match(w[0].due_on, /^\d{4}-\d\d-\d\d$/)
  const e = by(six)
  assert.equal(e.length, 1)
  assert.equal(e[0].rule, 'FEE-12')
  assert.equal(e[0].severity, 'error')
  assert.ok(e[0].message.includes('启动自行脱党程序（ST-4/FEE-12，须支部大会决定）'), e[0].message)
  assert.equal(e[0].version, 'dues-2008')
  assert.ok(e[0].source)
  assert.equal(by(gap)[0].severity, 'warning', 'a paid month breaks the run')
  assert.equal(r.body.items[0].severity, 'error', 'errors first')
  const errs = await cg.get(`/api/v1/dues/arrears?org_id=${E.id}&severity=error`)
  assert.equal(errs.body.total, 1)
  const m = await admin.get(`/api/v1/members/${six.id}`)
  assert.equal(m.body.status, 'active', 'the 支部大会 decides; no automatic status change')
  assert.equal((await ledger(six)).arrears[0].rule, 'FEE-12')
})

// ---- reports ----------------------------------------------------------------------------------------

t('the demo county: leaves add up to their parent at every level, and cycles agree with the branch grid', async () => {
  const year = CUR.slice(0, 4)
  const root = await admin.get(`/api/v1/dues/report?org_id=${srv.rootId}&year=${year}`)
  assert.equal(root.status, 200, JSON.stringify(root.body))
  assert.ok(root.body.rows.length >= 16)
  const sum = (rows, i, k) => rows.reduce((s, r) => s + r.months[i][k], 0)
  for (let i = 0; i < 12; i++) {
    for (const k of ['due_fen', 'paid_fen', 'unpaid_fen', 'members']) {
      assert.equal(sum(root.body.rows, i, k), root.body.total.months[i][k], `county ${k} month ${i + 1}`)
    }
  }
  assert.ok(root.body.total.due_fen > 0 && root.body.total.paid_fen > 0)
  assert.ok(root.body.total.rate_permille > 800 && root.body.total.rate_permille <= 1000, String(root.body.total.rate_permille))
  // One level down: the township's rows add up to the township's row in the county report.
  const town = await admin.get(`/api/v1/dues/report?org_id=${own.id}&year=${year}`)
  const rowInRoot = root.body.rows.find((r) => r.org_id === own.id)
  for (let i = 0; i < 12; i++) {
    assert.equal(sum(town.body.rows, i, 'due_fen'), town.body.total.months[i].due_fen)
    assert.equal(sum(town.body.rows, i, 'paid_fen'), town.body.total.months[i].paid_fen)
    assert.equal(town.body.total.months[i].due_fen, rowInRoot.months[i].due_fen, `城关镇 month ${i + 1}`)
  }
  // A branch: its grid (bills) equals its cycles.
  const branch = town.body.rows.find((r) => !r.has_children && r.due_fen > 0 && !r.own)
  const grid = await admin.get(`/api/v1/dues/grid?org_id=${branch.org_id}&year=${year}`)
  assert.equal(grid.status, 200)
  assert.ok(grid.body.items.length > 0)
  for (let i = 0; i < 12; i++) {
    assert.equal(grid.body.totals[i].due_fen, branch.months[i].due_fen, `grid vs cycles month ${i + 1}`)
    assert.equal(grid.body.totals[i].paid_fen, branch.months[i].paid_fen)
  }
  const cell = grid.body.items[0].cells.find((c) => c)
  assert.ok(['paid', 'unpaid', 'partial', 'exempt', 'none'].includes(cell.status))
  // The demo has arrears of both kinds, and older months are closed.
  const errs = await admin.get(`/api/v1/dues/arrears?org_id=${srv.rootId}&severity=error&per_page=1`)
  assert.ok(errs.body.total > 10, String(errs.body.total))
  const warns = await admin.get(`/api/v1/dues/arrears?org_id=${srv.rootId}&rule=FEE-11&per_page=1`)
  assert.ok(warns.body.total > 10, String(warns.body.total))
  const old = await admin.get(`/api/v1/dues/cycles?org_id=${srv.rootId}&month=${month(-3)}&per_page=1`)
  assert.equal(old.body.items[0].status, 'closed')
})

t('exports: 收缴明细 for a month and the FEE-13 annual publication sheet, as xlsx, audited', async () => {
  const r = await cg.get(`/api/v1/export/dues.xlsx?org_id=${C.id}&month=${CUR}`)
  assert.equal(r.status, 200, r.text.slice(0, 300))
  assert.match(r.headers.get('content-type'), /spreadsheetml/)
  const buf = Buffer.from(await (await fetch(`${srv.base}/api/v1/export/dues.xlsx?org_id=${C.id}&month=${CUR}`, {
    headers: { Cookie: cg.cookie },
  })).arrayBuffer())
  const files = unzip(buf)
  const text = [...files.entries()].filter(([k]) => k.startsWith('xl/')).map(([, v]) => v.toString('utf8')).join('\n')
  assert.ok(text.includes('党费收缴明细'))
  assert.ok(text.includes('批量丙'))
  assert.ok(text.includes('240.00'))
  assert.ok(!text.includes(cMembers[0].id_number), 'the 身份证号 is masked')
  const a = await fetch(`${srv.base}/api/v1/export/dues-annual.xlsx?org_id=${C.id}&year=${CUR.slice(0, 4)}`, {
    headers: { Cookie: cg.cookie },
  })
  assert.equal(a.status, 200)
  const at = [...unzip(Buffer.from(await a.arrayBuffer())).entries()].map(([, v]) => v.toString('utf8')).join('\n')
  assert.ok(at.includes('党费收缴情况公示'))
  assert.ok(at.includes('批量甲'))
  assert.ok(at.includes('FEE-8'))
  const log = await aud.get('/api/v1/audit?action=export.dues&per_page=5')
  assert.ok(log.body.items.some((e) => e.after.org_id === C.id))
  assertError(await cg.get(`/api/v1/export/dues.xlsx?org_id=${X.id}&month=${CUR}`), 404)
})

// ---- scope and the member's own view ------------------------------------------------------------------

t('scope: 城关镇 cannot see or touch another township’s dues (404)', async () => {
  const m = await mkMember(X, { name: '外镇党员' })
  await setBase(m, { category: 'employed', base_fen: 300000, effective_month: CUR })
  assertError(await cg.get(`/api/v1/members/${m.id}/dues`), 404)
  assertError(await cg.get(`/api/v1/members/${m.id}/dues/bases`), 404)
  assertError(await cg.post(`/api/v1/members/${m.id}/dues/payments`, { month: CUR, amount_fen: 1500, method: 'cash' }), 404)
  assertError(await cg.post(`/api/v1/members/${m.id}/dues/bases`, { category: 'employed', base_fen: 1 }), 404)
  assertError(await cg.get(`/api/v1/dues/report?org_id=${other.id}`), 404)
  assertError(await cg.get(`/api/v1/dues/grid?org_id=${X.id}`), 404)
  assertError(await cg.get(`/api/v1/dues/cycles?org_id=${other.id}`), 404)
  assertError(await cg.get(`/api/v1/dues/arrears?org_id=${other.id}`), 404)
  assertError(await cg.post(`/api/v1/dues/cycles/${X.id}/${CUR}/close`), 404)
  // The admin sees it.
  assert.ok((await ledger(m)).bills.length >= 1)
})

t('a member sees only their own dues; everything else is 404 or 403', async () => {
  const mine = await dy.get(`/api/v1/members/${dy.user.member_id}/dues`)
  assert.equal(mine.status, 200, JSON.stringify(mine.body))
  assert.equal(mine.body.member.id, dy.user.member_id)
  assert.ok(mine.body.bills.length >= 12, 'twelve months of demo history')
  assert.ok(mine.body.payments.length > 0)
  assert.ok(mine.body.current_base)
  const bases = await dy.get(`/api/v1/members/${dy.user.member_id}/dues/bases`)
  assert.equal(bases.status, 200)
  const someone = cMembers[0]
  assertError(await dy.get(`/api/v1/members/${someone.id}/dues`), 404)
  assertError(await dy.post(`/api/v1/members/${dy.user.member_id}/dues/payments`, { month: CUR, amount_fen: 100, method: 'cash' }), 403)
  assertError(await dy.get(`/api/v1/dues/report?org_id=${own.id}`), 403)
  assertError(await dy.get(`/api/v1/dues/arrears`), 403)
})
