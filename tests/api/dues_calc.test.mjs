// dues_calc.test.mjs — every RULES.md §6 vector through the 党费计算器 API and the `dangjian rules dues` CLI.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { startServer, session, api, DJ_BIN } from '../lib/server.mjs'

const EMPLOYED = [['0', '0.00'], ['2999.99', '15.00'], ['3000', '15.00'], ['3000.01', '30.00'], ['4500', '45.00'],
  ['5000', '50.00'], ['5000.01', '75.00'], ['8000', '120.00'], ['10000', '150.00'], ['10000.01', '200.00'],
  ['12345.67', '246.91']]
const RETIRED = [['3000', '15.00'], ['5000', '25.00'], ['5000.01', '50.00'], ['6200', '62.00']]
const fen = (yuan) => { const [a, b = ''] = yuan.split('.'); return Number(a) * 100 + Number((b + '00').slice(0, 2)) }
const yuanOf = (f) => `${Math.floor(f / 100)}.${String(f % 100).padStart(2, '0')}`

let srv, member
before(async () => {
  srv = await startServer({ demo: true })
  member = await session(srv.base, 'dangyuan') // the calculator is for members too
})
after(async () => { await srv?.stop() })

test('API: employed (FEE-2) and retired (FEE-5) bands, flat student amount (FEE-6)', async () => {
  for (const [cat, table, rule] of [['employed', EMPLOYED, 'FEE-2'], ['retired', RETIRED, 'FEE-5']]) {
    for (const [base, want] of table) {
      const r = await api(srv.base, 'POST', '/api/v1/rules/dues/calc', { ...member, body: { category: cat, base_fen: fen(base), month: '2026-03' } })
      assert.equal(r.status, 200, JSON.stringify(r.body))
      assert.equal(yuanOf(r.body.amount_fen), want, `${cat} ${base}`)
      assert.equal(r.body.rule, rule)
      assert.match(r.body.explanation, /元/)
    }
  }
  const s = await api(srv.base, 'POST', '/api/v1/rules/dues/calc', { ...member, body: { category: 'student', base_fen: 0 } })
  assert.equal(s.body.amount_fen, 20)
  const bad = await api(srv.base, 'POST', '/api/v1/rules/dues/calc', { ...member, body: { category: 'nobody', base_fen: 0 } })
  assert.equal(bad.status, 422)
  assert.equal(bad.body.error.field, 'category')
  const neg = await api(srv.base, 'POST', '/api/v1/rules/dues/calc', { ...member, body: { category: 'employed', base_fen: -1 } })
  assert.equal(neg.status, 422)
  assert.equal(neg.body.error.field, 'base_fen')
  const float = await api(srv.base, 'POST', '/api/v1/rules/dues/calc', { ...member, body: { category: 'employed', base_fen: 3000.5 } })
  assert.equal(float.status, 422, 'money is integer 分: a float base is refused')
})

test('CLI: dangjian rules dues prints the same amounts', () => {
  for (const [cat, table] of [['employed', EMPLOYED], ['retired', RETIRED]]) {
    for (const [base, want] of table) {
      const out = execFileSync(DJ_BIN, ['rules', 'dues', '--category', cat, '--base', base], { encoding: 'utf8' })
      assert.equal(out.split('\n')[0], want, `${cat} ${base}`)
    }
  }
  assert.equal(execFileSync(DJ_BIN, ['rules', 'dues', '--category', 'farmer', '--farmer', '50'], { encoding: 'utf8' }).split('\n')[0], '0.50')
})
