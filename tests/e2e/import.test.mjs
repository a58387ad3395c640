// import.test.mjs — browser tests of the member import wizard on the demo county: template download, a dry
// run whose report lists the bad rows by row number, a clean file imported and listed, rollback of the
// batch, an unreadable file, and the phone layout
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { startServer, launchBrowser, newPage, loginAs, apiLogin, idNumber, screenshot } from './helpers.mjs'

const T = { timeout: 30000 }
const PHONE = { viewport: { width: 390, height: 844 }, mobile: true }

describe('member import wizard (demo county)', { timeout: 150000 }, () => {
  let server
  let browser
  let admin
  let branch
  let header // CSV header from /meta labels: 姓名,身份证号,人员类别,性别
  let batchId

  const login = (role) => {
    const l = server.logins.find((x) => x.role === role)
    assert.ok(l, `demo prints a ${role} login`)
    return l
  }
  const csv = (rows) => Buffer.from([header, ...rows].map((r) => r.join(',')).join('\r\n') + '\r\n', 'utf8')
  const file = (name, rows) => ({ name, mimeType: 'text/csv', buffer: csv(rows) })
  const chooseFile = (page, f) => page.locator('[data-test=import-file] input[type=file]').setInputFiles(f)

  // Two good rows, then a wrong check character (row 3) and an unknown category (row 5).
  const BAD_ROWS = [
    ['导入核对甲', idNumber('42010219800101011'), '正式党员', '男'],
    ['导入核对乙', idNumber('42010219810202022', { wrong: true }), '正式党员', '女'],
    ['导入核对丙', idNumber('42010219820303033'), '预备党员', '男'],
    ['导入核对丁', idNumber('42010219830404044'), '预备', '女'],
  ]
  const GOOD_ROWS = [
    ['导入测试甲', idNumber('42010219880101051'), '正式党员', '男'],
    ['导入测试乙', idNumber('42010219920202062'), '预备党员', '女'],
  ]

  before(async () => {
    server = await startServer({ demo: true })
    browser = await launchBrowser()
    const a = login('admin')
    admin = await apiLogin(server.baseUrl, a.username, a.password)
    const township = (await admin.get(`/api/v1/orgs/${server.rootOrgId}/children?per_page=1`)).body.items[0]
    branch = (await admin.get(`/api/v1/orgs/${township.id}/children?per_page=200`)).body.items.find((o) => o.kind === 'branch')
    const meta = (await admin.get('/api/v1/meta')).body
    const labelOf = (n) => meta.entities.member.fields.find((f) => f.name === n).label
    header = ['name', 'id_number', 'category', 'sex'].map(labelOf)
    assert.deepEqual(header, ['姓名', '身份证号', '人员类别', '性别'])
  })

  after(async () => {
    if (browser) await browser.close()
    if (server) assert.equal(await server.stop(), 0, 'server should exit 0 on SIGTERM')
  })

  test('dry run lists the bad rows; a clean file imports and shows in the list', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    await page.goto(`/members?org_id=${branch.id}`)
    await page.locator('[data-test=member-import]').click()
    await page.waitForURL((x) => x.pathname === '/import' && x.searchParams.get('org_id') === String(branch.id))
    await page.locator('[data-test=import-org]').filter({ hasText: branch.name }).waitFor()

    // Step 1: the template downloads as xlsx.
    const [tpl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=import-template]').click()])
    assert.match(tpl.suggestedFilename(), /\.xlsx$/)
    assert.equal((await readFile(await tpl.path())).subarray(0, 2).toString('latin1'), 'PK')

    // Step 2: the dry run uploads the raw file and polls the job.
    await chooseFile(page, file('核对名单.csv', BAD_ROWS))
    let polls = 0
    page.on('request', (r) => /\/api\/v1\/import\/jobs\//.test(r.url()) && polls++)
    const upload = page.waitForRequest((r) => r.url().includes('/api/v1/import/members?') && r.method() === 'POST')
    await page.locator('[data-test=import-dry-run]').click()
    const req = await upload
    const q = new URL(req.url()).searchParams
    assert.equal(q.get('dry_run'), '1')
    assert.equal(q.get('org_id'), String(branch.id))
    assert.equal(q.get('filename'), '核对名单.csv')
    const h = await req.allHeaders()
    assert.equal(h['content-type'], 'application/octet-stream')
    assert.ok(h['x-dj-csrf'], 'the upload carries the CSRF header')

    // Step 3: the report names rows 3 and 5 (header is row 1) and offers no import.
    const report = page.locator('[data-test=import-report]')
    await report.waitFor()
    assert.ok(polls >= 1, 'the job was polled')
    assert.equal(await report.locator('[data-test=rows-total]').innerText(), '4')
    assert.equal(await report.locator('[data-test=rows-ok]').innerText(), '2')
    assert.equal(await report.locator('[data-test=rows-bad]').innerText(), '2')
    const errRows = report.locator('[data-test=import-errors] .el-table__body tr.el-table__row')
    const errs = await errRows.allInnerTexts()
    assert.equal(errs.length, 2, errs.join('\n'))
    assert.match(errs[0], /^3\s+身份证号\s+.*校验位/)
    assert.match(errs[1], /^5\s+人员类别\s+.*预备/)
    assert.equal(await report.locator('[data-test=import-commit]').count(), 0, 'no import while rows are bad')
    await screenshot(page, 'import-report-desktop')
    assert.equal((await admin.get(`/api/v1/members?org_id=${branch.id}&q=${encodeURIComponent('导入核对')}`)).body.total, 0, 'a dry run writes nothing')

    // A clean file: dry run passes, then 确认导入 repeats the upload for real.
    await page.locator('[data-test=import-restart]').click()
    await chooseFile(page, file('新党员.csv', GOOD_ROWS))
    await page.locator('[data-test=import-dry-run]').click()
    await page.locator('[data-test=import-clean]').waitFor()
    assert.equal(await report.locator('[data-test=rows-ok]').innerText(), '2')
    const real = page.waitForRequest((r) => r.url().includes('/api/v1/import/members?') && r.method() === 'POST')
    await page.locator('[data-test=import-commit]').click()
    assert.equal(new URL((await real).url()).searchParams.get('dry_run'), '0')
    const done = page.locator('[data-test=import-done]')
    await done.waitFor()
    assert.equal(await done.locator('[data-test=rows-imported]').innerText(), '2')
    batchId = Number(await done.locator('[data-test=batch-id]').innerText())
    assert.ok(batchId > 0, 'the import names its batch')
    const batchRow = page.locator(`[data-test=import-batches] .batch-row-${batchId}`)
    await batchRow.waitFor()
    assert.match(await batchRow.innerText(), /新党员\.csv/)
    await screenshot(page, 'import-done-desktop')

    // The new members are in the branch's list.
    await page.locator('[data-test=import-to-list]').click()
    await page.waitForURL((x) => x.pathname === '/members' && x.searchParams.get('org_id') === String(branch.id))
    await page.locator('[data-test=filter-q]').fill('导入测试')
    await page.locator('[data-test=filter-q]').press('Enter')
    const rows = page.locator('[data-test=members-table] .el-table__body-wrapper tr.el-table__row')
    await rows.filter({ hasText: '导入测试甲' }).waitFor()
    await rows.filter({ hasText: '导入测试乙' }).waitFor()
    assert.equal(await rows.count(), 2)
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('撤销导入 rolls the batch back', T, async () => {
    assert.ok(batchId, 'the previous test imported a batch')
    const page = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    await page.goto('/import')
    const row = page.locator(`[data-test=import-batches] .batch-row-${batchId}`)
    await row.waitFor()
    assert.match(await row.innerText(), /已导入/)
    await row.locator(`[data-test=batch-rollback-${batchId}]`).click()
    await page.locator('.el-message-box').getByText('新党员.csv').waitFor()
    const rolled = page.waitForResponse((r) => r.url().endsWith(`/api/v1/import/batches/${batchId}/rollback`))
    await page.locator('.confirm-rollback').click()
    assert.equal((await rolled).status(), 200)
    await row.filter({ hasText: '已撤销' }).waitFor()
    assert.equal(await row.locator(`[data-test=batch-rollback-${batchId}]`).count(), 0, 'a batch is rolled back once')
    assert.equal((await admin.get(`/api/v1/members?org_id=${branch.id}&q=${encodeURIComponent('导入测试')}`)).body.total, 0)
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('a file without the required columns is refused with the reason', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    await page.goto(`/import?org_id=${branch.id}`)
    await chooseFile(page, { name: '随便.csv', mimeType: 'text/csv', buffer: Buffer.from('编号,备注\r\n1,无\r\n', 'utf8') })
    await page.locator('[data-test=import-dry-run]').click()
    const failed = page.locator('[data-test=import-failed]')
    await failed.waitFor()
    assert.match(await failed.innerText(), /缺少必填列/)
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('phone: the wizard and its report fit 390px', T, async () => {
    const page = await newPage(browser, server.baseUrl, PHONE)
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    await page.goto(`/import?org_id=${branch.id}`)
    await page.locator('[data-test=import-dry-run]').waitFor()
    await screenshot(page, 'import-phone-start', { fullPage: false })
    await chooseFile(page, file('核对名单.csv', BAD_ROWS))
    await page.locator('[data-test=import-dry-run]').click()
    await page.locator('[data-test=import-errors]').waitFor()
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `import page is ${width}px wide`)
    await screenshot(page, 'import-phone-report', { fullPage: false })
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })
})
