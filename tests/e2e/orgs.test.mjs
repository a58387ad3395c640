// orgs.test.mjs — browser tests of the org tree and 组织详情 on the demo county (`dangjian demo --seed 1`):
// tree, paging, scope; statistics charts (a click filters the member list), findings, committee;
// create / edit / move an organization and register an election
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { startServer, launchBrowser, newPage, loginAs, apiGet, apiLogin, screenshot, SCREENSHOT_DIR } from './helpers.mjs'

const T = { timeout: 20000 }
const T30 = { timeout: 30000 }
const PHONE = { viewport: { width: 390, height: 844 }, mobile: true }

describe('org tree and detail (demo county)', { timeout: 180000 }, () => {
  let server
  let browser
  const login = (role) => {
    const l = server.logins.find((x) => x.role === role)
    assert.ok(l, `demo prints a ${role} login: ${JSON.stringify(server.logins)}`)
    return l
  }

  let admin // node-side API client for setup and checks

  before(async () => {
    server = await startServer({ demo: true })
    browser = await launchBrowser()
    const a = login('admin')
    admin = await apiLogin(server.baseUrl, a.username, a.password)
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
  test('org detail: statistics charts, a pie click opens the filtered member list, findings, committee', T30, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    const township = (await admin.get(`/api/v1/orgs/${server.rootOrgId}/children?per_page=1`)).body.items[0]
    const stats = (await admin.get(`/api/v1/orgs/${township.id}/stats`)).body
    assert.ok(stats.total > 0, 'the township has members')

    await page.goto(`/orgs/${township.id}`)
    const box = page.locator('[data-test=org-stats]')
    for (const c of ['age', 'education', 'occupation', 'org-kinds']) await box.locator(`[data-test=chart-${c}] canvas`).waitFor()
    assert.equal(await box.locator('[data-test=stat-total] .mini-stat-value').innerText(), stats.total.toLocaleString('zh-CN'))
    assert.equal(await box.locator('[data-test=stat-female] .mini-stat-value').innerText(), stats.by_sex.female.toLocaleString('zh-CN'))
    if (stats.by_age_sex) await box.getByText('年龄结构（男 / 女）').waitFor()
    await page.waitForTimeout(700) // chart animations
    await box.screenshot({ path: join(SCREENSHOT_DIR, 'org-stats-desktop.png'), animations: 'disabled' })

    // Click the biggest occupation slice: the donut's geometry is known (center 50%/44%, radius
    // 34%–62%, clockwise from 12 o'clock, slices in code-list order).
    const meta = (await admin.get('/api/v1/meta')).body
    const order = meta.codes.occupation.items.map((i) => i.code)
    const occ = stats.by_occupation
    const slices = [...order.filter((c) => occ[c] > 0), ...Object.keys(occ).filter((c) => !order.includes(c) && occ[c] > 0)]
    const sum = slices.reduce((n, c) => n + occ[c], 0)
    const known = slices.filter((c) => order.includes(c))
    const big = known.reduce((a, c) => (occ[c] > occ[a] ? c : a), known[0])
    const before = slices.slice(0, slices.indexOf(big)).reduce((n, c) => n + occ[c], 0)
    const mid = (before + occ[big] / 2) / sum
    const chart = await box.locator('[data-test=chart-occupation]').boundingBox()
    const r = ((0.34 + 0.62) / 2) * (Math.min(chart.width, chart.height) / 2)
    const angle = Math.PI / 2 - mid * 2 * Math.PI
    await page.mouse.click(chart.x + chart.width * 0.5 + r * Math.cos(angle), chart.y + chart.height * 0.44 - r * Math.sin(angle))
    await page.waitForURL((x) => x.pathname === '/members' && x.searchParams.get('occupation') === big && x.searchParams.get('org_id') === String(township.id))
    const n = (await admin.get(`/api/v1/members?org_id=${township.id}&occupation=${big}&per_page=1`)).body.total
    assert.equal(n, occ[big], 'the list count matches the slice')
    await page.locator('[data-test=members-pager] .el-pagination__total').filter({ hasText: new RegExp(`共\\s*${n}\\s*条`) }).waitFor()
    // The filter from the chart shows in the form, even though it is not a primary filter.
    const label = meta.codes.occupation.items.find((i) => i.code === big).label
    await page.locator('[data-test=filter-occupation]').filter({ hasText: label }).waitFor()

    // The 预备党员 tile opens the list filtered by category.
    await page.goBack()
    await page.locator('[data-test=stat-probationary]').click()
    await page.waitForURL((x) => x.pathname === '/members' && x.searchParams.get('category') === 'probationary')
    await page.locator('[data-test=members-pager] .el-pagination__total').filter({ hasText: new RegExp(`共\\s*${stats.by_category.probationary}\\s*条`) }).waitFor()

    // Findings: a branch of the township with a rule finding shows it with its rule ID, in red.
    const kids = (await admin.get(`/api/v1/orgs/${township.id}/children?per_page=200`)).body.items
    let flagged = null
    let findings = []
    for (const k of kids) {
      findings = (await admin.get(`/api/v1/orgs/${k.id}/findings`)).body.items
      if (findings.length) {
        flagged = k
        break
      }
    }
    assert.ok(flagged, 'some branch of the demo township has a finding')
    await page.goto(`/orgs/${flagged.id}`)
    const f = findings[0]
    const item = page.locator(`[data-test=org-findings] [data-test=finding-${f.rule}]`).first()
    await item.waitFor()
    assert.match(await item.innerText(), new RegExp(f.message.slice(0, 10).replace(/[()（）]/g, '.')))
    const tagClass = await item.locator('.finding-tag').getAttribute('class')
    const want = { error: 'el-tag--danger', warning: 'el-tag--warning', info: 'tag-info-blue' }[f.severity]
    assert.ok(tagClass.includes(want), `${f.severity} finding tag has ${want}: ${tagClass}`)

    // Committee: the current term and its members.
    const terms = (await admin.get(`/api/v1/orgs/${flagged.id}/committees`)).body.items
    const cur = terms.find((t) => t.current) || terms[0]
    assert.ok(cur, 'the demo branch has a committee')
    await page.locator('[data-test=committee-current]').filter({ hasText: `第 ${cur.term_no} 届` }).waitFor()
    const secretary = cur.members.find((m) => m.post === 'secretary') || cur.members[0]
    await page.locator('[data-test=committee-members]').getByText(secretary.name).waitFor()
    await screenshot(page, 'org-detail-findings')
    await page.locator('[data-test=org-findings]').screenshot({ path: join(SCREENSHOT_DIR, 'org-findings-committee.png') })
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('admin creates a child org, edits it, moves it and registers its committee', T30, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    const towns = (await admin.get(`/api/v1/orgs/${server.rootOrgId}/children?per_page=2`)).body.items
    const [from, to] = towns
    await page.goto(`/orgs/${from.id}`)
    await page.locator('[data-test=org-name]').filter({ hasText: from.name }).waitFor()

    // 新建下级组织: a form from /meta entity "org"; kind defaults to 党支部.
    await page.locator('[data-test=org-create-child]').click()
    const dialog = page.locator('.entity-dialog').filter({ hasText: '新建下级组织' })
    await dialog.locator('[data-test=fi-name] input').waitFor()
    assert.match(await dialog.locator('[data-test=fi-kind]').innerText(), /党支部/)
    // A required field left empty is refused before anything is sent.
    await dialog.locator('[data-test=entity-save]').click()
    await dialog.locator('[data-test=fi-name] .el-form-item__error').filter({ hasText: '请填写组织名称' }).waitFor()
    await dialog.locator('[data-test=fi-name] input').fill('中共测试新村党支部')
    const posted = page.waitForResponse((r) => r.url().endsWith('/api/v1/orgs') && r.request().method() === 'POST')
    await dialog.locator('[data-test=entity-save]').click()
    const res = await posted
    assert.equal(res.status(), 201)
    const org = await res.json()
    assert.equal(org.parent_id, from.id)
    assert.equal(org.kind, 'branch')

    // The side tree reloads with the new organization under its parent.
    const node = page.locator(`[data-test=org-tree] [data-test=org-node-${org.id}]`)
    await node.waitFor()
    await node.click()
    await page.waitForURL((x) => x.pathname === `/orgs/${org.id}`)

    // 编辑
    await page.locator('[data-test=org-edit]').click()
    const edit = page.locator('.entity-dialog').filter({ hasText: '编辑组织' })
    await edit.locator('[data-test=fi-short_name] input').fill('测试新村支部')
    await edit.locator('[data-test=entity-save]').click()
    await edit.waitFor({ state: 'hidden' })
    await page.locator('[data-test=org-fields]').getByText('测试新村支部').waitFor()

    // 移动到… another township, confirmed.
    await page.locator('[data-test=org-move]').click()
    const mv = page.locator('[data-test=org-move-dialog]')
    await mv.locator('.el-select').click()
    await page.locator(`[data-test=pick-org-${to.id}]`).filter({ visible: true }).click()
    await mv.locator('[data-test=move-confirm]').click()
    await page.locator('.el-message-box').getByText(to.name).waitFor()
    const moved = page.waitForResponse((r) => r.url().endsWith(`/api/v1/orgs/${org.id}/move`))
    await page.locator('.confirm-move').click()
    assert.equal((await moved).status(), 200)
    assert.deepEqual(JSON.parse((await moved).request().postData()), { parent_id: to.id })
    await page.waitForFunction(() => !document.querySelector('[data-test=org-move-dialog]')?.offsetParent)
    assert.equal((await admin.get(`/api/v1/orgs/${org.id}`)).body.parent_id, to.id)
    await page.locator(`[data-test=org-tree] [data-test=org-node-${org.id}]`).waitFor()

    // 换届登记: the new branch's first committee; unfilled suggested rows are ignored.
    await page.locator('[data-test=committee-elect]').click()
    const el = page.locator('[data-test=election-dialog]')
    await el.locator('[data-test=elect-member-0] .elect-name input').fill('张为民')
    await el.locator('[data-test=elect-member-1] .elect-name input').fill('李红')
    await el.locator('.el-dialog__title').click() // close the name suggestions
    await screenshot(page, 'org-election-dialog', { fullPage: false })
    const elected = page.waitForResponse((r) => r.url().endsWith(`/api/v1/orgs/${org.id}/committees`) && r.request().method() === 'POST')
    await el.locator('[data-test=elect-save]').click()
    const eres = await elected
    assert.ok([200, 201].includes(eres.status()), `POST committees answered ${eres.status()}`)
    const sent = JSON.parse(eres.request().postData())
    assert.equal(sent.term_no, 1)
    assert.deepEqual(sent.members, [
      { name: '张为民', post: 'secretary' },
      { name: '李红', post: 'organization_member' },
    ])
    await page.locator('[data-test=committee-current]').filter({ hasText: '第 1 届' }).waitFor()
    const cm = page.locator('[data-test=committee-members]')
    await cm.getByText('张为民').waitFor()
    assert.match(await cm.innerText(), /书记/)
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('phone: org detail with charts fits 390px', T, async () => {
    const page = await newPage(browser, server.baseUrl, PHONE)
    const u = login('org_admin')
    await loginAs(page, u.username, u.password, '/')
    const me = (await apiGet(page, '/api/v1/session')).body.user
    await page.goto(`/orgs/${me.org_id}`)
    const age = page.locator('[data-test=chart-age] canvas')
    await age.waitFor()
    await page.locator('[data-test=org-stats]').scrollIntoViewIfNeeded()
    await page.waitForTimeout(700)
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `org page is ${width}px wide`)
    await screenshot(page, 'org-detail-phone', { fullPage: false })
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })
})
