// xss.test.mjs — stored XSS: names, titles and file names holding markup are created through the API,
// then every page that shows them is opened in a real browser. The markup must appear as literal
// text; no element it describes may exist, no dialog may open, no request for its src may go out,
// and no CSP violation may be logged (which would mean markup reached the DOM and was only stopped
// by the policy).
import { test, before, after, describe } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, launchBrowser, newPage, loginAs, screenshot } from './helpers.mjs'

const T = { timeout: 30000 }
const IMG = '<img src=x onerror=alert(1)>'
const SVG = '"><svg onload=alert(2)>'
const SCRIPT = '<script>alert(3)</script>'
const ADMIN = { username: 'xss_admin', password: 'Xss#Admin2026', role: 'admin' }
const AUDITOR = { username: 'xss_auditor', password: 'Xss#Audit2026', role: 'auditor' }
const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52])

function today() {
  const d = new Date()
  const p = (n) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`
}

describe('stored XSS never executes (member, org, meeting, attachment, audit)', { timeout: 180000 }, () => {
  let server
  let browser
  let http // {call(method, path, body, type)}
  const ids = {}

  before(async () => {
    server = await startServer({ users: [ADMIN, AUDITOR] })
    browser = await launchBrowser()
    const res = await fetch(server.baseUrl + '/api/v1/session', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
    })
    assert.equal(res.status, 200)
    const { csrf_token: csrf } = await res.json()
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
    http = async (method, path, body, type = 'application/json') => {
      const r = await fetch(server.baseUrl + path, {
        method,
        headers: { Cookie: cookie, 'X-DJ-CSRF': csrf, 'Content-Type': type },
        body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
      })
      const text = await r.text()
      return { status: r.status, body: text ? JSON.parse(text) : null }
    }
    const org = await http('POST', '/api/v1/orgs', {
      parent_id: server.rootOrgId, name: IMG, short_name: SVG, kind: 'branch', sector: 'rural', address: SCRIPT,
    })
    assert.equal(org.status, 201, JSON.stringify(org.body))
    ids.org = org.body.id
    const mem = await http('POST', '/api/v1/members', {
      name: IMG, id_number: '11010519491231002X', org_id: ids.org, category: 'full', work_unit: SVG, address: SCRIPT,
    })
    assert.equal(mem.status, 201, JSON.stringify(mem.body))
    ids.member = mem.body.id
    const mtg = await http('POST', '/api/v1/meetings', {
      org_id: ids.org, title: IMG, types: ['theme_day'], held_on: today(), place: SVG, topics: SCRIPT, host: IMG,
    })
    assert.equal(mtg.status, 201, JSON.stringify(mtg.body))
    ids.meeting = mtg.body.id
    const att = await http('POST', `/api/v1/meetings/${ids.meeting}/attachments?filename=${encodeURIComponent(IMG + '.png')}`, PNG, 'image/png')
    assert.equal(att.status, 201, JSON.stringify(att.body))
  })

  after(async () => {
    if (browser) await browser.close()
    if (server) assert.equal(await server.stop(), 0, 'server should exit 0 on SIGTERM')
  })

  /** A page that records dialogs and requests for the payload's src. */
  async function watchedPage() {
    const page = await newPage(browser, server.baseUrl)
    page.xssDialogs = []
    page.xssRequests = []
    page.on('dialog', async (d) => {
      page.xssDialogs.push(d.message())
      await d.dismiss().catch(() => {})
    })
    page.on('request', (r) => {
      const u = new URL(r.url())
      if (u.pathname === '/x' || u.pathname.endsWith('/x')) page.xssRequests.push(r.url())
    })
    return page
  }

  /** The literal payload text is shown, and nothing of it became markup or ran. */
  async function assertInert(page, what, shown = [IMG]) {
    for (const s of shown) await page.getByText(s, { exact: false }).filter({ visible: true }).first().waitFor()
    await page.waitForTimeout(300) // let an onerror / onload fire if there were one
    const found = await page.evaluate(() => ({
      img: document.querySelectorAll('img[src="x"]').length,
      handlers: document.querySelectorAll('[onerror], [onload]').length,
      svg: [...document.querySelectorAll('svg')].filter((s) => s.getAttribute('onload')).length,
      inline: [...document.querySelectorAll('script')].filter((s) => !s.src && /alert/.test(s.textContent)).length,
    }))
    assert.deepEqual(found, { img: 0, handlers: 0, svg: 0, inline: 0 }, `${what}: payload became markup`)
    assert.deepEqual(page.xssDialogs, [], `${what}: a dialog opened`)
    assert.deepEqual(page.xssRequests, [], `${what}: the payload's src was requested`)
    const csp = page.djErrors.filter((e) => /Content Security Policy|Refused to/i.test(e))
    assert.deepEqual(csp, [], `${what}: CSP had to block something`)
  }

  test('member list and member detail show the name as text', T, async () => {
    const page = await watchedPage()
    await loginAs(page, ADMIN.username, ADMIN.password, '/')
    await page.goto('/members')
    await page.locator('[data-test=members-table]').waitFor()
    await assertInert(page, 'member list')
    await screenshot(page, 'xss-members')
    await page.goto(`/members/${ids.member}`)
    assert.equal(await page.locator('[data-test=member-name]').innerText(), IMG)
    await assertInert(page, 'member detail', [IMG, SVG])
    // The 所属组织 (org name) shown on the detail is text too.
    await page.close()
  })

  test('org tree and org detail (own page and the parent\'s child list) show the name as text', T, async () => {
    const page = await watchedPage()
    await loginAs(page, ADMIN.username, ADMIN.password, '/')
    const node = page.locator(`[data-test=org-tree] [data-test=org-node-${ids.org}]`)
    await node.waitFor()
    // The tree shows the short name, with the full name as the tooltip.
    assert.equal(await node.locator('.org-node-name').innerText(), SVG)
    assert.equal(await node.getAttribute('title'), IMG)
    await assertInert(page, 'org tree', [SVG])
    await page.goto(`/orgs/${ids.org}`)
    assert.equal(await page.locator('[data-test=org-name]').innerText(), IMG)
    await assertInert(page, 'org detail', [IMG, SVG])
    await page.goto(`/orgs/${server.rootOrgId}`)
    await page.locator('[data-test=org-children]').getByText(IMG).first().waitFor()
    await assertInert(page, 'parent org detail')
    await screenshot(page, 'xss-org')
    await page.close()
  })

  test('meetings calendar, table and detail (with the attachment list) show the title as text', T, async () => {
    const page = await watchedPage()
    await loginAs(page, ADMIN.username, ADMIN.password, '/')
    await page.goto('/meetings')
    const cell = page.locator(`[data-test=cal-meeting-${ids.meeting}]`).first()
    await cell.waitFor()
    const cellText = await cell.innerText()
    assert.ok([IMG, SVG].some((x) => cellText.includes(x)), `calendar cell shows the title or org as text: ${cellText}`)
    await assertInert(page, 'meetings calendar', []) // a cell shows the type / org; the title is in its tooltip
    await page.locator('[data-test=view-table]').click()
    const link = page.locator(`[data-test=meeting-link-${ids.meeting}]`)
    await link.waitFor()
    assert.equal(await link.innerText(), IMG)
    await assertInert(page, 'meetings table')
    await page.goto(`/meetings/${ids.meeting}`)
    assert.equal(await page.locator('[data-test=meeting-title]').innerText(), IMG)
    await page.locator('[data-test=attachments]').getByText(IMG + '.png').waitFor()
    await assertInert(page, 'meeting detail', [IMG, SVG, SCRIPT])
    await screenshot(page, 'xss-meeting')
    await page.close()
  })

  test('audit log (as auditor) shows the recorded values as text', T, async () => {
    const page = await watchedPage()
    await loginAs(page, AUDITOR.username, AUDITOR.password, '/audit')
    const table = page.locator('[data-test=audit-table]')
    await table.locator('.el-table__body tr.el-table__row').first().waitFor()
    // Open every entry on the first page: the before/after JSON holds the payloads.
    const icons = table.locator('.el-table__expand-icon')
    const n = await icons.count()
    assert.ok(n >= 4, `audit rows on the first page: ${n}`)
    for (let i = 0; i < n; i++) await icons.nth(i).click()
    await table.locator('[data-test=audit-after]').getByText(IMG, { exact: false }).first().waitFor()
    await assertInert(page, 'audit log', [IMG, SVG, SCRIPT])
    await screenshot(page, 'xss-audit')
    await page.close()
  })
})
