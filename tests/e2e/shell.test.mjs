// shell.test.mjs — browser tests of the web shell: login/logout, dashboard, phone layout, 账号管理, 审计日志
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, newPage, submitLogin, loginAs, apiGet, screenshot } from './helpers.mjs'

// Strong enough for any sensible password policy (length, classes).
const PW = 'Dj-e2e#Pass2024'
const USERS = {
  orgAdmin: { username: 'zuzhi_admin', password: PW, role: 'org_admin' },
  secAdmin: { username: 'anquan_admin', password: PW, role: 'secadmin' },
  auditor: { username: 'shenji_admin', password: PW, role: 'auditor' },
}
const T = { timeout: 20000 }

describe('web shell', { timeout: 55000 }, () => {
  let server
  let browser

  before(async () => {
    server = await startServer({ users: Object.values(USERS) })
    browser = await launchBrowser()
  })

  after(async () => {
    if (browser) await browser.close()
    if (server) assert.equal(await server.stop(), 0, 'server should exit 0 on SIGTERM')
  })

  test('org_admin logs in and sees the dashboard with the org total', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    await page.goto('/')
    await page.waitForURL((u) => u.pathname === '/login')
    await page.locator('[data-test=username]').waitFor()
    await screenshot(page, 'login-desktop')

    const u = USERS.orgAdmin
    await loginAs(page, u.username, u.password, '/')
    const dash = await apiGet(page, '/api/v1/dashboard')
    assert.equal(dash.status, 200)
    const total = page.locator('[data-test=dash-orgs-total]')
    await total.filter({ hasText: /\d/ }).waitFor()
    assert.equal((await total.innerText()).replace(/[,\s]/g, ''), String(dash.body.orgs_total))
    assert.ok(dash.body.orgs_total >= 1, 'the root org counts')

    // Header: user, role in Chinese, org; the org tree is rooted at the user's org.
    const me = (await apiGet(page, '/api/v1/session')).body.user
    assert.equal(me.username, u.username)
    assert.equal(await page.locator('[data-test=user-name]').innerText(), me.display_name || me.username)
    assert.match(await page.locator('[data-test=user-role]').innerText(), /组织管理员/)
    await page.locator('[data-test=org-tree]').getByText('测试县委').first().waitFor()
    await page.locator('[data-test=chart-kinds] canvas').waitFor()
    await page.waitForTimeout(600) // let the chart animation settle for the picture
    await screenshot(page, 'dashboard-desktop')

    // Clicking the tree's root opens its detail page.
    await page.locator(`[data-test=org-node-${server.rootOrgId}]`).click()
    await page.waitForURL((x) => x.pathname === `/orgs/${server.rootOrgId}`)
    assert.equal(await page.locator('[data-test=org-name]').innerText(), '测试县委')
    await screenshot(page, 'org-detail-desktop')

    assert.deepEqual(page.djErrors, [], 'no console errors (e.g. CSP violations)')
    await page.context().close()
  })

  test('logging out returns to the login page and ends the session', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = USERS.orgAdmin
    await loginAs(page, u.username, u.password, '/')
    await page.locator('[data-test=user-menu]').click()
    await page.locator('[data-test=logout]').click()
    await page.locator('.confirm-logout').click()
    await page.waitForURL((x) => x.pathname === '/login')
    await page.locator('[data-test=login]').waitFor()
    assert.equal((await apiGet(page, '/api/v1/session')).status, 401)
    // The shell is not reachable any more.
    await page.goto('/')
    await page.waitForURL((x) => x.pathname === '/login')
    await page.context().close()
  })

  test('a wrong password shows the server message 用户名或密码错误', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    await page.goto('/login')
    await submitLogin(page, USERS.orgAdmin.username, 'wrong-password-1')
    const alert = page.locator('[data-test=login-error]')
    await alert.waitFor()
    assert.match(await alert.innerText(), /用户名或密码错误/)
    assert.equal(new URL(page.url()).pathname, '/login')
    await screenshot(page, 'login-error')
    await page.context().close()
  })

  test('a phone-sized screen shows the dashboard and a hamburger menu', T, async () => {
    const page = await newPage(browser, server.baseUrl, { viewport: { width: 390, height: 844 }, mobile: true })
    await page.goto('/login')
    await page.locator('[data-test=username]').waitFor()
    await screenshot(page, 'login-phone')
    const u = USERS.orgAdmin
    await loginAs(page, u.username, u.password, '/')
    await page.locator('[data-test=dash-orgs-total]').filter({ hasText: /\d/ }).waitFor()
    const burger = page.locator('[data-test=hamburger]')
    assert.ok(await burger.isVisible(), 'hamburger button visible')
    assert.equal(await page.locator('.shell-aside').count(), 0, 'no fixed sidebar on a phone')
    // Nothing may push the page wider than the screen.
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `page is ${width}px wide on a 390px screen`)
    await page.waitForTimeout(600)
    await screenshot(page, 'dashboard-phone')

    await burger.click()
    const drawer = page.locator('[data-test=side-menu]')
    await drawer.waitFor()
    await page.locator('[data-test=menu-dashboard]').waitFor()
    await page.locator('[data-test=org-tree]').getByText('测试县委').first().waitFor()
    await page.waitForTimeout(400)
    await screenshot(page, 'drawer-phone', { fullPage: false })
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('secadmin lands on 账号管理 and creates an account', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = USERS.secAdmin
    await loginAs(page, u.username, u.password, '/users')
    await page.getByRole('heading', { name: '账号管理' }).waitFor()
    // Business pages are not offered to the security administrator.
    assert.equal(await page.locator('[data-test=menu-dashboard]').count(), 0)
    await page.locator('[data-test=users-table] .user-row-' + USERS.auditor.username).waitFor()

    await page.locator('[data-test=user-create]').click()
    await page.locator('[data-test=new-username]').fill('xin_dangyuan')
    await page.locator('[data-test=new-password]').fill(PW)
    await page.locator('[data-test=new-confirm]').fill(PW)
    await screenshot(page, 'users-create-dialog', { fullPage: false })
    await page.locator('[data-test=user-save]').click()
    await page.locator('[data-test=users-table] .user-row-xin_dangyuan').waitFor()
    assert.match(await page.locator('.user-row-xin_dangyuan').innerText(), /党员/)

    const list = await apiGet(page, '/api/v1/users?per_page=200')
    const created = list.body.items.find((x) => x.username === 'xin_dangyuan')
    assert.ok(created, 'the API lists the new account')
    assert.equal(created.role, 'member')
    assert.equal(created.org_id, server.rootOrgId)
    await screenshot(page, 'users-desktop')
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('auditor lands on 审计日志 and sees the login entries', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = USERS.auditor
    await loginAs(page, u.username, u.password, '/audit')
    await page.getByRole('heading', { name: '审计日志' }).waitFor()
    const rows = page.locator('[data-test=audit-table] .el-table__body tr.el-table__row')
    await rows.first().waitFor()

    // Earlier tests logged zuzhi_admin in; those logins must be on record, shown as 登录.
    const api = await apiGet(page, '/api/v1/audit?per_page=200')
    assert.equal(api.status, 200)
    const logins = api.body.items.filter((e) => e.actor_name === USERS.orgAdmin.username && /login|session/i.test(e.action))
    assert.ok(logins.length >= 1, 'the API lists zuzhi_admin logins: ' + JSON.stringify(api.body.items.slice(0, 5)))
    const loginRow = rows.filter({ hasText: USERS.orgAdmin.username }).filter({ hasText: /登录/ }).first()
    await loginRow.waitFor()

    // Filtering by actor narrows the table to that user.
    await page.locator('[data-test=audit-actor]').fill(USERS.orgAdmin.username)
    await page.locator('[data-test=audit-search]').click()
    await page.waitForFunction(
      (name) => {
        const trs = [...document.querySelectorAll('[data-test=audit-table] .el-table__body tr.el-table__row')]
        return trs.length > 0 && trs.every((tr) => tr.innerText.includes(name))
      },
      USERS.orgAdmin.username,
    )
    // A row expands to its before/after values.
    await rows.first().locator('.el-table__expand-icon').click()
    await page.locator('[data-test=audit-after]').first().waitFor()
    await screenshot(page, 'audit-desktop')
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })
})
