// meetings.test.mjs — browser tests of 组织生活 on the demo county (`dangjian demo --seed 1`): recording a
// meeting through the form (types as tags, 讲课人 for 党课), the attendance grid (全部出席, 请假 with a reason,
// 缺席, 迟到) and its summary with the VOTE-2 check, a vote, 报送 and 审核通过; QR sign-in from a phone-sized
// second browser logged in as the demo member, seen live in the admin's dialog and the grid; the member's
// read-only list; calendar and table views
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, newPage, loginAs, submitLogin, apiLogin, screenshot } from './helpers.mjs'

const T = { timeout: 45000 }
const PHONE = { viewport: { width: 390, height: 844 }, mobile: true }

describe('organizational life (demo county)', { timeout: 240000 }, () => {
  let server
  let browser
  let admin // node-side API client for setup and checks
  let memberUser // the demo member's session user (member_id)
  let branch // the member's own 党支部
  let expected // the branch's attendance list for a new meeting

  const login = (role) => {
    const l = server.logins.find((x) => x.role === role)
    assert.ok(l, `demo prints a ${role} login`)
    return l
  }
  const today = () => {
    const d = new Date(Date.now() + 8 * 3600 * 1000) // the server's calendar is +08:00
    return d.toISOString().slice(0, 10)
  }
  const gridRow = (page, memberId) => page.locator(`[data-test=attendance-grid] tr.att-row-${memberId}`)

  before(async () => {
    server = await startServer({ demo: true })
    browser = await launchBrowser()
    const a = login('admin')
    admin = await apiLogin(server.baseUrl, a.username, a.password)
    const m = login('member')
    const member = await apiLogin(server.baseUrl, m.username, m.password)
    memberUser = (await member.get('/api/v1/session')).body.user
    assert.ok(memberUser.member_id, 'the demo member account is linked to a member')
    const rec = (await admin.get(`/api/v1/members/${memberUser.member_id}`)).body
    branch = (await admin.get(`/api/v1/orgs/${rec.org_id}`)).body
    assert.ok(['branch', 'joint_branch'].includes(branch.kind), `the demo member belongs to a 党支部: ${branch.name}`)
  })

  after(async () => {
    if (browser) await browser.close()
    if (server) assert.equal(await server.stop(), 0, 'server should exit 0 on SIGTERM')
  })

  test('record a meeting: form → attendance grid → summary with VOTE-2 → vote → 报送 → 审核通过', T, async () => {
    const page = await newPage(browser, server.baseUrl, { viewport: { width: 1366, height: 900 } })
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')

    // The menu leads to the list; the tree scopes it to the branch; the calendar is the default view.
    await page.locator('[data-test=menu-meetings]').click()
    await page.waitForURL((x) => x.pathname === '/meetings')
    await page.goto(`/meetings?org_id=${branch.id}`)
    await page.locator('[data-test=meeting-calendar] .mt-calendar').waitFor()
    await page.locator('[data-test=meetings-scope]').filter({ hasText: branch.name }).waitFor()
    const month = today().slice(0, 7)
    const inMonth = (await admin.get(`/api/v1/meetings?org_id=${branch.id}&subtree=1&from=${month}-01&to=${today()}&per_page=50`)).body
    assert.ok(inMonth.total > 0, 'the demo branch has meetings this month')
    await page.locator(`[data-test=cal-meeting-${inMonth.items[0].id}]`).waitFor()
    await screenshot(page, 'meetings-calendar')

    // 新建会议: 支部党员大会 + 党课; the 讲课人 appears with 党课 and is required.
    await page.locator('[data-test=meeting-create]').click()
    const dlg = page.locator('.meeting-form-dialog')
    await dlg.waitFor()
    await dlg.locator('[data-test=mf-type-branch_congress]').click()
    assert.equal(await dlg.locator('[data-test=mf-lecturer]').count(), 0, 'no 讲课人 without 党课')
    await dlg.locator('[data-test=mf-type-lecture]').click()
    await dlg.locator('[data-test=mf-lecturer]').waitFor()
    // The title follows the types and the date (held today by default).
    const title = await dlg.locator('[data-test=mf-title] input').inputValue()
    assert.match(title, /支部党员大会/)
    await dlg.locator('[data-test=mf-save]').click()
    await dlg.locator('[data-test=mf-lecturer] .el-form-item__error').filter({ hasText: '党课须填写讲课人' }).waitFor()
    await dlg.locator('[data-test=mf-lecturer] input').fill('张书记')
    await dlg.locator('[data-test=mf-place] input').fill('党员活动室')
    await dlg.locator('[data-test=mf-host] input').fill('支部书记')
    await dlg.locator('[data-test=mf-topics] textarea').fill('学习党章；讨论本季度工作')
    await screenshot(page, 'meeting-form')
    await dlg.locator('[data-test=mf-save]').click()
    await page.waitForURL((x) => /^\/meetings\/\d+$/.test(x.pathname))
    const id = Number(new URL(page.url()).pathname.split('/').pop())
    const saved = (await admin.get(`/api/v1/meetings/${id}`)).body
    assert.deepEqual([...saved.types].sort(), ['branch_congress', 'lecture'])
    assert.equal(saved.held_on, today())
    assert.equal(saved.lecturer, '张书记')
    assert.equal(saved.status, 'held')
    await page.locator('[data-test=meeting-title]').filter({ hasText: title }).waitFor()

    // Nobody is recorded yet: the VOTE-2 check is red.
    expected = (await admin.get(`/api/v1/meetings/${id}/attendance`)).body.items
    const n = expected.length
    assert.ok(n >= 5, `the branch has enough members to vote (${n})`)
    const voting = expected.filter((r) => r.voting)
    await page.locator('[data-test=quorum-VOTE-2][data-ok="0"]').waitFor()
    await page.locator('[data-test=sum-expected] .mini-stat-value').filter({ hasText: String(n) }).waitFor()

    // 全部出席, then one 请假 (needs a reason), one 缺席 and one 迟到.
    const [onLeave, away, late] = voting
    await page.locator('[data-test=attendance-all-present]').click()
    await gridRow(page, onLeave.member_id).locator('[data-test=att-leave]').click()
    await gridRow(page, away.member_id).locator('[data-test=att-absent]').click()
    await gridRow(page, late.member_id).locator('[data-test=att-late]').click()
    await page.locator('[data-test=attendance-dirty]').filter({ hasText: `${n} 人未保存` }).waitFor()
    await page.locator('[data-test=attendance-save]').click()
    await page.locator('.el-message--warning').filter({ hasText: onLeave.name }).waitFor()
    await gridRow(page, onLeave.member_id).locator('input[data-test=att-reason]').fill('外出学习')
    await page.locator('[data-test=attendance-save]').click()
    await page.locator('.el-message--success').filter({ hasText: `已保存 ${n} 人的出席情况` }).waitFor()

    // The summary counts and a green VOTE-2 with the numbers.
    const stat = (k) => page.locator(`[data-test=sum-${k}] .mini-stat-value`)
    await stat('present').filter({ hasText: new RegExp(`^${n - 2}$`) }).waitFor()
    assert.equal(await stat('leave').innerText(), '1')
    assert.equal(await stat('absent').innerText(), '1')
    assert.equal(await stat('late').innerText(), '1')
    assert.equal(await stat('unrecorded').innerText(), '0')
    const vote2 = page.locator('[data-test=quorum-VOTE-2]')
    await page.locator('[data-test=quorum-VOTE-2][data-ok="1"]').waitFor()
    assert.match(await vote2.innerText(), new RegExp(`应到会有表决权党员 ${voting.length} 人，实到 ${voting.length - 2} 人`))
    const sum = (await admin.get(`/api/v1/meetings/${id}`)).body.attendance_summary
    assert.deepEqual(
      { present: sum.present, leave: sum.leave, absent: sum.absent, late: sum.late, unrecorded: sum.unrecorded },
      { present: n - 2, leave: 1, absent: 1, late: 1, unrecorded: 0 },
    )
    const after = (await admin.get(`/api/v1/meetings/${id}/attendance`)).body.items
    assert.equal(after.find((r) => r.member_id === onLeave.member_id).reason, '外出学习')
    await screenshot(page, 'meeting-attendance')

    // A resolution with exactly the strict majority of the voting members passes (S-1, VOTE-2).
    const need = Math.floor(voting.length / 2) + 1
    await page.locator('[data-test=vote-add]').click()
    const vd = page.locator('.el-dialog').filter({ hasText: '登记表决结果' })
    await vd.locator('[data-test=vf-subject] input').fill('关于本季度工作安排的决议')
    await vd.locator('[data-test=vf-yes] input').fill(String(need))
    await vd.locator('[data-test=vf-no] input').fill('1')
    await vd.locator('[data-test=vf-no] input').press('Tab')
    await vd.locator('[data-test=vf-save]').click()
    const vote = page.locator('[data-test=votes] .vote').first()
    await vote.locator('[data-test=vote-result]').filter({ hasText: '通过' }).waitFor()
    assert.match(await vote.locator('[data-test=vote-explanation]').innerText(), new RegExp(`赞成 ${need} 票.*通过（VOTE-2）`))

    // 报送 → the record locks; the county (an upper organization) accepts it.
    await page.locator('[data-test=meeting-submit]').click()
    await page.locator('.confirm-submit').click()
    await page.locator('[data-test=meeting-status]').filter({ hasText: '已报送' }).first().waitFor()
    assert.equal(await page.locator('[data-test=attendance-save]').count(), 0, 'a submitted record cannot be changed')
    await page.locator('[data-test=meeting-accept]').click()
    await page.locator('.el-message-box textarea').fill('记录完整，同意')
    await page.locator('.confirm-review').click()
    await page.locator('[data-test=review-accepted]').filter({ hasText: '记录完整，同意' }).waitFor()
    assert.equal((await admin.get(`/api/v1/meetings/${id}`)).body.status, 'accepted')
    assert.equal(await page.locator('[data-test=meeting-edit]').count(), 0)
    await screenshot(page, 'meeting-detail-accepted', { fullPage: false })

    // The table view lists it with its tags and status.
    await page.goto(`/meetings?org_id=${branch.id}&view=table`)
    const row = page.locator(`[data-test=meetings-table] tr.meeting-row-${id}`)
    await row.waitFor()
    assert.match(await row.innerText(), /支部党员大会[\s\S]*党课[\s\S]*已审核/)
    await screenshot(page, 'meetings-table')
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('QR sign-in: a member signs in on a phone and appears in the admin\'s dialog and grid', T, async () => {
    // A meeting being held now, created through the API.
    const created = await admin.send('POST', '/api/v1/meetings', {
      org_id: branch.id,
      title: '扫码签到测试主题党日',
      types: ['theme_day'],
      held_on: today(),
      start_time: '00:00',
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const id = created.body.id

    const desk = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(desk, u.username, u.password, '/')
    await desk.goto(`/meetings/${id}`)
    await desk.locator('[data-test=meeting-qr]').click()
    const qr = desk.locator('[data-test=qr-dialog]')
    await qr.locator('[data-test=qr-box] svg').waitFor()
    await qr.locator('[data-test=qr-countdown]').filter({ hasText: /有效期还剩 [45]:\d\d/ }).waitFor()
    const box = await qr.locator('[data-test=qr-box] .qr-svg').boundingBox()
    assert.ok(box.width >= 200 && Math.abs(box.width - box.height) < 2, `the QR is a square of fixed size: ${JSON.stringify(box)}`)
    const link = new URL((await qr.locator('[data-test=qr-link]').innerText()).trim())
    assert.equal(link.pathname, `/checkin/${id}`)
    assert.match(link.searchParams.get('t'), /^[0-9a-f]{64}$/)
    await screenshot(desk, 'meeting-qr-dialog', { fullPage: false })

    // The member opens the link on a phone: log in first, then back to the sign-in page.
    const phone = await newPage(browser, server.baseUrl, PHONE)
    await phone.goto(link.pathname + link.search)
    await phone.waitForURL((x) => x.pathname === '/login')
    const m = login('member')
    await submitLogin(phone, m.username, m.password)
    await phone.waitForURL((x) => x.pathname === `/checkin/${id}`)
    await phone.locator('[data-test=checkin-result]').filter({ hasText: '签到成功' }).waitFor()
    await phone.locator('[data-test=checkin-meeting]').filter({ hasText: '扫码签到测试主题党日' }).waitFor()
    const width = await phone.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the sign-in page fits a 390px phone (scrollWidth ${width})`)
    await screenshot(phone, 'checkin-phone-ok')

    // The admin sees the name appear (attendance polled every few seconds), marked late (start 00:00).
    const signed = qr.locator(`[data-test=qr-signed-${memberUser.member_id}]`)
    await signed.waitFor({ timeout: 15000 })
    assert.match(await signed.innerText(), /迟到/)
    await qr.locator('[data-test=qr-count]').filter({ hasText: /已签到 1 人/ }).waitFor()
    await screenshot(desk, 'meeting-qr-signed', { fullPage: false })
    await qr.locator('[data-test=qr-close]').click()
    await qr.waitFor({ state: 'hidden' })
    const present = desk.locator(`[data-test=attendance-grid] tr.att-row-${memberUser.member_id} [data-test=att-present]`)
    await present.and(desk.locator('.is-active')).waitFor()
    await desk.locator('[data-test=sum-present] .mini-stat-value').filter({ hasText: /^1$/ }).waitFor()
    const att = (await admin.get(`/api/v1/meetings/${id}/attendance`)).body.items.find((r) => r.member_id === memberUser.member_id)
    assert.equal(att.status, 'present')
    assert.ok(att.checked_in_at, 'the sign-in time is kept')

    // A wrong or expired code gives a clear Chinese error, big, on the phone.
    await phone.goto(`/checkin/${id}?t=${'0'.repeat(64)}`)
    await phone.locator('[data-test=checkin-result]').filter({ hasText: '签到未成功' }).waitFor()
    assert.match(await phone.locator('[data-test=checkin-error]').innerText(), /签到码无效或已过期/)
    await screenshot(phone, 'checkin-phone-error')
    await phone.goto(`/checkin/${id}`)
    await phone.locator('[data-test=checkin-error]').filter({ hasText: '签到链接不完整' }).waitFor()

    assert.deepEqual(desk.djErrors, [])
    await desk.context().close()
    await phone.context().close()
  })

  test('a member reads their branch\'s meetings on a phone, without write actions', T, async () => {
    const page = await newPage(browser, server.baseUrl, PHONE)
    const m = login('member')
    await loginAs(page, m.username, m.password, '/')
    await page.locator('[data-test=hamburger]').click()
    await page.locator('[data-test=menu-meetings]').click()
    await page.waitForURL((x) => x.pathname === '/meetings')
    for (const key of ['compliance', 'inbox', 'rules', 'members']) {
      assert.equal(await page.locator(`[data-test=menu-${key}]`).count(), 0, `a member has no ${key} menu`)
    }
    assert.equal(await page.locator('[data-test=meeting-create]').count(), 0)
    const cards = page.locator('[data-test=meeting-cards] .meeting-card')
    await cards.first().waitFor()
    const list = (await admin.get(`/api/v1/meetings?org_id=${branch.id}&subtree=1&per_page=20`)).body
    assert.equal(await cards.count(), Math.min(20, list.total))
    await page.locator('[data-test=meetings-scope]').filter({ hasText: '本支部' }).waitFor()
    await screenshot(page, 'meetings-member-phone')
    await cards.first().click()
    await page.waitForURL((x) => /^\/meetings\/\d+$/.test(x.pathname))
    await page.locator('[data-test=attendance-summary]').waitFor()
    for (const t of ['meeting-edit', 'meeting-qr', 'meeting-submit', 'meeting-delete', 'vote-add', 'attendance-grid', 'attendance-cards']) {
      assert.equal(await page.locator(`[data-test=${t}]`).count(), 0, `no ${t} for a member`)
    }
    const width = await page.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the detail fits a 390px phone (scrollWidth ${width})`)
    await screenshot(page, 'meeting-detail-member-phone')
    // Pages for org roles send a member home.
    await page.goto('/compliance')
    await page.waitForURL((x) => x.pathname === '/')
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('review by the township: 退回 with a comment, edit, photo upload and download, 报送 again; delete with a reason', T, async () => {
    const created = await admin.send('POST', '/api/v1/meetings', {
      org_id: branch.id,
      title: '待审核的支委会',
      types: ['committee'],
      held_on: today(),
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    const id = created.body.id
    assert.equal((await admin.send('POST', `/api/v1/meetings/${id}/review`, { action: 'submit' })).status, 200)

    // The township's org_admin is above the branch: 审核通过 / 退回 are offered; 退回 needs a comment.
    const page = await newPage(browser, server.baseUrl)
    const u = login('org_admin')
    await loginAs(page, u.username, u.password, '/')
    await page.goto(`/meetings/${id}`)
    await page.locator('[data-test=review-submitted]').waitFor()
    await page.locator('[data-test=meeting-return]').click()
    await page.locator('.confirm-review').click()
    await page.locator('.el-message-box__errormsg').filter({ hasText: '退回须填写审核意见' }).waitFor()
    await page.locator('.el-message-box textarea').fill('请补充会议照片')
    await page.locator('.confirm-review').click()
    await page.locator('[data-test=review-returned]').filter({ hasText: '请补充会议照片' }).waitFor()

    // Returned: editable again. 编辑 changes the place; the upload takes a PNG.
    await page.locator('[data-test=meeting-edit]').click()
    const dlg = page.locator('.meeting-form-dialog')
    await dlg.locator('[data-test=mf-place] input').fill('镇机关三楼会议室')
    await dlg.locator('[data-test=mf-save]').click()
    await dlg.waitFor({ state: 'hidden' })
    await page.locator('[data-test=meeting-fields]').filter({ hasText: '镇机关三楼会议室' }).waitFor()
    assert.equal((await admin.get(`/api/v1/meetings/${id}`)).body.place, '镇机关三楼会议室')
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC',
      'base64',
    )
    await page.locator('[data-test=attachment-input]').setInputFiles({ name: '会议照片.png', mimeType: 'image/png', buffer: png })
    const att = page.locator('[data-test=attachments] .attachment').first()
    await att.filter({ hasText: '会议照片.png' }).waitFor()
    const aid = (await admin.get(`/api/v1/meetings/${id}`)).body.attachments[0].id
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator(`[data-test=attachment-download-${aid}]`).click()])
    assert.equal(download.suggestedFilename(), '会议照片.png')
    // A text file is refused before upload.
    await page.locator('[data-test=attachment-input]').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('x') })
    await page.locator('.el-message--warning').filter({ hasText: '只接受 JPEG、PNG 图片或 PDF 文件' }).waitFor()
    await screenshot(page, 'meeting-returned')

    await page.locator('[data-test=meeting-submit]').click()
    await page.locator('.confirm-submit').click()
    await page.locator('[data-test=review-submitted]').waitFor()
    assert.equal((await admin.get(`/api/v1/meetings/${id}`)).body.status, 'submitted')

    // A meeting of the township itself: its own org_admin may not accept it (that is for the county).
    const own = await admin.send('POST', '/api/v1/meetings', { org_id: branch.parent_id, title: '镇党委会', types: ['committee'], held_on: today() })
    assert.equal(own.status, 201)
    assert.equal((await admin.send('POST', `/api/v1/meetings/${own.body.id}/review`, { action: 'submit' })).status, 200)
    await page.goto(`/meetings/${own.body.id}`)
    await page.locator('[data-test=review-submitted]').waitFor()
    assert.equal(await page.locator('[data-test=meeting-accept]').count(), 0)

    // Delete with a reason; the list no longer has it.
    await page.locator('[data-test=meeting-delete]').click()
    await page.locator('.confirm-delete').click()
    await page.locator('.el-message-box__errormsg').filter({ hasText: '请填写删除原因' }).waitFor()
    await page.locator('.el-message-box input').fill('重复录入')
    await page.locator('.confirm-delete').click()
    await page.waitForURL((x) => x.pathname === '/meetings')
    assert.equal((await admin.get(`/api/v1/meetings/${own.body.id}`)).status, 404)
    assert.deepEqual(page.djErrors, [])
    await page.context().close()
  })

  test('calendar: month navigation, a planned meeting on its day, phone day list', T, async () => {
    // A planned meeting next month shows on its planned day (from/to match held_on, so it comes separately).
    const d = new Date(today() + 'T00:00:00Z')
    const next = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 15)).toISOString().slice(0, 10)
    const created = await admin.send('POST', '/api/v1/meetings', {
      org_id: branch.id,
      title: '下月支委会（计划）',
      types: ['committee'],
      planned_on: next,
    })
    assert.equal(created.status, 201, JSON.stringify(created.body))
    assert.equal(created.body.status, 'planned')

    const page = await newPage(browser, server.baseUrl)
    const u = login('org_admin')
    await loginAs(page, u.username, u.password, '/')
    await page.goto(`/meetings?org_id=${branch.id}&view=calendar`)
    await page.locator('[data-test=cal-next]').click()
    await page.waitForURL((x) => x.searchParams.get('month') === next.slice(0, 7))
    const item = page.locator(`[data-test=cal-day-${next}] [data-test=cal-meeting-${created.body.id}]`)
    await item.waitFor()
    assert.ok((await item.getAttribute('class')).includes('cal-status-planned'))
    await item.click()
    await page.waitForURL((x) => x.pathname === `/meetings/${created.body.id}`)
    await page.locator('[data-test=meeting-held-on]').filter({ hasText: '尚未召开' }).waitFor()
    assert.equal(await page.locator('[data-test=meeting-submit]').count(), 0, 'a planned meeting is not submitted')
    await page.context().close()

    const phone = await newPage(browser, server.baseUrl, PHONE)
    await loginAs(phone, u.username, u.password, '/')
    await phone.goto(`/meetings?org_id=${branch.id}&view=calendar&month=${next.slice(0, 7)}`)
    await phone.locator(`[data-test=cal-day-${next}]`).click()
    await phone.locator(`[data-test=cal-day-list] [data-test=meeting-card-${created.body.id}]`).waitFor()
    const width = await phone.evaluate(() => document.documentElement.scrollWidth)
    assert.ok(width <= 390, `the calendar fits a 390px phone (scrollWidth ${width})`)
    await screenshot(phone, 'meetings-calendar-phone')
    assert.deepEqual(phone.djErrors, [])
    await phone.context().close()
  })
})
