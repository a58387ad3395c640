// dues.test.mjs — browser tests of 党费 on the demo county (`dangjian demo --seed 1`, 12 months of dues with
// arrears): an admin bulk-pays this month for a branch from its 月度表 and sees the branch's rate reach 100% on
// the township's 收缴情况; an admin closes this month for another branch and the township org_admin's payment
// there is refused with the server's message; the 党费计算器 on a phone (30.00 for 在职 3000.01, 15.00 for 3000)
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, newPage, loginAs, apiLogin, screenshot } from './helpers.mjs'

const T = { timeout: 90000 }
const PHONE = { viewport: { width: 390, height: 844 }, mobile: true }
const month = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 7)

describe('党费 (demo county)', { timeout: 300000 }, () => {
  let server
  let browser
  let admin
  let township // chengguan's org
  let branches // leaf children of the township with something unpaid this month

  const login = (name) => {
    const l = server.logins.find((x) => x.username === name)
    assert.ok(l, `demo prints the ${name} login`)
    return l
  }

  before(async () => {
    server = await startServer({ demo: true })
    browser = await launchBrowser()
    const a = login('admin')
    admin = await apiLogin(server.baseUrl, a.username, a.password)
    const cg = login('chengguan')
    const cgApi = await apiLogin(server.baseUrl, cg.username, cg.password)
    township = (await cgApi.get('/api/v1/session')).body.user.org_id
    const m = month()
    const report = (await admin.get(`/api/v1/dues/report?org_id=${township}&year=${m.slice(0, 4)}`)).body
    branches = report.rows.filter((r) => !r.own && !r.has_children && r.months.find((x) => x.month === m)?.unpaid_fen > 0)
    assert.ok(branches.length >= 2, 'two branches of the township owe dues this month')
  })

  after(async () => {
    if (browser) await browser.close()
    if (server) assert.equal(await server.stop(), 0, 'server should exit 0 on SIGTERM')
  })

  test('一键登记本月 for a branch: its cells turn green and its rate on the report reaches 100%', T, async () => {
    const m = month()
    const br = branches[0]
    const page = await newPage(browser, server.baseUrl, { viewport: { width: 1366, height: 900 } })
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    await page.locator('[data-test=menu-dues]').click()
    await page.waitForURL((x) => x.pathname === '/dues')
    await page.goto(`/dues?org_id=${township}`)
    const rate = page.locator(`[data-test=dues-rate-${br.org_id}-${m}]`).first()
    await rate.waitFor()
    const before = await rate.textContent()
    assert.notEqual(before.trim(), '100.0%', `the branch owes dues this month (${before})`)
    await page.locator('[data-test=dues-chart] canvas').first().waitFor()
    await page.locator('[data-test^=dues-cycle-status-]').first().waitFor()
    await screenshot(page, 'dues-report', { fullPage: false })

    // Drill down to the branch's 月度表.
    await page.locator(`[data-test=dues-open-${br.org_id}]`).first().click()
    await page.waitForURL((x) => x.searchParams.get('tab') === 'grid' && Number(x.searchParams.get('org_id')) === br.org_id)
    const unpaid = page.locator(`[data-test$="-${m}"][data-status=unpaid]`)
    await unpaid.first().waitFor()
    await screenshot(page, 'dues-grid-before', { fullPage: false })

    await page.locator('[data-test=grid-bulk-pay]').click()
    const box = page.locator('.el-message-box')
    await box.filter({ hasText: '一键登记确认' }).waitFor()
    await box.locator('.el-button--primary').click()
    await page.locator('.el-message--success').filter({ hasText: '已登记' }).waitFor()
    await page.locator(`[data-test=grid-total-${m}]`).filter({ hasText: '100.0%' }).waitFor()
    assert.equal(await unpaid.count(), 0, 'no red cell left this month')
    await screenshot(page, 'dues-grid-after', { fullPage: false })

    // Back up by the breadcrumb: the township's report shows the branch at 100%.
    await page.locator(`[data-test=dues-crumbs] [data-test=dues-crumb-${township}]`).click()
    await page.waitForURL((x) => Number(x.searchParams.get('org_id')) === township && x.searchParams.get('tab') === 'report')
    await page.locator(`[data-test=dues-rate-${br.org_id}-${m}]`).first().filter({ hasText: '100.0%' }).waitFor()
    const after = (await admin.get(`/api/v1/dues/report?org_id=${township}&year=${m.slice(0, 4)}`)).body
    const row = after.rows.find((r) => r.org_id === br.org_id)
    assert.equal(row.months.find((x) => x.month === m).rate_permille, 1000)

    // The member detail's 党费 tab lists the new payment.
    const grid = (await admin.get(`/api/v1/dues/grid?org_id=${br.org_id}&year=${m.slice(0, 4)}`)).body
    const mid = grid.items[0].member_id
    await page.goto(`/members/${mid}`)
    await page.getByRole('tab', { name: '党费' }).click()
    await page.locator('[data-test=md-dues-bills] tbody tr').first().waitFor()
    await page.locator('[data-test=md-dues-payments]').filter({ hasText: m }).waitFor()
    await page.locator('[data-test=md-dues-bases] tbody tr').first().waitFor()
    await screenshot(page, 'dues-member-tab', { fullPage: false })
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('a closed month: the admin closes it, the org_admin\'s payment is refused with the server\'s message', T, async () => {
    const m = month()
    const br = branches[1]
    const a = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(a, u.username, u.password, '/')
    await a.goto(`/dues?org_id=${br.org_id}`)
    await a.locator(`[data-test=dues-close-${m}]`).click()
    const box = a.locator('.el-message-box')
    await box.filter({ hasText: '结账确认' }).waitFor()
    await box.locator('.el-button--primary').click()
    await a.locator(`[data-test=dues-cycle-status-${m}]`).filter({ hasText: '已结账' }).waitFor()
    await a.locator(`[data-test=dues-reopen-${m}]`).waitFor()
    await a.context().close()

    const page = await newPage(browser, server.baseUrl)
    const c = login('chengguan')
    await loginAs(page, c.username, c.password, '/')
    await page.goto(`/dues?org_id=${br.org_id}&tab=grid`)
    const cell = page.locator(`[data-test$="-${m}"][data-status=unpaid]`).first()
    await cell.waitFor()
    await cell.click()
    const dlg = page.locator('.dues-pay-dialog')
    await dlg.waitFor()
    const amount = await dlg.locator('[data-test=pay-amount-item] input').inputValue()
    assert.match(amount, /^\d+\.\d\d$/, 'prefilled with the bill in yuan')
    await dlg.locator('[data-test=pay-save]').click()
    const err = dlg.locator('[data-test=pay-error]')
    await err.filter({ hasText: '已结账' }).waitFor()
    assert.match(await err.textContent(), /管理员/)
    await screenshot(page, 'dues-closed-refused', { fullPage: false })
    // Only an admin may reopen a closed month: the org_admin has no such button.
    await dlg.getByRole('button', { name: '取消' }).click()
    await page.locator('[data-test=dues-tabs]').getByRole('tab', { name: '收缴情况' }).click()
    await page.locator(`[data-test=dues-cycle-status-${m}]`).filter({ hasText: '已结账' }).waitFor()
    assert.equal(await page.locator(`[data-test=dues-reopen-${m}]`).count(), 0)
    // The refused POST is logged by the browser as a 409; nothing else may fail.
    assert.deepEqual(page.djErrors.filter((e) => !/status of 409/.test(e)), [])
    await page.context().close()
  })

  test('党费计算器 on a phone: 在职 3000.01 → 30.00, 3000 → 15.00, with the rule ID', T, async () => {
    const page = await newPage(browser, server.baseUrl, PHONE)
    const u = login('dangyuan')
    await loginAs(page, u.username, u.password, '/')
    await page.goto('/dues/calc')
    const base = page.locator('[data-test=calc-base] input')
    await base.fill('3000.01')
    await page.locator('[data-test=calc-submit]').click()
    await page.locator('[data-test=calc-amount]').filter({ hasText: /^30\.00$/ }).waitFor()
    assert.equal((await page.locator('[data-test=calc-rule]').textContent()).trim(), 'FEE-2')
    assert.match(await page.locator('[data-test=calc-explanation]').textContent(), /3000\.01/)
    await screenshot(page, 'dues-calc-phone')
    await base.fill('3000')
    await page.locator('[data-test=calc-submit]').click()
    await page.locator('[data-test=calc-amount]').filter({ hasText: /^15\.00$/ }).waitFor()
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the calculator fits a 390px phone (scrollWidth ${width})`)
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('the township org_admin on a phone: report and 月度表 fit the screen', T, async () => {
    const page = await newPage(browser, server.baseUrl, PHONE)
    const c = login('chengguan')
    await loginAs(page, c.username, c.password, '/')
    await page.goto('/dues')
    await page.locator('[data-test=dues-chart] canvas').first().waitFor()
    await page.locator(`[data-test=dues-open-${branches[0].org_id}]`).first().waitFor()
    let width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the report fits a 390px phone (scrollWidth ${width})`)
    await screenshot(page, 'dues-report-phone')
    await page.goto(`/dues?org_id=${branches[0].org_id}&tab=grid`)
    await page.locator('[data-test=dues-grid] tbody tr').first().waitFor()
    width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the grid scrolls inside its box (scrollWidth ${width})`)
    await screenshot(page, 'dues-grid-phone')
    await page.goto(`/dues?org_id=${township}&tab=arrears`)
    await page.locator('[data-test=arrears-table] tbody tr').first().waitFor()
    await screenshot(page, 'dues-arrears-phone')
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })
})
