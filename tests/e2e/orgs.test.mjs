// orgs.test.mjs — browser tests of the org tree and 组织详情 on the demo county (`dangjian demo --seed 1`)
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, newPage, loginAs, apiGet, screenshot } from './helpers.mjs'

const T = { timeout: 20000 }

describe('org tree and detail (demo county)', { timeout: 55000 }, () => {
  let server
  let browser
  const login = (role) => {
    const l = server.logins.find((x) => x.role === role)
    assert.ok(l, `demo prints a ${role} login: ${JSON.stringify(server.logins)}`)
    return l
  }

  before(async () => {
    server = await startServer({ demo: true })
    browser = await launchBrowser()
  })

  after(async () => {
    if (browser) await browser.close()
    if (server) assert.equal(await server.stop(), 0, 'server should exit 0 on SIGTERM')
  })

  test('admin expands the tree lazily and pages through a large child list', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    const me = (await apiGet(page, '/api/v1/session')).body.user
    const tree = page.locator('[data-test=org-tree]')
    await tree.locator(`[data-test=org-node-${me.org_id}]`).waitFor()

    // The root's children are in the tree, as many as the API says.
    const kids = (await apiGet(page, `/api/v1/orgs/${me.org_id}/children?per_page=200`)).body
    assert.ok(kids.total > 0, 'the demo county has townships')
    const first = kids.items[0]
    await tree.locator(`[data-test=org-node-${first.id}]`).waitFor()
    assert.equal(await tree.locator('.el-tree-node').count(), 1 + kids.total)

    // Expanding a township loads its children on demand.
    const firstRow = tree.locator('.el-tree-node__content', { has: page.locator(`[data-test=org-node-${first.id}]`) })
    await firstRow.locator('.el-tree-node__expand-icon').click()
    const grand = (await apiGet(page, `/api/v1/orgs/${first.id}/children?per_page=1`)).body
    await tree.locator(`[data-test=org-node-${grand.items[0].id}]`).waitFor()

    // Clicking the township opens its page; more than 20 children means two pages.
    const big = kids.items.find((o) => o.children_count > 20)
    assert.ok(big, 'some township has more than 20 organizations under it')
    await tree.locator(`[data-test=org-node-${big.id}]`).click()
    await page.waitForURL((x) => x.pathname === `/orgs/${big.id}`)
    assert.equal(await page.locator('[data-test=org-name]').innerText(), big.name)
    const rows = page.locator('[data-test=org-children] .el-table__body tr.el-table__row')
    await rows.first().waitFor()
    assert.equal(await rows.count(), 20)
    await screenshot(page, 'org-detail-demo')
    await page.locator('.pager .btn-next').click()
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-test=org-children] .el-table__body tr.el-table__row').length === n,
      big.children_count - 20,
    )

    // A child's link goes one level down; 上级组织 comes back.
    const child = page.locator('[data-test=org-children] .el-table__body tr.el-table__row .el-link').first()
    const childName = await child.innerText()
    await child.click()
    await page.waitForFunction((n) => document.querySelector('[data-test=org-name]')?.innerText === n, childName)
    await page.locator('[data-test=org-parent]').click()
    await page.waitForURL((x) => x.pathname === `/orgs/${big.id}`)
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('org_admin sees only their own subtree', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = login('org_admin')
    await loginAs(page, u.username, u.password, '/')
    const me = (await apiGet(page, '/api/v1/session')).body.user
    assert.notEqual(me.org_id, server.rootOrgId, 'the demo org_admin works below the county')
    await page.locator(`[data-test=org-tree] [data-test=org-node-${me.org_id}]`).waitFor()
    assert.equal(await page.locator(`[data-test=org-tree] [data-test=org-node-${server.rootOrgId}]`).count(), 0)

    await page.goto(`/orgs/${server.rootOrgId}`)
    await page.getByText('组织不存在或不在您的管理范围内').waitFor()
    await page.context().close()
  })

  test('a member gets 首页 only: no org tree, no org pages', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = login('member')
    await loginAs(page, u.username, u.password, '/')
    await page.locator('[data-test=menu-dashboard]').waitFor()
    assert.equal(await page.locator('[data-test=menu-orgs]').count(), 0)
    assert.equal(await page.locator('[data-test=org-tree]').count(), 0)
    await page.goto(`/orgs/${server.rootOrgId}`)
    await page.waitForURL((x) => x.pathname === '/')
    await page.context().close()
  })
})
