// develop.test.mjs — browser tests of 发展党员 and 组织关系转接 on the demo county: a whole case from the
// application to conversion through the UI (25-step timeline, the step dialog with mentors / sponsors / 政审 /
// training / decision, a DEV-A3 refusal that the township admin cannot override and the county admin overrides
// with a reason), the member it creates (正式党员, converted on the end of probation), the documents, the
// 时间线审核 tool, the annual plan, a transfer within the county (the member moves), the 党籍状态 card, and
// the phone layout
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, newPage, loginAs, apiLogin, idNumber, screenshot } from './helpers.mjs'

const T = { timeout: 120000 }
const PHONE = { viewport: { width: 390, height: 844 }, mobile: true }

// ---- dates relative to today (the server's calendar is +08:00); months clamp like the server (S-3) ----
const pad = (n) => String(n).padStart(2, '0')
function today() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)
}
function addMonths(s, n) {
  const [y, m, d] = s.split('-').map(Number)
  const total = y * 12 + (m - 1) + n
  const ry = Math.floor(total / 12)
  const rm = (total % 12) + 1
  const last = new Date(Date.UTC(ry, rm, 0)).getUTCDate()
  return `${ry}-${pad(rm)}-${pad(Math.min(d, last))}`
}
function addDays(s, n) {
  const [y, m, d] = s.split('-').map(Number)
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10)
}

const CASE_NAME = '司马青云'
const CASE_ID = idNumber('42010219960512161') // born 1996-05-12, male

describe('member development and transfers (demo county)', { timeout: 600000 }, () => {
  let server
  let browser
  let admin // node-side API clients
  let town // chengguan's session user
  let townApi
  let branch // a 党支部 of the township with full members
  let branch2 // another 党支部 of the same township (transfer target)
  let fullMembers // full members of branch
  let caseId
  let D // the case's dates

  const login = (role) => {
    const l = server.logins.find((x) => x.role === role)
    assert.ok(l, `demo prints a ${role} login`)
    return l
  }

  before(async () => {
    server = await startServer({ demo: true })
    browser = await launchBrowser()
    const a = login('admin')
    admin = await apiLogin(server.baseUrl, a.username, a.password)
    const o = login('org_admin')
    townApi = await apiLogin(server.baseUrl, o.username, o.password)
    town = (await townApi.get('/api/v1/session')).body.user
    const kids = (await townApi.get(`/api/v1/orgs/${town.org_id}/children?per_page=200`)).body.items
    const branches = kids.filter((k) => k.kind === 'branch')
    assert.ok(branches.length >= 2, 'the township has two 党支部')
    for (const b of branches) {
      const r = (await townApi.get(`/api/v1/members?org_id=${b.id}&subtree=0&category=full&status=active&per_page=200`)).body
      if (!branch && r.total >= 4) {
        branch = b
        fullMembers = r.items
      } else if (branch && !branch2) branch2 = b
    }
    assert.ok(branch && branch2, 'two branches, the first with ≥4 full members')

    // Today's dates for a case that applied a little over two years ago (every date ≤ today).
    const A = addMonths(today(), -27)
    const s3 = addDays(addMonths(A, 1), 6)
    const s7 = addMonths(s3, 12) // DEV-C1: exactly one year after becoming an activist
    const s15 = addDays(s7, 30)
    const s17 = addDays(s15, 30)
    D = {
      1: A,
      2: addDays(addMonths(A, 1), 1), // one day past the DEV-A3 deadline: refused, then overridden
      3: s3,
      4: addDays(s3, 3),
      5: addDays(s3, 5),
      6: addMonths(s3, 6),
      7: s7,
      8: addDays(s7, 2),
      9: addDays(s7, 5),
      10: addDays(s7, 10),
      11: addDays(s7, 15),
      12: addDays(s7, 20),
      13: addDays(s7, 25),
      14: addDays(s7, 27),
      15: s15,
      16: addDays(s15, 7),
      17: s17,
      18: addDays(s17, 5),
      19: addDays(s17, 3),
      20: addDays(s17, 7),
      21: addDays(s17, 60),
      22: addMonths(s15, 11),
      23: addMonths(s15, 12),
      24: addDays(addMonths(s15, 12), 10),
    }
    assert.ok(D[24] <= today(), `the last step ${D[24]} is not in the future`)

    // A few other cases so the board has something in every column.
    const others = [
      ['欧阳晓', '42010219990101002', 1],
      ['上官敏', '42010219980202003', 3],
      ['诸葛平', '42010219970303004', 7],
    ]
    for (const [name, id17, upto] of others) {
      const applied = addMonths(today(), -16)
      const r = await townApi.send('POST', '/api/v1/dev/cases', { org_id: branch.id, name, id_number: idNumber(id17), applied_on: applied })
      assert.equal(r.status, 201, JSON.stringify(r.body))
      const steps = [
        [2, addDays(applied, 10)],
        [3, addDays(applied, 20)],
        [5, addDays(applied, 22), { mentor_ids: [fullMembers[0].id] }],
        [7, addMonths(addDays(applied, 20), 12)],
      ].filter(([n]) => n <= upto)
      for (const [step, done_on, data] of steps) {
        let body = { step, done_on, data }
        if (step === 7 && done_on >= r.body.check.switch_on) {
          body.data = { publicized_from: addDays(done_on, -9), publicized_to: addDays(done_on, -3) }
        }
        const s = await townApi.send('POST', `/api/v1/dev/cases/${r.body.id}/steps`, body)
        assert.equal(s.status, 201, JSON.stringify(s.body))
      }
    }
  })

  after(async () => {
    if (browser) await browser.close()
    if (server) assert.equal(await server.stop(), 0, 'server should exit 0 on SIGTERM')
  })

  // ---- UI helpers ----
  async function setDate(input, value) {
    await input.click()
    await input.fill(value)
    await input.press('Enter')
  }

  /** Open 登记下一步, choose the step, fill date and data, save; resolves when the step shows as done. */
  async function recordStep(page, no, done_on, fill) {
    await page.locator('[data-test=dev-next-step]').click()
    const dlg = page.locator('[data-test=dev-step-dialog]')
    await dlg.waitFor()
    await dlg.locator(`[data-test=ds-step-${no}]`).click()
    await setDate(dlg.locator('[data-test=ds-done_on] input'), done_on)
    if (fill) await fill(dlg)
    await dlg.locator('[data-test=ds-save]').click()
    await page.locator(`[data-test=dev-step-${no}][data-state=done]`).waitFor()
    await dlg.waitFor({ state: 'hidden' })
    return dlg
  }

  async function pickMembers(page, dlg, field, ids) {
    await dlg.locator(`[data-test=${field}] .el-select__wrapper`).click()
    for (const id of ids) {
      await page.locator(`.el-select-dropdown [data-test=pick-member-${id}]`).filter({ visible: true }).click()
    }
    // close the dropdown without closing the dialog
    await dlg.locator('.el-dialog__title').click()
  }

  async function fillPublicityIfAsked(dlg, on) {
    // From the 2026 switch date, 确定发展对象 needs a ≥5-working-day 公示 first (DEV-C1 ⚠️).
    if (await dlg.locator('[data-test=ds-publicity]').isVisible()) {
      const inputs = dlg.locator('[data-test=ds-publicity] input')
      await inputs.nth(0).fill(addDays(on, -9))
      await inputs.nth(1).fill(addDays(on, -3))
      await inputs.nth(1).press('Enter')
    }
  }

  test('a case from the application to conversion: board, steps, DEV-A3 refused and overridden by the admin, documents', T, async () => {
    const page = await newPage(browser, server.baseUrl, { viewport: { width: 1366, height: 900 } })
    const o = login('org_admin')
    await loginAs(page, o.username, o.password, '/')

    // The menu leads to the board of the township: three cases from the setup, by stage.
    await page.locator('[data-test=menu-develop]').click()
    await page.waitForURL((u) => u.pathname === '/develop')
    await page.locator('[data-test=dev-count-applicant]').filter({ hasText: /^1$/ }).waitFor()
    await page.locator('[data-test=dev-count-activist]').filter({ hasText: /^1$/ }).waitFor()
    await page.locator('[data-test=dev-count-candidate]').filter({ hasText: /^1$/ }).waitFor()
    await page.locator('[data-test=dev-count-probationary]').filter({ hasText: /^0$/ }).waitFor()
    await page.locator(`[data-test=dev-board-table] .dev-board-row-${branch.id}`).filter({ hasText: branch.name }).waitFor()
    await screenshot(page, 'develop-board-desktop')

    // 新建申请: the branch, name, 身份证号 (birth date and sex derived), the application date.
    await page.locator('[data-test=dev-create]').click()
    const cd = page.locator('[data-test=dev-create-dialog]')
    await cd.waitFor()
    await cd.locator('[data-test=fi-org_id] .el-select__wrapper').click()
    await page.locator(`.org-picker-popper [data-test=pick-org-${branch.id}]`).filter({ visible: true }).click()
    await cd.locator('[data-test=fi-name] input').fill(CASE_NAME)
    await cd.locator('[data-test=fi-id_number] input').fill(CASE_ID)
    await cd.locator('[data-test=hint-id_number]').filter({ hasText: '校验通过' }).waitFor()
    await setDate(cd.locator('[data-test=fi-applied_on] input'), D[1])
    await cd.locator('[data-test=entity-save]').click()
    await page.waitForURL((u) => /^\/develop\/\d+$/.test(u.pathname))
    caseId = Number(new URL(page.url()).pathname.split('/').pop())
    await page.locator('[data-test=dev-case-name]').filter({ hasText: CASE_NAME }).waitFor()
    await page.locator('[data-test=dev-step-1][data-state=done]').filter({ hasText: D[1] }).waitFor()
    await page.locator('[data-test=dev-step-2][data-state=next]').filter({ hasText: `应在 ${addMonths(D[1], 1)} 前谈话` }).waitFor()

    // The talk a month and a day after the application: refused with DEV-A3; a township admin cannot override.
    await page.locator('[data-test=dev-next-step]').click()
    const dlg = page.locator('[data-test=dev-step-dialog]')
    await dlg.locator('[data-test=ds-step-2]').click()
    await setDate(dlg.locator('[data-test=ds-done_on] input'), D[2])
    await dlg.locator('[data-test=ds-save]').click()
    await dlg.locator('[data-test=ds-refusal-message]').filter({ hasText: 'DEV-A3' }).waitFor()
    assert.match(await dlg.locator('[data-test=ds-refusal]').innerText(), /一个月内派人谈话[\s\S]*DEV-A3/)
    await dlg.locator('[data-test=ds-override-hint]').waitFor()
    assert.equal(await dlg.locator('[data-test=ds-override]').count(), 0, 'no override for an org_admin')
    await screenshot(page, 'develop-step-refused-desktop')
    await dlg.locator('.el-dialog__headerbtn').click()
    await dlg.waitFor({ state: 'hidden' })

    // The county admin records the same date with a reason (audited).
    const ap = await newPage(browser, server.baseUrl, { viewport: { width: 1366, height: 900 } })
    const a = login('admin')
    await loginAs(ap, a.username, a.password, '/')
    await ap.goto(`/develop/${caseId}`)
    await ap.locator('[data-test=dev-next-step]').click()
    const adlg = ap.locator('[data-test=dev-step-dialog]')
    await adlg.locator('[data-test=ds-step-2]').click()
    await setDate(adlg.locator('[data-test=ds-done_on] input'), D[2])
    await adlg.locator('[data-test=ds-save]').click()
    await adlg.locator('[data-test=ds-refusal-message]').filter({ hasText: 'DEV-A3' }).waitFor()
    await adlg.locator('[data-test=ds-override-submit]').click()
    await adlg.locator('[data-test=ds-override] .el-form-item__error').filter({ hasText: '请填写理由' }).waitFor()
    const reason = '申请人外出务工，经镇党委同意延后一天谈话'
    await adlg.locator('[data-test=ds-override-reason]').fill(reason)
    await adlg.locator('[data-test=ds-override-submit]').click()
    await ap.locator('[data-test=dev-step-2][data-state=done] [data-test=dev-step-override]').filter({ hasText: reason }).waitFor()
    await ap.locator('[data-test=dev-step-2] [data-test=dev-step-finding-DEV-A3]').waitFor()
    await screenshot(ap, 'develop-override-desktop')
    const au = login('auditor')
    const auditor = await apiLogin(server.baseUrl, au.username, au.password)
    const audit = (await auditor.get('/api/v1/audit?per_page=5')).body
    assert.ok(JSON.stringify(audit).includes('dev.step_override'), 'the override is audited')
    await ap.context().close()

    // Back as the township admin: the remaining steps in order, with the data each needs.
    await page.reload()
    await page.locator('[data-test=dev-step-2][data-state=done]').waitFor()
    const [m1, m2] = fullMembers
    await recordStep(page, 3, D[3])
    await page.locator('[data-test=dev-case-stage]').filter({ hasText: '入党积极分子' }).waitFor()
    await recordStep(page, 4, D[4])
    await recordStep(page, 5, D[5], (d) => pickMembers(page, d, 'ds-mentors', [m1.id, m2.id]))
    await page.locator('[data-test=dev-step-5]').filter({ hasText: `培养联系人：${m1.name}、${m2.name}` }).waitFor()
    await recordStep(page, 6, D[6])
    await page.locator('[data-test=dev-step-7][data-state=next]').filter({ hasText: `最早 ${D[7]}` }).waitFor()
    await recordStep(page, 7, D[7], (d) => fillPublicityIfAsked(d, D[7]))
    await page.locator('[data-test=dev-case-stage]').filter({ hasText: '发展对象' }).waitFor()
    await recordStep(page, 8, D[8])
    await recordStep(page, 9, D[9], (d) => pickMembers(page, d, 'ds-sponsors', [m1.id, m2.id]))
    await recordStep(page, 10, D[10], (d) => d.locator('[data-test=ds-conclusion-qualified]').click())
    await recordStep(page, 11, D[11], async (d) => {
      await d.locator('[data-test=ds-training-days] input').fill('3')
      await d.locator('[data-test=ds-training-hours] input').fill('24')
    })
    await page.locator('[data-test=dev-step-11]').filter({ hasText: '集中培训 3 天、24 学时' }).waitFor()
    for (const n of [12, 13, 14]) await recordStep(page, n, D[n])
    await recordStep(page, 15, D[15])
    await page.locator('[data-test=dev-case-stage]').filter({ hasText: '预备党员' }).waitFor()
    await page.locator('[data-test=dev-case-member]').waitFor()
    await page.locator('[data-test=dev-dl-probation_end]').filter({ hasText: addMonths(D[15], 12) }).waitFor()
    for (const n of [16, 17, 18, 19, 20, 21, 22]) await recordStep(page, n, D[n])
    await recordStep(page, 23, D[23], (d) => d.locator('[data-test=ds-decision-convert]').click())
    await recordStep(page, 24, D[24])
    await page.locator('[data-test=dev-case-status]').filter({ hasText: '已转正' }).waitFor()
    await page.locator('[data-test=dev-case-stage]').filter({ hasText: '正式党员' }).waitFor()
    assert.equal(await page.locator('[data-test=dev-next-step]').count(), 0, 'a converted case takes no more steps')
    // dev-2014 / dev-2026 tags by each step's date (R-VER-1)
    const kase = (await townApi.get(`/api/v1/dev/cases/${caseId}`)).body
    const sw = kase.check.switch_on
    for (const s of kase.steps) assert.equal(s.rule_set, s.done_on >= sw ? 'dev-2026' : 'dev-2014', `step ${s.step} on ${s.done_on}`)
    const tags = await page.locator('[data-test=dev-step-24] [data-test=dev-step-ruleset]').innerText()
    assert.match(tags, D[24] >= sw ? /dev-2026/ : /dev-2014/)

    await page.setViewportSize({ width: 1366, height: 3000 })
    await screenshot(page, 'develop-case-desktop')
    await page.setViewportSize({ width: 1366, height: 900 })

    // The member: 正式党员, converted on the end of probation (DEV-T6), in the branch's register.
    const memberId = kase.member_id
    assert.ok(memberId, 'admission created a member record')
    const probationEnd = addMonths(D[15], 12)
    await page.goto(`/members?org_id=${branch.id}&q=${encodeURIComponent(CASE_NAME)}`)
    const row = page.locator('[data-test=members-table] .el-table__body-wrapper tr.el-table__row').filter({ hasText: CASE_NAME })
    await row.waitFor()
    const m = (await townApi.get(`/api/v1/members/${memberId}`)).body
    assert.equal(m.joined_on, D[15], 'joined on the day of the 支部大会 (DEV-X2)')
    assert.equal(m.category, 'full', `the member is 正式党员 after conversion (got ${m.category})`)
    assert.equal(m.converted_on, probationEnd, 'converted_on is the end of probation (DEV-T6)')
    assert.match(await row.innerText(), /正式党员/)
    await page.goto(`/members/${memberId}`)
    await page.locator('[data-test=mf-category]').filter({ hasText: '正式党员' }).waitFor()
    await page.locator('[data-test=mf-converted_on]').filter({ hasText: probationEnd }).waitFor()
  })

  test('documents: grouped by stage, printed alone, PDF download', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const o = login('org_admin')
    await loginAs(page, o.username, o.password, '/')
    await page.goto(`/develop/${caseId}`)
    await page.locator('[data-test=dev-case-tabs] .el-tabs__item').filter({ hasText: '发展材料' }).click()
    await page.locator('[data-test=doc-stage-1] .dev-paper').first().waitFor()
    const docs = (await townApi.get(`/api/v1/dev/cases/${caseId}/documents`)).body.items
    assert.ok(docs.length > 0)
    assert.equal(await page.locator('[data-test=dev-docs] .dev-paper').count(), docs.length)
    assert.match(await page.locator('[data-test=doc-stage-1]').innerText(), new RegExp(CASE_NAME))
    // 打印 prints only the stage's pages (window.print stubbed; the print root holds the copy).
    await page.evaluate(() => {
      window.print = () => {
        window.__printed = document.getElementById('dj-print-root').innerText
      }
    })
    await page.locator('[data-test=doc-print-1]').click()
    const printed = await page.evaluate(() => window.__printed)
    assert.match(printed, new RegExp(docs.find((d) => d.stage === 1).title))
    assert.doesNotMatch(printed, new RegExp(docs.find((d) => d.stage !== 1).title))
    const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=doc-pdf-all]').click()])
    assert.match(dl.suggestedFilename(), /\.pdf$/)
    await screenshot(page, 'develop-documents-desktop')
  })

  test('时间线审核: the worked example gives DEV-A3, DEV-C1 and DEV-C4 and the deadlines', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const o = login('org_admin')
    await loginAs(page, o.username, o.password, '/')
    await page.goto('/develop?tab=check')
    await page.locator('[data-test=dc-example]').click()
    for (const r of ['DEV-A3', 'DEV-C1', 'DEV-C4']) await page.locator(`[data-test=dc-finding-${r}]`).waitFor()
    await page.locator('[data-test=dc-summary]').filter({ hasText: '发现 3 个问题' }).waitFor()
    await page.locator('[data-test=dc-dl-earliest_target_on]').filter({ hasText: '2026-03-10' }).waitFor()
    await page.locator('[data-test=dc-dl-talk_by]').filter({ hasText: '2025-02-15' }).waitFor()
    // Fixing the dates clears the findings.
    await setDate(page.locator('[data-test=dc-talked_on] input'), '2025-02-15')
    await setDate(page.locator('[data-test=dc-target_on] input'), '2026-03-10')
    await page.locator('[data-test=dc-training_days] input').fill('3')
    await page.locator('[data-test=dc-run]').click()
    await page.locator('[data-test=dc-ok]').waitFor()
    await screenshot(page, 'develop-check-desktop')
  })

  test('annual plan: an admin sets a branch quota on the board', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const a = login('admin')
    await loginAs(page, a.username, a.password, '/')
    await page.goto(`/develop?org_id=${town.org_id}`)
    await page.locator(`[data-test=dev-quota-edit-${branch.id}]`).click()
    await page.locator('[data-test=dev-quota-input] input').fill('5')
    await page.locator('[data-test=dev-quota-save]').click()
    await page.locator(`[data-test=dev-quota-${branch.id}]`).filter({ hasText: /^5$/ }).waitFor()
    const b = (await admin.get(`/api/v1/dev/board?org_id=${town.org_id}`)).body
    assert.equal(b.rows.find((r) => r.org_id === branch.id).quota, 5)
  })

  test('transfer within the county: 开具介绍信, the letter, 确认接收 moves the member', T, async () => {
    const page = await newPage(browser, server.baseUrl, { viewport: { width: 1366, height: 900 } })
    const o = login('org_admin')
    await loginAs(page, o.username, o.password, '/')
    const mover = fullMembers[3]
    await page.locator('[data-test=menu-transfers]').click()
    await page.waitForURL((u) => u.pathname === '/transfers')
    await page.locator('[data-test=transfer-create]').click()
    const dlg = page.locator('[data-test=transfer-dialog]')
    await dlg.waitFor()
    await dlg.locator('[data-test=tf-member] input').fill(mover.name)
    await page.locator(`.el-select-dropdown [data-test=pick-member-${mover.id}]`).filter({ visible: true }).click()
    await dlg.locator('[data-test=tf-to-org] .el-select__wrapper').click()
    await page.locator(`.org-picker-popper [data-test=pick-org-${branch2.id}]`).filter({ visible: true }).click()
    // Validity is at most 90 days (REL-6).
    await dlg.locator('[data-test=tf-valid_days] input').fill('120')
    await dlg.locator('[data-test=tf-valid_days] input').press('Tab')
    assert.equal(await dlg.locator('[data-test=tf-valid_days] input').inputValue(), '90')
    await dlg.locator('[data-test=tf-valid_days] input').fill('30')
    await dlg.locator('[data-test=tf-valid_days] input').press('Tab')
    await dlg.locator('[data-test=tf-valid-until]').filter({ hasText: addDays(today(), 30) }).waitFor()
    const month = today().slice(0, 7)
    await dlg.locator('[data-test=tf-dues] input').fill(month)
    await dlg.locator('[data-test=tf-dues] input').press('Enter')
    await dlg.locator('[data-test=tf-reason] input').fill('工作调动')
    await screenshot(page, 'transfer-dialog-desktop')
    await dlg.locator('[data-test=tf-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    const list = (await townApi.get('/api/v1/transfers?status=issued')).body.items
    const t = list.find((x) => x.member_id === mover.id)
    assert.ok(t, 'the letter is issued')
    assert.equal(t.to_org_id, branch2.id)
    assert.equal(t.dues_paid_to, month)
    const row = page.locator(`[data-test=transfer-table] .transfer-row-${t.id}`)
    await row.filter({ hasText: '待接收' }).waitFor()

    // The printable three-part letter opens in a new tab.
    const [letter] = await Promise.all([page.context().waitForEvent('page'), row.locator(`[data-test=transfer-letter-${t.id}]`).click()])
    await letter.waitForLoadState()
    const text = await letter.locator('body').innerText()
    assert.match(text, /中国共产党党员组织关系介绍信/)
    assert.match(text, new RegExp(mover.name))
    assert.match(text, new RegExp(t.letter_no))
    await letter.close()

    // 确认接收 (the township covers the receiving branch): the member moves.
    await row.locator(`[data-test=transfer-receive-${t.id}]`).click()
    const rd = page.locator('[data-test=receive-dialog]')
    await rd.waitFor()
    await rd.locator('[data-test=receive-confirm]').click()
    await rd.waitFor({ state: 'hidden' })
    await row.filter({ hasText: '已接收' }).waitFor()
    const moved = (await townApi.get(`/api/v1/members/${mover.id}`)).body
    assert.equal(moved.org_id, branch2.id, 'the member now belongs to the receiving branch')
    await screenshot(page, 'transfers-desktop')

    // 状态 filter
    await page.locator('[data-test=transfer-status]').getByText('待接收').click()
    await page.waitForURL((u) => u.searchParams.get('status') === 'issued')
    await row.waitFor({ state: 'detached' })

    // Phone: cards
    const phone = await newPage(browser, server.baseUrl, PHONE)
    await loginAs(phone, o.username, o.password, '/')
    await phone.goto('/transfers')
    await phone.locator(`[data-test=transfer-${t.id}]`).filter({ hasText: '已接收' }).waitFor()
    await screenshot(phone, 'transfers-phone')
    assert.deepEqual(phone.djErrors, [])
  })

  test('党籍状态: 变更状态 with confirmation; the server refuses ST-1 with its reason', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const o = login('org_admin')
    await loginAs(page, o.username, o.password, '/')
    const who = fullMembers[2]
    await page.goto(`/members/${who.id}`)
    await page.locator('[data-test=status-current]').filter({ hasText: '正常' }).waitFor()
    await page.locator('[data-test=status-change]').click()
    const dlg = page.locator('[data-test=status-dialog]')
    await dlg.locator('[data-test=sf-status-lost_contact]').click()
    await dlg.locator('[data-test=sf-hint]').filter({ hasText: 'ST-1' }).waitFor()
    await dlg.locator('[data-test=sf-reason] textarea').fill('外出务工，电话停机')
    await dlg.locator('[data-test=sf-save]').click()
    await page.locator('.el-message-box').filter({ hasText: '由“正常”变更为“失联”' }).waitFor()
    await page.locator('.el-message-box .confirm-status-change').click()
    await dlg.waitFor({ state: 'hidden' })
    await page.locator('[data-test=status-history]').filter({ hasText: '正常 → 失联' }).waitFor()
    await page.locator('[data-test=status-current]').filter({ hasText: '失联' }).waitFor()

    // Suspending today is refused: lost contact for less than 6 months (ST-1), said in Chinese.
    await page.locator('[data-test=status-change]').click()
    await dlg.locator('[data-test=sf-status-suspended]').click()
    await dlg.locator('[data-test=sf-reason] textarea').fill('长期失联')
    await dlg.locator('[data-test=sf-evidence] textarea').fill('多次电话、走访家属均未联系上')
    await dlg.locator('[data-test=sf-save]').click()
    await page.locator('.el-message-box .confirm-status-change').click()
    await dlg.locator('[data-test=sf-on] .el-form-item__error').filter({ hasText: /未满 6 个月.*ST-1/ }).waitFor()
    await screenshot(page, 'member-status-refused-desktop')
    await dlg.locator('.el-dialog__headerbtn').click()
    assert.deepEqual(page.djErrors.filter((e) => !/status of 4\d\d/.test(e)), [])
  })

  test('phone: board and case timeline', T, async () => {
    const page = await newPage(browser, server.baseUrl, PHONE)
    const o = login('org_admin')
    await loginAs(page, o.username, o.password, '/')
    await page.goto(`/develop?org_id=${branch.id}&status=all`)
    await page.locator('[data-test=dev-col-full] [data-test=dev-card-' + caseId + ']').waitFor()
    const w = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(w <= 392, `no sideways scrolling on a phone (scrollWidth ${w})`)
    await screenshot(page, 'develop-board-phone')
    await page.locator(`[data-test=dev-card-${caseId}]`).click()
    await page.waitForURL((u) => u.pathname === `/develop/${caseId}`)
    await page.locator('[data-test=dev-step-24][data-state=done]').waitFor()
    await screenshot(page, 'develop-case-phone')
    await page.locator('[data-test=dev-stage-2]').scrollIntoViewIfNeeded()
    await screenshot(page, 'develop-case-timeline-phone', { fullPage: false })
    const w2 = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(w2 <= 392, `no sideways scrolling on a phone (scrollWidth ${w2})`)

    // The step dialog fills the screen: a 发展对象 from the setup, sponsors next.
    const other = (await townApi.get(`/api/v1/dev/cases?org_id=${branch.id}&stage=candidate`)).body.items[0]
    await page.goto(`/develop/${other.id}`)
    await page.locator('[data-test=dev-next-step]').click()
    const dlg = page.locator('[data-test=dev-step-dialog]')
    await dlg.locator('[data-test=ds-step-9]').click()
    await dlg.locator('[data-test=ds-sponsors]').waitFor()
    await screenshot(page, 'develop-step-dialog-phone', { fullPage: false })
    assert.deepEqual(page.djErrors, [])
  })
})
