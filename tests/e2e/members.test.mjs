// members.test.mjs — browser tests of 党员管理 on the demo county: list filters / sorting / paging / export,
// the generated member form (身份证号 checked as typed, server errors on the field), detail with audited
// reveal and sub-records, edit and delete with a reason, and the phone layout
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { startServer, launchBrowser, newPage, loginAs, apiLogin, pickOption, idNumber, screenshot } from './helpers.mjs'

const T = { timeout: 30000 }
const PHONE = { viewport: { width: 390, height: 844 }, mobile: true }

// A member created through the form in one test and edited / deleted in the next.
const NEW_NAME = '欧阳新华'
const NEW_ID = idNumber('42010219900307123') // born 1990-03-07, male (17th digit odd)
const BAD_ID = idNumber('42010219900307123', { wrong: true })

describe('member register (demo county)', { timeout: 200000 }, () => {
  let server
  let browser
  let admin // node-side API client for setup and checks
  let rootId
  let township // first township under the county
  let branch // first 党支部 under that township
  let created // the member created through the form

  const login = (role) => {
    const l = server.logins.find((x) => x.role === role)
    assert.ok(l, `demo prints a ${role} login`)
    return l
  }
  const total = async (query) => (await admin.get(`/api/v1/members?per_page=1&${query}`)).body.total
  const pagerTotal = (page) => page.locator('[data-test=members-pager] .el-pagination__total')
  const waitTotal = (page, n) => pagerTotal(page).filter({ hasText: new RegExp(`共\\s*${n.toLocaleString('en-US').replace(/,/g, ',?')}\\s*条`) }).waitFor()
  const rows = (page) => page.locator('[data-test=members-table] .el-table__body-wrapper tr.el-table__row')

  before(async () => {
    server = await startServer({ demo: true })
    browser = await launchBrowser()
    const a = login('admin')
    admin = await apiLogin(server.baseUrl, a.username, a.password)
    rootId = server.rootOrgId
    township = (await admin.get(`/api/v1/orgs/${rootId}/children?per_page=1`)).body.items[0]
    const kids = (await admin.get(`/api/v1/orgs/${township.id}/children?per_page=200`)).body.items
    branch = kids.find((o) => o.kind === 'branch')
    assert.ok(branch, 'the first township has a 党支部')
    assert.ok((await total(`org_id=${branch.id}`)) > 0, 'the demo branch has members')
  })

  after(async () => {
    if (browser) await browser.close()
    if (server) assert.equal(await server.stop(), 0, 'server should exit 0 on SIGTERM')
  })

  test('list: tree filter, category / sex filters, search, sorting, paging and export', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')

    // The dashboard's member total is the county's real number.
    const dash = (await admin.get('/api/v1/dashboard')).body
    assert.ok(dash.members_total > 1000, 'the demo county has members')
    await page.locator('[data-test=dash-members-total]').filter({ hasText: dash.members_total.toLocaleString('zh-CN') }).waitFor()

    await page.locator('[data-test=menu-members]').click()
    await page.waitForURL((x) => x.pathname === '/members')
    await waitTotal(page, await total(`org_id=${rootId}`))
    assert.equal(await rows(page).count(), 20)
    // Columns come from /meta: PII is masked by the server, codes shown by label.
    const first = (await admin.get(`/api/v1/members?org_id=${rootId}&per_page=1`)).body.items[0]
    assert.match(first.id_number, /\*{4,}/)
    const firstRow = rows(page).first()
    assert.match(await firstRow.innerText(), new RegExp(first.id_number.replace(/\*/g, '\\*')))
    assert.match(await firstRow.innerText(), new RegExp(first.category_label))

    // Clicking a tree node while on the list filters by that subtree.
    await page.locator(`[data-test=org-tree] [data-test=org-node-${township.id}]`).click()
    await page.waitForURL((x) => x.pathname === '/members' && x.searchParams.get('org_id') === String(township.id))
    await page.locator('[data-test=members-scope]').filter({ hasText: township.name }).waitFor()
    await waitTotal(page, await total(`org_id=${township.id}`))

    // 人员类别 and 性别 filters narrow the list to what the API counts.
    await pickOption(page, page.locator('[data-test=filter-category]'), '预备党员')
    await page.waitForURL((x) => x.searchParams.get('category') === 'probationary')
    await pickOption(page, page.locator('[data-test=filter-sex]'), '女')
    await page.waitForURL((x) => x.searchParams.get('sex') === '2')
    const nProbF = await total(`org_id=${township.id}&category=probationary&sex=2`)
    assert.ok(nProbF > 0, 'the township has female probationary members')
    await waitTotal(page, nProbF)
    const texts = await rows(page).allInnerTexts()
    assert.ok(texts.length > 0 && texts.every((t) => /预备党员/.test(t) && /\s女\s/.test(t)), texts.join('\n'))
    await screenshot(page, 'members-filtered')

    // Search by name (姓名/工作单位).
    const someone = (await admin.get(`/api/v1/members?org_id=${township.id}&category=probationary&sex=2&per_page=1`)).body.items[0]
    await page.locator('[data-test=filter-q]').fill(someone.name)
    await page.locator('[data-test=filter-q]').press('Enter')
    await page.waitForURL((x) => x.searchParams.get('q') === someone.name)
    await waitTotal(page, await total(`org_id=${township.id}&category=probationary&sex=2&q=${encodeURIComponent(someone.name)}`))
    await rows(page).filter({ hasText: someone.name }).first().waitFor()

    // 重置 keeps the organization, drops the rest.
    await page.locator('[data-test=filter-reset]').click()
    await page.waitForURL((x) => x.search === `?org_id=${township.id}`)
    const nTown = await total(`org_id=${township.id}`)
    await waitTotal(page, nTown)

    // Sorting by 出生日期 (server-side): ascending, then descending.
    const header = page.locator('[data-test=members-table] th').filter({ hasText: '出生日期' })
    await header.click()
    await page.waitForURL((x) => x.searchParams.get('sort') === 'birth_date')
    const oldest = (await admin.get(`/api/v1/members?org_id=${township.id}&sort=birth_date&per_page=1`)).body.items[0]
    await rows(page).first().filter({ hasText: oldest.birth_date }).waitFor()
    await header.click()
    await page.waitForURL((x) => x.searchParams.get('sort') === '-birth_date')
    const youngest = (await admin.get(`/api/v1/members?org_id=${township.id}&sort=-birth_date&per_page=1`)).body.items[0]
    await rows(page).first().filter({ hasText: youngest.birth_date }).waitFor()

    // Paging: page 2 starts at row 21 and shows what the API has on page 2.
    const p2 = (await admin.get(`/api/v1/members?org_id=${township.id}&sort=-birth_date&page=2&per_page=20`)).body.items
    await page.locator('[data-test=members-pager] .btn-next').click()
    await page.waitForURL((x) => x.searchParams.get('page') === '2')
    await rows(page).first().filter({ hasText: p2[0].name }).waitFor()
    assert.match(await rows(page).first().locator('td').first().innerText(), /^21$/)
    // A bigger page size (≤200).
    await pickOption(page, page.locator('[data-test=members-pager] .el-pagination__sizes .el-select'), '100条/页')
    await page.waitForURL((x) => x.searchParams.get('per_page') === '100' && !x.searchParams.has('page'))
    await page.waitForFunction(() => document.querySelectorAll('[data-test=members-table] .el-table__body-wrapper tr.el-table__row').length === 100)
    await screenshot(page, 'members-desktop')

    // 导出 Excel downloads the same selection as an xlsx.
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-test=member-export]').click()])
    assert.match(download.suggestedFilename(), /\.xlsx$/)
    const bytes = await readFile(await download.path())
    assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an xlsx is a zip file')

    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('create: 身份证号 checked as typed, saved, listed; detail, reveal, a reward', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    await page.goto(`/members?org_id=${branch.id}`)
    await rows(page).first().waitFor()

    await page.locator('[data-test=member-create]').click()
    const dialog = page.locator('.entity-dialog')
    await dialog.locator('[data-test=fi-name] input').waitFor()
    // The organization defaults to the one the list shows.
    await dialog.locator('[data-test=fi-org_id]').filter({ hasText: branch.name }).waitFor()
    await dialog.locator('[data-test=fi-name] input').fill(NEW_NAME)

    const idItem = dialog.locator('[data-test=fi-id_number]')
    const idInput = idItem.locator('input')
    // Unfinished: a hint, not an error.
    await idInput.pressSequentially('4201021990')
    await dialog.locator('[data-test=hint-id_number]').filter({ hasText: '还差 8 位' }).waitFor()
    assert.equal(await idItem.locator('.el-form-item__error').count(), 0)
    // A wrong check character is flagged while typing, before any submit.
    await idInput.fill(BAD_ID)
    const idError = idItem.locator('.el-form-item__error')
    await idError.filter({ hasText: `校验位错误（最后一位应为 ${NEW_ID.slice(-1)}）` }).waitFor()
    await screenshot(page, 'member-form-invalid-id', { fullPage: false })
    // Saving is refused on the client; the dialog stays.
    await dialog.locator('[data-test=entity-save]').click()
    await page.locator('.el-message--warning').filter({ hasText: '请检查标红的项目' }).waitFor()
    assert.ok(await dialog.isVisible())

    // The right number: no error, birth date and sex derived and shown.
    await idInput.fill(NEW_ID)
    await idError.waitFor({ state: 'detached' })
    const hint = dialog.locator('[data-test=hint-id_number]')
    await hint.filter({ hasText: '出生日期 1990-03-07' }).waitFor()
    assert.match(await hint.innerText(), /性别 男/)
    assert.equal(await dialog.locator('[data-test=fi-birth_date] input').inputValue(), '1990-03-07')
    assert.match(await dialog.locator('[data-test=fi-sex]').innerText(), /男/)
    assert.match(await dialog.locator('[data-test=fi-category]').innerText(), /正式党员/)
    await dialog.locator('[data-test=fi-work_unit] input').fill('青山县城关镇人民政府')

    const posted = page.waitForResponse((r) => r.url().endsWith('/api/v1/members') && r.request().method() === 'POST')
    await dialog.locator('[data-test=entity-save]').click()
    const res = await posted
    assert.equal(res.status(), 201)
    created = await res.json()
    await dialog.waitFor({ state: 'hidden' })
    assert.equal(created.org_id, branch.id)
    assert.equal(created.birth_date, '1990-03-07')

    // In the list (search by name).
    await page.locator('[data-test=filter-q]').fill(NEW_NAME)
    await page.locator('[data-test=filter-q]').press('Enter')
    const row = rows(page).filter({ hasText: NEW_NAME })
    await row.waitFor()
    assert.match(await row.innerText(), /4201\*+1232/)

    // The same number again: the server's answer lands on the 身份证号 field.
    await page.locator('[data-test=member-create]').click()
    await dialog.locator('[data-test=fi-name] input').fill('欧阳重复')
    await idInput.fill(NEW_ID)
    await dialog.locator('[data-test=entity-save]').click()
    await idError.filter({ hasText: '已存在' }).waitFor()
    assert.ok(!(await idError.innerText()).startsWith('身份证号：'), 'the field label is not repeated')
    await dialog.getByRole('button', { name: '取消' }).click()
    await dialog.waitFor({ state: 'hidden' })

    // Detail: masked until 显示完整信息, which is audited.
    await row.locator(`[data-test=member-link-${created.id}]`).click()
    await page.waitForURL((x) => x.pathname === `/members/${created.id}`)
    await page.locator('[data-test=member-name]').filter({ hasText: NEW_NAME }).waitFor()
    const idValue = page.locator('[data-test=mf-id_number]')
    assert.match(await idValue.innerText(), /^4201\*+1232$/)
    assert.match(await page.locator('[data-test=reveal-note]').innerText(), /查看完整身份证号将记入审计日志/)
    const revealed = page.waitForResponse((r) => r.url().includes(`/api/v1/members/${created.id}?reveal=1`))
    await page.locator('[data-test=member-reveal]').click()
    assert.equal((await revealed).status(), 200)
    await idValue.filter({ hasText: NEW_ID }).waitFor()
    await page.locator('[data-test=revealed-tag]').waitFor()
    assert.match(await page.locator('[data-test=mf-org_id]').innerText(), new RegExp(branch.short_name || branch.name))

    // Sub-records: add a reward (奖惩情况).
    await page.locator('[data-test=record-add-rewards]').click()
    const rd = page.locator('.entity-dialog').filter({ hasText: '新增奖惩' })
    await rd.locator('[data-test=fi-kind] input').fill('奖励')
    await rd.locator('[data-test=fi-title] input').fill('优秀共产党员')
    await rd.locator('[data-test=fi-decided_on] input').fill('2024-07-01')
    await rd.locator('[data-test=fi-decided_on] input').press('Enter')
    await rd.locator('[data-test=fi-issuer] input').fill('中共青山县委')
    await rd.locator('[data-test=entity-save]').click()
    await rd.waitFor({ state: 'hidden' })
    const rewardRow = page.locator('[data-test=records-rewards] tr.el-table__row').filter({ hasText: '优秀共产党员' })
    await rewardRow.waitFor()
    assert.match(await rewardRow.innerText(), /2024-07-01/)
    const recs = (await admin.get(`/api/v1/members/${created.id}/records/rewards`)).body.items
    assert.equal(recs.length, 1)
    assert.equal(recs[0].title, '优秀共产党员')
    assert.equal(recs[0].decided_on, '2024-07-01')
    await page.locator('[data-test=member-tabs]').getByText('奖惩情况（1）').waitFor()
    await screenshot(page, 'member-detail-desktop')
    // The duplicate 身份证号 above was refused on purpose (409); nothing else may fail.
    assert.deepEqual(page.djErrors.filter((e) => !/status of 409/.test(e)), [])
    await page.context().close()
  })

  test('edit a member, then delete it with a reason', T, async () => {
    assert.ok(created, 'the previous test created a member')
    const page = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    await page.goto(`/members/${created.id}`)
    await page.locator('[data-test=member-name]').filter({ hasText: NEW_NAME }).waitFor()

    await page.locator('[data-test=member-edit]').click()
    const dialog = page.locator('.entity-dialog').filter({ hasText: '编辑党员' })
    const idInput = dialog.locator('[data-test=fi-id_number] input')
    // PII is not refilled in edit: empty means unchanged; the masked value is the placeholder.
    assert.equal(await idInput.inputValue(), '')
    assert.match(await idInput.getAttribute('placeholder'), /4201\*+1232/)
    await dialog.locator('[data-test=fi-job_title] input').fill('党建办主任')
    const patched = page.waitForResponse((r) => r.url().endsWith(`/api/v1/members/${created.id}`) && r.request().method() === 'PATCH')
    await dialog.locator('[data-test=entity-save]').click()
    const res = await patched
    assert.equal(res.status(), 200)
    assert.deepEqual(JSON.parse(res.request().postData()), { job_title: '党建办主任' }, 'only the changed field is sent')
    await page.locator('[data-test=mf-job_title]').filter({ hasText: '党建办主任' }).waitFor()

    // Delete asks for a reason.
    await page.locator('[data-test=member-delete]').click()
    const del = page.locator('[data-test=member-delete-dialog]')
    await del.locator('[data-test=delete-confirm]').click()
    await del.getByText('请填写删除原因').waitFor()
    await del.locator('[data-test=delete-reason]').fill('重复录入')
    const deleted = page.waitForResponse((r) => r.url().endsWith(`/api/v1/members/${created.id}`) && r.request().method() === 'DELETE')
    await del.locator('[data-test=delete-confirm]').click()
    const dres = await deleted
    assert.ok(dres.status() === 200 || dres.status() === 204, `DELETE answered ${dres.status()}`)
    assert.deepEqual(JSON.parse(dres.request().postData()), { reason: '重复录入' })
    await page.waitForURL((x) => x.pathname === '/members' && x.searchParams.get('org_id') === String(branch.id))
    assert.equal((await admin.get(`/api/v1/members/${created.id}`)).status, 404)
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('phone: member cards, filters behind 筛选, detail and form fit 390px', T, async () => {
    const page = await newPage(browser, server.baseUrl, PHONE)
    const u = login('org_admin')
    await loginAs(page, u.username, u.password, '/')
    const me = (await (await apiLogin(server.baseUrl, u.username, u.password)).get('/api/v1/session')).body.user
    await page.locator('[data-test=hamburger]').click()
    await page.locator('[data-test=menu-members]').click()
    await page.waitForURL((x) => x.pathname === '/members')
    const cards = page.locator('[data-test=member-cards] .member-card')
    await cards.first().waitFor()
    assert.equal(await page.locator('[data-test=members-table]').count(), 0, 'no wide table on a phone')
    assert.equal(await page.locator('[data-test=filter-category]').count(), 0, 'filters folded away')
    await page.locator('[data-test=filter-toggle]').click()
    await pickOption(page, page.locator('[data-test=filter-category]'), '正式党员')
    await page.waitForURL((x) => x.searchParams.get('category') === 'full')
    await page.locator('[data-test=filter-toggle]').filter({ hasText: '（1）' }).waitFor()
    const n = (await admin.get(`/api/v1/members?org_id=${me.org_id}&category=full&per_page=1`)).body.total
    await waitTotal(page, n)
    let width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `list is ${width}px wide`)
    await screenshot(page, 'members-phone', { fullPage: false })

    await cards.first().click()
    await page.waitForURL((x) => /^\/members\/\d+$/.test(x.pathname))
    await page.locator('[data-test=member-fields]').waitFor()
    width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `detail is ${width}px wide`)
    await screenshot(page, 'member-detail-phone', { fullPage: false })

    // The form is a full-screen dialog; the 身份证号 check works the same.
    await page.goBack()
    await page.locator('[data-test=member-create]').click()
    const dialog = page.locator('.entity-dialog')
    await dialog.locator('[data-test=fi-id_number] input').fill(BAD_ID)
    await dialog.locator('[data-test=fi-id_number] .el-form-item__error').filter({ hasText: '校验位错误' }).waitFor()
    await dialog.locator('[data-test=fi-id_number] input').scrollIntoViewIfNeeded()
    await screenshot(page, 'member-form-phone', { fullPage: false })
    width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `form is ${width}px wide`)
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })
})
