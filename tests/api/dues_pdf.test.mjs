// dues_pdf.test.mjs — the annual dues publication (FEE-13) as a PDF with readable Chinese text.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { startServer, session, tempDir } from '../lib/server.mjs'

let srv, admin
before(async () => {
  srv = await startServer({ demo: true })
  admin = await session(srv.base, 'admin')
})
after(async () => { await srv?.stop() })

test('GET /api/v1/export/dues-annual.pdf lists the year with totals; the text is extractable', async () => {
  const year = new Date(Date.now() + 8 * 3600e3).getUTCFullYear()
  const res = await fetch(`${srv.base}/api/v1/export/dues-annual.pdf?org_id=3&year=${year}`, { headers: { Cookie: admin.cookie } })
  assert.equal(res.status, 200)
  assert.equal(res.headers.get('content-type'), 'application/pdf')
  const file = join(tempDir('dj-dues-pdf-'), 'p.pdf')
  writeFileSync(file, Buffer.from(await res.arrayBuffer()))
  const text = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' })
  assert.match(text, new RegExp(`${year}年度党费收缴情况公示`))
  assert.match(text, /镇机关第一党支部/)
  assert.match(text, /合计：党员 \d+ 人/)
  const month = `${year}-${String(new Date(Date.now() + 8 * 3600e3).getUTCMonth() + 1).padStart(2, '0')}`
  const det = await fetch(`${srv.base}/api/v1/export/dues.pdf?org_id=3&month=${month}`, { headers: { Cookie: admin.cookie } })
  assert.equal(det.status, 200)
  assert.equal(det.headers.get('content-type'), 'application/pdf')
  const f2 = join(tempDir('dj-dues-pdf-'), 'd.pdf')
  writeFileSync(f2, Buffer.from(await det.arrayBuffer()))
  const t2 = execFileSync('pdftotext', [f2, '-'], { encoding: 'utf8' })
  assert.match(t2, /党费收缴明细/)
  assert.match(t2, /合计：\d+ 人，应交/)
  const bad = await fetch(`${srv.base}/api/v1/export/dues-annual.pdf?org_id=abc&year=${year}`, { headers: { Cookie: admin.cookie } })
  assert.equal(bad.status, 422)
})
