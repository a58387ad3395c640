// helpers.mjs — e2e plumbing: a real dangjian server on a temp database, Debian's chromium, screenshots
import { spawn, execFile } from 'node:child_process'
import { mkdtemp, mkdir, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'

const HERE = dirname(fileURLToPath(import.meta.url))
export const REPO_ROOT = resolve(HERE, '../..')
export const DJ_BIN = process.env.DJ_BIN ? resolve(REPO_ROOT, process.env.DJ_BIN) : join(REPO_ROOT, 'build/dangjian')
export const CHROMIUM = process.env.DJ_CHROMIUM || '/usr/bin/chromium'
export const SCREENSHOT_DIR = join(HERE, 'screenshots')

// Never let playwright fetch a browser; we only drive the system one.
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1'

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const CLI_TIMEOUT_MS = 15000
const LISTEN_TIMEOUT_MS = 10000
const STOP_TIMEOUT_MS = 10000

/** Run one CLI subcommand to completion; resolves to trimmed stdout, rejects with stderr. */
export function runCli(args, { input } = {}) {
  return new Promise((res, rej) => {
    const child = execFile(DJ_BIN, args, { timeout: CLI_TIMEOUT_MS, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        rej(new Error(`${DJ_BIN} ${args.join(' ')} failed (${err.code ?? err.signal}): ${stderr || err.message}`))
      } else {
        res(stdout.trim())
      }
    })
    if (input !== undefined) child.stdin.end(input)
    else child.stdin.end()
  })
}

/**
 * Start a real server for one test file: temp dir, `init` (root org) or, with demo: true,
 * `demo --seed 1` (the fictional county and its printed logins), then the given accounts
 * ([{username, password, role, org?}], org defaults to the root) and `serve` on a free port.
 * Resolves to {baseUrl, rootOrgId, logins, dir, db, stop()}; stop() sends SIGTERM and resolves
 * to the exit code, or throws if the server has to be killed.
 */
export async function startServer({ orgName = '测试县委', users = [], demo = false } = {}) {
  if (!existsSync(DJ_BIN)) throw new Error(`server binary not found: ${DJ_BIN} (run make, or set DJ_BIN)`)
  const dir = await mkdtemp(join(tmpdir(), 'dj-e2e-'))
  const db = join(dir, 't.db')
  try {
    let rootOrgId
    let logins = []
    if (demo) {
      const out = await runCli(['demo', '--db', db, '--seed', '1'])
      const lines = out.split('\n')
      const last = lines[lines.length - 1].trim()
      if (!/^\d+$/.test(last)) throw new Error(`demo should end with the root org id, printed: ${JSON.stringify(out)}`)
      rootOrgId = Number(last)
      // "  username  password  role  说明" lines
      for (const line of lines) {
        const m = /^\s+(\S+)\s+(\S+)\s+(admin|org_admin|member|secadmin|auditor)(\s|$)/.exec(line)
        if (m) logins.push({ username: m[1], password: m[2], role: m[3] })
      }
    } else {
      const out = await runCli(['init', '--db', db, '--org-name', orgName])
      if (!/^\d+$/.test(out)) throw new Error(`init should print only the root org id, printed: ${JSON.stringify(out)}`)
      rootOrgId = Number(out)
    }
    for (const u of users) {
      const org = String(u.org ?? rootOrgId)
      await runCli(['user', 'add', '--db', db, '--username', u.username, '--role', u.role, '--org', org, '--password-stdin'], {
        input: u.password + '\n',
      })
    }
    const server = await serve(db)
    return {
      ...server,
      rootOrgId,
      logins,
      dir,
      db,
      async stop() {
        try {
          return await server.stop()
        } finally {
          await rm(dir, { recursive: true, force: true })
        }
      },
    }
  } catch (e) {
    await rm(dir, { recursive: true, force: true })
    throw e
  }
}

function serve(db) {
  const child = spawn(DJ_BIN, ['serve', '--db', db, '--port', '0', '--listen', '127.0.0.1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (s) => {
    stderr += s
    if (process.env.DJ_E2E_VERBOSE) process.stderr.write(s)
  })
  const exited = new Promise((res) => child.on('exit', (code, signal) => res({ code, signal })))

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
    let timer
    const timeout = new Promise((res) => (timer = setTimeout(() => res(null), STOP_TIMEOUT_MS)))
    const r = await Promise.race([exited, timeout])
    clearTimeout(timer)
    if (!r) {
      child.kill('SIGKILL')
      await exited
      throw new Error(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM`)
    }
    if (r.code !== 0 && stderr) process.stderr.write(`server stderr:\n${stderr.slice(-4000)}\n`)
    return r.signal ? `signal ${r.signal}` : r.code
  }

  return new Promise((res, rej) => {
    let settled = false
    const fail = (why) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      child.kill('SIGKILL')
      rej(new Error(`${why}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-2000)}`))
    }
    const timer = setTimeout(() => fail(`server printed no "listening on" line within ${LISTEN_TIMEOUT_MS} ms`), LISTEN_TIMEOUT_MS)
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (s) => {
      stdout += s
      const m = /listening on (http:\/\/[^\s]+)/.exec(stdout)
      if (m && !settled) {
        settled = true
        clearTimeout(timer)
        res({ baseUrl: m[1].replace(/\/$/, ''), stop, process: child })
      }
    })
    child.on('error', (e) => fail(`cannot start server: ${e.message}`))
    child.on('exit', (code, signal) => fail(`server exited early (code ${code}, signal ${signal})`))
  })
}

/** Launch Debian's chromium headless (fresh profile each time). */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 20000 })
}

/**
 * A new page in its own context (own cookies). viewport defaults to desktop 1366x800; pass
 * {width:390,height:844} and mobile:true for a phone. page.djErrors collects console errors
 * and uncaught exceptions (CSP violations show up there) for the test to check.
 */
export async function newPage(browser, baseUrl, { viewport = { width: 1366, height: 800 }, mobile = false } = {}) {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport,
    isMobile: mobile,
    hasTouch: mobile,
    deviceScaleFactor: mobile ? 2 : 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  })
  const page = await context.newPage()
  page.setDefaultTimeout(10000)
  page.setDefaultNavigationTimeout(10000)
  page.djErrors = []
  page.on('console', (msg) => {
    // A 401 on the first GET /session (not logged in yet) is expected and not a UI fault.
    if (msg.type() === 'error' && !/status of 401/.test(msg.text())) page.djErrors.push(msg.text())
  })
  page.on('pageerror', (err) => page.djErrors.push(String(err)))
  return page
}

/** Fill the login form and submit. Does not wait for the result. */
export async function submitLogin(page, username, password) {
  if (!/\/login/.test(page.url())) await page.goto('/login')
  await page.locator('[data-test=username]').fill(username)
  await page.locator('[data-test=password]').fill(password)
  await page.locator('[data-test=login]').click()
}

/** Log in and wait until the given path is shown with the shell rendered. */
export async function loginAs(page, username, password, expectPath) {
  await submitLogin(page, username, password)
  await page.waitForURL((u) => u.pathname === expectPath)
  await page.locator('[data-test=app-title]').waitFor()
}

/** GET an API path with the page's cookies; resolves to {status, body}. */
export function apiGet(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch(p, { credentials: 'same-origin' })
    let body = null
    try {
      body = await r.json()
    } catch {
      /* empty or not JSON */
    }
    return { status: r.status, body }
  }, path)
}

/** Save a PNG to tests/e2e/screenshots/NAME.png (the folder is gitignored). */
export async function screenshot(page, name, { fullPage = true } = {}) {
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  const file = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path: file, fullPage, animations: 'disabled' })
  return file
}

/**
 * Log in from node (not the browser) for test setup and checks; resolves to
 * {get(path), send(method, path, body)} each resolving to {status, body}. Its session is separate
 * from any browser page's.
 */
export async function apiLogin(baseUrl, username, password) {
  const res = await fetch(baseUrl + '/api/v1/session', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  if (res.status !== 200) throw new Error(`login ${username} answered ${res.status}: ${await res.text()}`)
  const { csrf_token: csrf } = await res.json()
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')
  const call = async (method, path, body) => {
    const headers = { Cookie: cookie, Accept: 'application/json' }
    if (method !== 'GET') headers['X-DJ-CSRF'] = csrf
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    const r = await fetch(baseUrl + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    const text = await r.text()
    let parsed = null
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      parsed = text
    }
    return { status: r.status, body: parsed }
  }
  return { get: (path) => call('GET', path), send: call }
}

/** Open an Element Plus select (click its visible box) and pick the option with exactly this text. */
export async function pickOption(page, select, text) {
  await select.click()
  await page.getByRole('option', { name: text, exact: true }).filter({ visible: true }).first().click()
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
/** A 身份证号 with a correct GB 11643 check character for 17 given digits; wrong: a wrong one. */
export function idNumber(first17, { wrong = false } = {}) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]
  const chars = '10X98765432'
  const right = chars[sum % 11]
  return first17 + (wrong ? chars[(sum + 1) % 11] : right)
}
