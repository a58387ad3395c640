// compliance.test.mjs — browser tests of 三会一课看板, 待办 and 规则 on the demo county (`dangjian demo --seed 1`):
// the heat map drilled down by clicks (county → township → … → branch) and back up by the breadcrumb; a branch
// with an MTG-1 error for a past quarter gets the missing 支部党员大会 recorded through 补录 and turns green;
// the inbox badge, table and CSV digest; the rule list and an admin's local parameter with its history
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { startServer, launchBrowser, newPage, loginAs, apiLogin, screenshot } from './helpers.mjs'

const T = { timeout: 60000 }
const PHONE = { viewport: { width: 390, height: 844 }, mobile: true }
// The meeting type that clears each frequency rule (RULES.md §3.1).
const RULE_TYPE = { 'MTG-1': 'branch_congress', 'MTG-5': 'lecture', 'MTG-6': 'theme_day' }

describe('三会一课 dashboard, inbox and rules (demo county)', { timeout: 300000 }, () => {
  let server
  let browser
  let admin

  const login = (role) => {
    const l = server.logins.find((x) => x.role === role)
    assert.ok(l, `demo prints a ${role} login`)
    return l
  }
  const today = () => new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)

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

  /** Click the heat-map cell of org `orgId`, month `month`, from the grid geometry the page exposes. */
  async function clickCell(page, orgId, month) {
    const wrap = page.locator('[data-test=heatmap]')
    const g = await wrap.evaluate((el) => ({
      left: Number(el.dataset.gridLeft),
      right: Number(el.dataset.gridRight),
      top: Number(el.dataset.gridTop),
      bottom: Number(el.dataset.gridBottom),
      rows: Number(el.dataset.rows),
    }))
    const ids = await page
      .locator('[data-test=heatmap-table] tr')
      .evaluateAll((trs) => trs.map((tr) => Number(tr.dataset.test.replace('heat-row-', ''))))
    const r = ids.indexOf(orgId)
    assert.ok(r >= 0, `org ${orgId} is a row of the heat map (${ids.join(',')})`)
    const canvas = wrap.locator('canvas').first()
    await canvas.waitFor()
    // The chart's height follows the number of rows; wait until the canvas has settled.
    let box = await canvas.boundingBox()
    for (let i = 0; i < 20; i++) {
      await page.waitForTimeout(150)
      const b = await canvas.boundingBox()
      const wb = await wrap.boundingBox()
      if (b && b.height === box.height && Math.abs(b.height - wb.height) < 2) break
      box = b
    }
    const x = box.x + g.left + ((month - 0.5) * (box.width - g.left - g.right)) / 12
    const y = box.y + g.top + ((r + 0.5) * (box.height - g.top - g.bottom)) / g.rows
    await page.mouse.click(x, y)
  }

  test('heat map drill-down; a branch\'s missing 支部党员大会 recorded through 补录 turns its quarter green', T, async () => {
    // A branch with an MTG-1 error for a quarter already over, whose other errors due that month a single
    // combined meeting (党员大会 + 党课 + 主题党日) clears.
    const mtg1 = (await admin.get('/api/v1/findings?rule=MTG-1&severity=error&per_page=200')).body.items
    assert.ok(mtg1.length > 0, 'the demo has MTG-1 errors (12 months of meetings with gaps)')
    let pick = null
    for (const f of mtg1) {
      if (!(f.due_on < today())) continue
      const org = (await admin.get(`/api/v1/orgs/${f.org_id}`)).body
      if (!['branch', 'joint_branch', 'general_branch'].includes(org.kind) || org.children_count) continue
      const y = f.due_on.slice(0, 4)
      const due = (await admin.get(`/api/v1/findings?org_id=${f.org_id}&severity=error&from=${y}-01-01&to=${y}-12-31&per_page=200`)).body.items.filter(
        (x) => x.due_on === f.due_on,
      )
      if (due.every((x) => RULE_TYPE[x.rule])) {
        pick = { finding: f, org, due }
        break
      }
    }
    assert.ok(pick, 'some branch has an MTG-1 error that one combined meeting fixes')
    const { finding, org, due } = pick
    const year = Number(finding.due_on.slice(0, 4))
    const month = Number(finding.due_on.slice(5, 7))
    const q = Number(finding.period.slice(-1))
    // In the quarter's last month, so that a missing 主题党日 of that month (MTG-6) is fixed as well.
    const heldOn = `${year}-${String(q * 3).padStart(2, '0')}-16`
    const types = [...new Set(due.map((x) => RULE_TYPE[x.rule]))]
    const before = (await admin.get(`/api/v1/compliance?org_id=${org.id}&year=${year}`)).body
    assert.equal(before.rows[0].months[month - 1].status, 'red', 'the quarter-end month is red before')

    const page = await newPage(browser, server.baseUrl, { viewport: { width: 1366, height: 900 } })
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    await page.locator('[data-test=menu-compliance]').click()
    await page.waitForURL((x) => x.pathname === '/compliance')
    if (year !== Number(today().slice(0, 4))) await page.goto(`/compliance?year=${year}`)
    const county = (await admin.get(`/api/v1/compliance?year=${year}`)).body
    await page.locator('[data-test=compliance-percent]').filter({ hasText: `${county.percent}%` }).waitFor()
    await page.locator('[data-test=heatmap] canvas').first().waitFor()
    await page.locator('[data-test=worst] .worst-item').first().waitFor()
    await screenshot(page, 'compliance-county', { fullPage: false })

    // Drill down along the branch's path by clicking cells: county → township → … → the branch.
    const path = org.path.split('/').filter(Boolean).map(Number)
    const start = path.indexOf(server.rootOrgId)
    for (let i = start + 1; i < path.length; i++) {
      await clickCell(page, path[i], 1)
      await page.waitForURL((x) => Number(x.searchParams.get('org_id')) === path[i])
      await page.locator(`[data-test=compliance-crumbs] [data-test=crumb-${path[i]}]`).waitFor()
      if (i < path.length - 1) await page.locator(`[data-test=heatmap-table] [data-test=heat-row-${path[i + 1]}]`).waitFor({ state: 'attached' })
    }
    await page.locator('[data-test=compliance-scope]').filter({ hasText: org.name }).waitFor()
    const cell = page.locator(`[data-test=heat-cell-${org.id}-${month}]`)
    assert.equal(await cell.getAttribute('data-status'), 'red')
    const f = page.locator(`[data-test=finding-MTG-1-${finding.period}]`)
    await f.waitFor()
    await screenshot(page, 'compliance-branch-before', { fullPage: false })

    // 补录: the form comes with the branch and the types; the date is the user's to give.
    await f.locator(`[data-test=record-MTG-1-${finding.period}]`).click()
    const dlg = page.locator('.meeting-form-dialog')
    await dlg.locator('[data-test=mf-hint]').filter({ hasText: finding.message }).waitFor()
    assert.ok(await dlg.locator('[data-test=mf-type-branch_congress]').evaluate((el) => el.classList.contains('is-checked')))
    for (const t of types) {
      const tag = dlg.locator(`[data-test=mf-type-${t}]`)
      if (!(await tag.evaluate((el) => el.classList.contains('is-checked')))) await tag.click()
    }
    if (types.includes('lecture')) await dlg.locator('[data-test=mf-lecturer] input').fill('支部书记')
    const date = dlg.locator('[data-test=mf-held_on] input')
    await date.fill(heldOn)
    await date.press('Enter')
    await dlg.locator('[data-test=mf-place] input').click()
    assert.equal(await date.inputValue(), heldOn)
    await screenshot(page, 'compliance-record-form', { fullPage: false })
    await dlg.locator('[data-test=mf-save]').click()
    await dlg.waitFor({ state: 'hidden' })

    // The finding is gone, the cell is green and the branch's percent went up.
    await f.waitFor({ state: 'detached' })
    await page.locator(`[data-test=heat-cell-${org.id}-${month}][data-status=green]`).waitFor()
    const afterBranch = (await admin.get(`/api/v1/compliance?org_id=${org.id}&year=${year}`)).body
    assert.ok(afterBranch.percent > before.percent, `percent ${before.percent} → ${afterBranch.percent}`)
    await page.locator('[data-test=compliance-percent]').filter({ hasText: `${afterBranch.percent}%` }).waitFor()
    const left = (await admin.get(`/api/v1/findings?org_id=${org.id}&rule=MTG-1&from=${year}-01-01&to=${year}-12-31`)).body.items
    assert.ok(!left.some((x) => x.period === finding.period), 'the MTG-1 finding of that quarter is gone')
    const meetings = (await admin.get(`/api/v1/meetings?org_id=${org.id}&from=${heldOn}&to=${heldOn}`)).body.items
    assert.equal(meetings.length, 1)
    assert.deepEqual([...meetings[0].types].sort(), [...types].sort())
    await screenshot(page, 'compliance-branch-after', { fullPage: false })

    // Up one level by the breadcrumb: the parent's row for the branch shows the better percent.
    const parent = path[path.length - 2]
    await page.locator(`[data-test=compliance-crumbs] [data-test=crumb-${parent}]`).click()
    await page.waitForURL((x) => Number(x.searchParams.get('org_id') || server.rootOrgId) === parent)
    await page.locator(`[data-test=heat-row-${org.id}][data-percent="${afterBranch.percent}"]`).waitFor()
    // The branch's meeting list is one click away.
    await page.goto(`/compliance?org_id=${org.id}&year=${year}`)
    await page.locator('[data-test=branch-meetings]').click()
    await page.waitForURL((x) => x.pathname === '/meetings' && Number(x.searchParams.get('org_id')) === org.id)
    await page.locator(`[data-test=meetings-table] tr.meeting-row-${meetings[0].id}`).waitFor()
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('the dashboard on a phone: heat map fits, worst list, year selector', T, async () => {
    const page = await newPage(browser, server.baseUrl, PHONE)
    const u = login('org_admin')
    await loginAs(page, u.username, u.password, '/')
    await page.goto('/compliance')
    await page.locator('[data-test=heatmap] canvas').first().waitFor()
    await page.locator('[data-test=worst] .worst-item').first().waitFor()
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the dashboard fits a 390px phone (scrollWidth ${width})`)
    await screenshot(page, 'compliance-phone')
    // The worst offender opens that branch with its findings.
    const first = page.locator('[data-test=worst] .worst-item').first()
    const id = Number((await first.getAttribute('data-test')).replace('worst-', ''))
    await first.click()
    await page.waitForURL((x) => Number(x.searchParams.get('org_id')) === id)
    await page.locator('[data-test=branch-findings] .finding').first().waitFor()
    await screenshot(page, 'compliance-branch-phone')
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('inbox: header badge with the count, table with rule IDs, link to meetings, CSV digest', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = login('org_admin')
    await loginAs(page, u.username, u.password, '/')
    const oa = await apiLogin(server.baseUrl, u.username, u.password)
    const inbox = (await oa.get('/api/v1/inbox?per_page=200')).body
    assert.ok(inbox.total > 0, 'the township has open items')
    await page.locator('[data-test=inbox-count]').filter({ hasText: String(inbox.total) }).waitFor({ state: 'attached' })
    await page.locator('[data-test=inbox-badge] .el-badge__content').filter({ hasText: inbox.total > 99 ? '99+' : String(inbox.total) }).waitFor()
    await page.locator('[data-test=inbox-badge]').click()
    await page.waitForURL((x) => x.pathname === '/inbox')
    const rows = page.locator('[data-test=inbox-table] .el-table__body-wrapper tr.el-table__row')
    await rows.first().waitFor()
    assert.equal(await rows.count(), Math.min(20, inbox.total))
    const first = inbox.items[0]
    const firstText = await rows.first().innerText()
    assert.ok(firstText.includes(first.rule) && firstText.includes(first.message), firstText)
    await screenshot(page, 'inbox')

    // CSV: every item, with a BOM and a header, the rule IDs and org names.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=inbox-export]').click()])
    assert.match(download.suggestedFilename(), /^待办提醒_\d{4}-\d{2}-\d{2}\.csv$/)
    const csv = await readFile(await download.path(), 'utf8')
    assert.equal(csv.charCodeAt(0), 0xfeff, 'BOM for Excel')
    const lines = csv.slice(1).trim().split('\r\n')
    assert.equal(lines[0], '类别,规则,事项,党组织,期间,期限,状态,依据,规则版本')
    assert.equal(lines.length, inbox.total + 1)
    assert.ok(lines.some((l) => l.includes(first.rule) && l.includes(first.due_on)))
    assert.ok(!lines.slice(1).some((l) => /^[^,]*,[^,]*,[^,]*,\d+,/.test(l)), 'org names, not ids')

    // The org link opens that org's meetings.
    await rows.first().locator(`[data-test=inbox-org-${first.org_id}]`).click()
    await page.waitForURL((x) => x.pathname === '/meetings' && Number(x.searchParams.get('org_id')) === first.org_id)
    assert.deepEqual(page.djErrors, [])
    await page.context().close()

    const phone = await newPage(browser, server.baseUrl, PHONE)
    await loginAs(phone, u.username, u.password, '/')
    await phone.goto('/inbox')
    await phone.locator('[data-test=inbox-cards] .inbox-card').first().waitFor()
    const width = await phone.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the inbox fits a 390px phone (scrollWidth ${width})`)
    await screenshot(phone, 'inbox-phone')
    await phone.context().close()
  })

  test('rules: the list with IDs and sources; an admin sets a township parameter, history records it', T, async () => {
    const page = await newPage(browser, server.baseUrl, { viewport: { width: 1366, height: 900 } })
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    await page.locator('[data-test=menu-rules]').click()
    await page.waitForURL((x) => x.pathname === '/rules')
    await page.locator('[data-test=rules-table] [data-test=rule-MTG-1]').waitFor()
    const rules = (await admin.get('/api/v1/rules?per_page=200')).body
    const shown = await page.locator('[data-test=rules-table] .el-table__body-wrapper tr.el-table__row').count()
    assert.equal(shown, rules.total)
    await page.locator('input[data-test=rules-q]').fill('党课')
    await page.locator('[data-test=rules-table] [data-test=rule-MTG-5]').waitFor()
    assert.equal(await page.locator('[data-test=rules-table] [data-test=rule-ORG-1]').count(), 0)
    await screenshot(page, 'rules-list', { fullPage: false })

    // 本地参数 of a township: MTG-5 (党课 per quarter, 🔶 local practice) set to 2 with a note.
    const township = (await admin.get(`/api/v1/orgs/${server.rootOrgId}/children?per_page=1`)).body.items[0]
    await page.goto(`/rules?tab=params&org_id=${township.id}`)
    const cell = page.locator('[data-test=param-MTG-5-min_per_quarter]')
    await cell.waitFor()
    const input = cell.locator('input')
    await input.fill('2')
    await input.press('Tab')
    await page.locator('input[data-test=param-note-MTG-5]').fill('本镇要求每季度两次党课')
    await page.locator('[data-test=param-save-MTG-5]').click()
    await page.locator('.el-message--success').filter({ hasText: '党课每季度最少次数' }).waitFor()
    const hist = page.locator('[data-test=params-history] .el-table__body-wrapper tr.el-table__row').first()
    await hist.filter({ hasText: '本镇要求每季度两次党课' }).waitFor()
    const p = (await admin.get(`/api/v1/rules/params?org_id=${township.id}`)).body
    assert.equal(p.params.find((x) => x.rule === 'MTG-5').value, '2')
    assert.equal(p.history[0].note, '本镇要求每季度两次党课')
    await screenshot(page, 'rules-params', { fullPage: false })
    // Back to the default so the other tests see the county's rules.
    const reset = await admin.send('PUT', '/api/v1/rules/params', { org_id: township.id, rule: 'MTG-5', param: 'min_per_quarter', value: 1, note: '恢复' })
    assert.equal(reset.status, 200, JSON.stringify(reset.body))
    assert.deepEqual(page.djErrors, [])
    await page.context().close()

    // An org_admin reads the parameters but cannot change them.
    const oaPage = await newPage(browser, server.baseUrl)
    const o = login('org_admin')
    await loginAs(oaPage, o.username, o.password, '/')
    await oaPage.goto('/rules?tab=params')
    await oaPage.locator('[data-test=param-MTG-5-min_per_quarter]').waitFor()
    assert.equal(await oaPage.locator('[data-test=param-save-MTG-5]').count(), 0)
    assert.ok(await oaPage.locator('[data-test=param-MTG-5-min_per_quarter] input').isDisabled())
    await oaPage.context().close()
  })
})
