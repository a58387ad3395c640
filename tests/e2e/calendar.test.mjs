// calendar.test.mjs — browser tests of the 节假日日历 tab on the Rules page (admin marks a day 放假) and the
// 流动情况 card on the member page (an org_admin registers a 流出 record and sees it listed)
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, newPage, loginAs, apiLogin } from './helpers.mjs'

const T = { timeout: 30000 }

describe('work calendar and mobile members (demo county)', { timeout: 120000 }, () => {
  let server
  let browser

  const login = (username) => {
    const l = server.logins.find((x) => x.username === username)
    assert.ok(l, `demo prints a ${username} login`)
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

  test('admin marks a day as 放假 in the calendar tab and sees it', T, async () => {
    const page = await newPage(browser, server.baseUrl)
    const u = login('admin')
    await loginAs(page, u.username, u.password, '/')
    await page.goto('/rules?tab=calendar')
    await page.locator('[data-test=work-calendar]').waitFor()
    await page.locator('[data-test=cal-note]').filter({ hasText: 'S-5' }).waitFor()
    await page.locator('[data-test=cal-tentative]').waitFor() // no entries yet: 暂定

    const cell = page.locator('.el-calendar-table td.current [data-test$="-15"]').first()
    const day = (await cell.getAttribute('data-test')).replace('cal-day-', '')
    await cell.click()
    const dialog = page.locator('[data-test=cal-dialog]')
    await dialog.locator('[data-test=cal-kind-holiday]').click()
    await dialog.locator('[data-test=cal-name]').fill('测试假日')
    await dialog.locator('[data-test=cal-save]').click()
    await page.locator(`[data-test=cal-mark-${day}]`).filter({ hasText: '休' }).waitFor()
    await page.locator(`[data-test=cal-day-${day}]`).filter({ hasText: '测试假日' }).waitFor()
    await page.locator('[data-test=cal-tentative]').waitFor({ state: 'detached' })

    const admin = await apiLogin(server.baseUrl, u.username, u.password)
    const r = await admin.get(`/api/v1/calendar?year=${day.slice(0, 4)}`)
    assert.ok(r.body.items.some((i) => i.day === day && i.kind === 'holiday'), 'the server has the holiday')
    assert.deepEqual(page.djErrors, [])
  })

  test('chengguan registers a mobility record on a member and sees it listed', T, async () => {
    const u = login('chengguan')
    const cg = await apiLogin(server.baseUrl, u.username, u.password)
    const m = (await cg.get('/api/v1/members?per_page=1')).body.items[0]
    assert.ok(m, 'chengguan sees a member')

    const page = await newPage(browser, server.baseUrl)
    await loginAs(page, u.username, u.password, '/')
    await page.goto(`/members/${m.id}`)
    const card = page.locator('[data-test=member-mobility-card]')
    await card.locator('[data-test=mob-note]').filter({ hasText: 'MOB-1' }).waitFor()
    await card.locator('[data-test=mob-empty]').waitFor()
    await card.locator('[data-test=mob-new]').click()
    const dialog = page.locator('[data-test=mob-dialog]')
    await dialog.locator('[data-test=mf-place]').fill('广东省深圳市宝安区')
    await dialog.locator('[data-test=mf-reason]').fill('外出务工')
    await dialog.locator('[data-test=mf-save]').click()
    const table = card.locator('[data-test=mob-table]')
    await table.filter({ hasText: '广东省深圳市宝安区' }).waitFor()
    const text = await table.innerText()
    assert.match(text, /流出/)
    assert.match(text, /外出务工/)
    assert.match(text, /流动中/)

    const r = await cg.get(`/api/v1/members/${m.id}/mobility`)
    assert.equal(r.body.items.length, 1)
    assert.equal(r.body.items[0].place, '广东省深圳市宝安区')
    assert.deepEqual(page.djErrors, [])
  })
})
