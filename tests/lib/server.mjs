// server.mjs — shared harness for the black-box tests (tests/api, and tests/e2e may import it):
// a real dangjian binary on a temp database, listening on 127.0.0.1 with a free port, plus a
// tiny JSON client. Node built-ins only.
//
//   const srv = await startServer({ demo: true })          // or { users: [{username, role, org, password}] }
//   const s = await session(srv.base, 'admin', 'Demo@2026') // {cookie, csrf, user, get/post/patch/del}
//   const r = await s.get('/api/v1/dashboard')             // {status, headers, body}
//   assert.equal(await srv.stop(), 0); srv.assertClean()
//
// Every server (and CLI run) records its stderr; sanitizer reports ("ERROR: AddressSanitizer",
// "runtime error:") make assertClean() — and every test wrapped with serverTest() — fail.
import { spawn, execFile, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import net from 'node:net'
import { test } from 'node:test'

const HERE = dirname(fileURLToPath(import.meta.url))
export const REPO_ROOT = resolve(HERE, '../..')
export const DJ_BIN = process.env.DJ_BIN ? resolve(process.env.DJ_BIN) : join(REPO_ROOT, 'build/asan/dangjian')
// The release build, for the few tests too heavy for the sanitizer build (startServer({bin: RELEASE_BIN})).
export const RELEASE_BIN = process.env.DJ_RELEASE_BIN
  ? resolve(process.env.DJ_RELEASE_BIN)
  : join(REPO_ROOT, 'build/dangjian')
export const DEMO_PASSWORD = 'Demo@2026'
export const DEMO_USERS = ['admin', 'chengguan', 'dangyuan', 'secadmin', 'auditor']

const CLI_TIMEOUT_MS = 30000
export const DEMO_TIMEOUT_MS = 120000 // `demo` builds a whole county; under ASan on a busy machine it can take a while
const LISTEN_TIMEOUT_MS = 10000
const STOP_TIMEOUT_MS = 15000
const SANITIZER_RE = /ERROR: (Address|Leak|Undefined|Thread|Memory)Sanitizer|runtime error:|SUMMARY: \w+Sanitizer/

/** Sanitizer report lines in a stderr text, or null. */
export function sanitizerReport(stderr) {
  if (!stderr || !SANITIZER_RE.test(stderr)) return null
  const i = stderr.search(SANITIZER_RE)
  return stderr.slice(Math.max(0, i - 200), i + 6000)
}

// Temp dirs are removed when the test process exits (keep them with DJ_KEEP_TMP=1); servers a
// failed test left running are killed then too (they do not keep the test process alive).
const tempDirs = []
const liveServers = new Set()
process.on('exit', () => {
  for (const p of liveServers) {
    try {
      p.kill('SIGKILL')
    } catch {
      /* already gone */
    }
  }
  if (process.env.DJ_KEEP_TMP) return
  for (const d of tempDirs) {
    try {
      rmSync(d, { recursive: true, force: true })
    } catch {
      /* best effort */
    }
  }
})

/** A fresh temp directory, removed at exit. */
export function tempDir(prefix = 'dj-api-') {
  const d = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.push(d)
  return d
}

// ---- PostgreSQL mode (make test-pg) ---------------------------------------------------------
// With DJ_PG_URL=postgres://user@127.0.0.1:PORT every `--db FILE` a test passes becomes a database of
// its own on that server (created on first use), and the PII key stays in FILE.key (DJ_KEY_FILE):
// the same tests then run against the PostgreSQL backend. Tests that touch the store directly go through
// storeExec (SQL), storeCopy (a copy to tamper with) and storeUrl (the store named elsewhere than --db).
export const PG_URL = process.env.DJ_PG_URL || ''

/**
 * The skip option of a test about the SQLite file itself: the reason in PG mode, else false.
 * (Not `PG_URL && reason`: node:test skips a test whose skip is the empty string.)
 */
export function sqliteOnly(reason) {
  return PG_URL ? reason : false
}
const pgDatabases = new Map()

function pgName(path) {
  return 'dj_' + createHash('sha256').update(resolve(path)).digest('hex').slice(0, 24)
}

function pgDatabase(path) {
  let url = pgDatabases.get(path)
  if (url) return url
  const name = pgName(path)
  execFileSync('psql', [`${PG_URL}/postgres`, '-qXc', `CREATE DATABASE ${name}`], { stdio: 'pipe' })
  url = `${PG_URL}/${name}`
  pgDatabases.set(path, url)
  return url
}

/**
 * Run SQL directly on a test's store (sqlite3 on the file; psql on its PostgreSQL database in PG mode);
 * resolves to the trimmed output, throws (with the tool's error text) if the SQL fails.
 * sqlite: the file itself even in PG mode (a SQLite source for `dangjian copy`).
 */
export function storeExec(db, sql, { sqlite = false } = {}) {
  if (PG_URL && !sqlite) return execFileSync('psql', [pgDatabase(db), '-qXAtc', sql], { encoding: 'utf8', stdio: 'pipe' }).trim()
  return execFileSync('sqlite3', [db, sql], { encoding: 'utf8', stdio: 'pipe' }).trim()
}

/** The store a test's `--db FILE` names, for options other than --db (`copy --to`): FILE, or its PostgreSQL URL. */
export function storeUrl(db) {
  return PG_URL ? pgDatabase(db) : db
}

/**
 * A copy of a stopped store at a new path, to tamper with: the file (and its WAL) for SQLite; in PG mode
 * a new database made from the store's database as template (no connection to it may be open).
 */
export function storeCopy(from, to) {
  if (!PG_URL) {
    copyFileSync(from, to)
    if (existsSync(from + '-wal')) copyFileSync(from + '-wal', to + '-wal')
    return
  }
  if (pgDatabases.has(to)) throw new Error(`storeCopy: ${to} already has a database`)
  const src = new URL(pgDatabase(from)).pathname.slice(1)
  const name = pgName(to)
  execFileSync('psql', [`${PG_URL}/postgres`, '-qXc', `CREATE DATABASE ${name} TEMPLATE ${src}`], { stdio: 'pipe' })
  pgDatabases.set(to, `${PG_URL}/${name}`)
}

/** args and env with every `--db FILE` pointed at FILE's PostgreSQL database (PG mode only). */
function storeArgs(args, env) {
  if (!PG_URL) return { args, env }
  const out = [...args]
  const e = { ...env }
  for (let i = 0; i + 1 < out.length; i++) {
    if (out[i] === '--db' && !/^postgres(ql)?:\/\//.test(out[i + 1])) {
      if (!e.DJ_KEY_FILE) e.DJ_KEY_FILE = `${out[i + 1]}.key`
      out[i + 1] = pgDatabase(out[i + 1])
    }
  }
  return { args: out, env: e }
}

/**
 * Run one CLI subcommand: resolves to {code, stdout, stderr} (never rejects on a non-zero exit).
 * Throws if the run printed a sanitizer report or could not start.
 */
export function cli(args, { input, env, bin = DJ_BIN, timeoutMs = CLI_TIMEOUT_MS, sqlite = false } = {}) {
  if (!sqlite) ({ args, env } = storeArgs(args, env))
  return new Promise((res, rej) => {
    const child = execFile(
      bin,
      args,
      { timeout: timeoutMs, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => {
        const rep = sanitizerReport(stderr)
        if (rep) return rej(new Error(`sanitizer report from dangjian ${args.join(' ')}:\n${rep}`))
        if (err && typeof err.code !== 'number') {
          return rej(new Error(`dangjian ${args.join(' ')} failed to run (${err.code ?? err.signal}): ${err.message}`))
        }
        res({ code: err ? err.code : 0, stdout, stderr })
      },
    )
    child.stdin.on('error', () => {}) // the command may exit before reading stdin
    if (input !== undefined) child.stdin.end(input)
    else child.stdin.end()
  })
}

/** Run a CLI subcommand that must succeed; resolves to its trimmed stdout. */
export async function cliOk(args, opts) {
  const r = await cli(args, opts)
  if (r.code !== 0) throw new Error(`dangjian ${args.join(' ')} exited ${r.code}: ${r.stderr}`)
  return r.stdout.trim()
}

/** `dangjian user add` (password on stdin); resolves to the new user id. sqlite: as for cli(). */
export async function addUser(db, { username, role, org, password }, { bin, sqlite } = {}) {
  const out = await cliOk(
    ['user', 'add', '--db', db, '--username', username, '--role', role, '--org', String(org), '--password-stdin'],
    { input: password + '\n', bin, sqlite },
  )
  if (!/^\d+$/.test(out)) throw new Error(`user add should print only the new id, printed ${JSON.stringify(out)}`)
  return Number(out)
}

/**
 * Start a server on a fresh database.
 *   users: [{username, role, org (default root id), password}] created with `user add`
 *   demo:  build the demo county (`demo --seed 1`) instead of `init`
 *   env:   extra environment for `serve`; args: extra `serve` arguments
 *   bin:   the dangjian binary for this server and its setup (default DJ_BIN, the ASan build)
 * Resolves to {base, dir, db, rootId, userIds, logins (demo), proc, stop(), stderr(), assertClean()}
 * (also as baseUrl / rootOrgId). stop() sends SIGTERM and resolves to the exit code; the temp
 * dir stays until the test process exits, so a stopped database can still be inspected.
 */
export async function startServer({ users = [], demo = false, env = {}, args = [], orgName = '测试县委', bin = DJ_BIN } = {}) {
  const dir = tempDir()
  const db = join(dir, 't.db')
  if (!existsSync(bin)) throw new Error(`server binary not found: ${bin} (make build/asan/dangjian, or set DJ_BIN)`)
  let rootId
  const logins = []
  if (demo) {
    // PostgreSQL mode: the demo county is built in a SQLite file (one process, seconds) and moved into the
    // test's PostgreSQL database with `dangjian copy` — the way a county's data moves to the province.
    const src = join(dir, 'demo-src.db')
    const out = PG_URL
      ? await cliOk(['demo', '--db', src, '--seed', '1'], { bin, timeoutMs: DEMO_TIMEOUT_MS, sqlite: true, env: { DJ_KEY_FILE: `${db}.key` } })
      : await cliOk(['demo', '--db', db, '--seed', '1'], { bin, timeoutMs: DEMO_TIMEOUT_MS })
    if (PG_URL) await cliOk(['copy', '--from', src, '--to', pgDatabase(db)], { bin, timeoutMs: DEMO_TIMEOUT_MS, env: { DJ_KEY_FILE: `${db}.key` } })
    const last = out.split('\n').pop().trim()
    if (!/^\d+$/.test(last)) throw new Error(`demo should end with the root org id, printed ${JSON.stringify(out)}`)
    rootId = Number(last)
    // "  username  password  role  说明" lines
    for (const line of out.split('\n')) {
      const m = /^\s+(\S+)\s+(\S+)\s+(admin|org_admin|member|secadmin|auditor)(\s|$)/.exec(line)
      if (m) logins.push({ username: m[1], password: m[2], role: m[3] })
    }
  } else {
    const out = await cliOk(['init', '--db', db, '--org-name', orgName], { bin })
    if (!/^\d+$/.test(out)) throw new Error(`init should print only the root org id, printed ${JSON.stringify(out)}`)
    rootId = Number(out)
  }
  const userIds = {}
  for (const u of users) userIds[u.username] = await addUser(db, { ...u, org: u.org ?? rootId }, { bin })
  const srv = await serve(db, { env, args, bin })
  // baseUrl / rootOrgId: the names tests/e2e/helpers.mjs uses
  return { ...srv, baseUrl: srv.base, dir, db, rootId, rootOrgId: rootId, userIds, logins }
}

/** Spawn `dangjian serve` on an existing database (e.g. a restored one). */
export function serve(db, { env = {}, args = [], bin = DJ_BIN } = {}) {
  const store = storeArgs(['serve', '--db', db, '--listen', '127.0.0.1', '--port', '0', ...args], env)
  const proc = spawn(bin, store.args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...store.env },
  })
  let stdout = ''
  let stderr = ''
  liveServers.add(proc)
  // Waiting for the server always runs under a timer, so the child itself need not hold the
  // event loop: a test file that forgets stop() still ends (and the exit hook kills it).
  proc.unref()
  proc.stdout.unref()
  proc.stderr.unref()
  proc.stderr.setEncoding('utf8')
  proc.stderr.on('data', (s) => {
    stderr += s
    if (process.env.DJ_VERBOSE) process.stderr.write(s)
  })
  const exited = new Promise((res) =>
    proc.on('exit', (code, signal) => {
      liveServers.delete(proc)
      res({ code, signal })
    }),
  )
  let stopped = null

  const stop = (signal = 'SIGTERM') => {
    if (stopped) return stopped
    stopped = (async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      let timer
      const timeout = new Promise((res) => (timer = setTimeout(() => res(null), STOP_TIMEOUT_MS)))
      const r = await Promise.race([exited, timeout])
      clearTimeout(timer)
      if (!r) {
        proc.kill('SIGKILL')
        await exited
        throw new Error(`server did not exit within ${STOP_TIMEOUT_MS} ms of ${signal}\nstderr:\n${stderr.slice(-4000)}`)
      }
      if (r.code !== 0) process.stderr.write(`server exit ${r.code ?? r.signal}; stderr:\n${stderr.slice(-4000)}\n`)
      return r.signal ? `signal ${r.signal}` : r.code
    })()
    return stopped
  }
  const assertClean = () => {
    const rep = sanitizerReport(stderr)
    if (rep) throw new Error(`server stderr has a sanitizer report:\n${rep}`)
  }

  return new Promise((res, rej) => {
    let settled = false
    const fail = (why) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      proc.kill('SIGKILL')
      rej(new Error(`${why}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-4000)}`))
    }
    const timer = setTimeout(() => fail(`server printed no "listening on" line within ${LISTEN_TIMEOUT_MS} ms`), LISTEN_TIMEOUT_MS)
    proc.stdout.setEncoding('utf8')
    proc.stdout.on('data', (s) => {
      stdout += s
      const m = /listening on (http:\/\/[^\s]+)/.exec(stdout)
      if (m && !settled) {
        settled = true
        clearTimeout(timer)
        const base = m[1].replace(/\/$/, '')
        const u = new URL(base)
        res({ base, host: u.hostname, port: Number(u.port), proc, stop, stderr: () => stderr, assertClean })
      }
    })
    proc.on('error', (e) => fail(`cannot start server: ${e.message}`))
    proc.on('exit', (code, signal) => fail(`server exited early (code ${code}, signal ${signal})`))
  })
}

/**
 * A test() whose failures carry the server's stderr tail, and which fails when the server has
 * printed a sanitizer report. getSrv is called at run time (the server is started in before()).
 */
export function serverTest(getSrv) {
  const wrap = (fn) => async (t) => {
    const srv = getSrv()
    try {
      await fn(t)
    } catch (e) {
      const tail = srv ? srv.stderr().slice(-3000) : ''
      if (tail && e && typeof e === 'object' && typeof e.message === 'string') {
        e.message += `\n--- server stderr (tail) ---\n${tail}`
      }
      throw e
    }
    if (srv) srv.assertClean()
  }
  const st = (name, opts, fn) => (typeof opts === 'function' ? test(name, wrap(opts)) : test(name, opts, wrap(fn)))
  st.skip = (name, fn) => test.skip(name, fn)
  return st
}

// ---- the client -----------------------------------------------------------------------------

/**
 * One request. body: object → JSON; string / Buffer / Uint8Array → sent as is.
 * Sends Content-Type: application/json when there is a body (unless headers set it, or
 * headers['Content-Type'] === null to omit it) and X-DJ-CSRF when csrf is given.
 * Resolves to {status, headers, body} (body parsed as JSON when the response says JSON).
 */
export async function api(base, method, path, { cookie, csrf, body, headers = {} } = {}) {
  const h = {}
  let payload
  if (body !== undefined) {
    payload = typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body)
    h['Content-Type'] = 'application/json'
  }
  if (cookie) h.Cookie = cookie
  if (csrf) h['X-DJ-CSRF'] = csrf
  for (const [k, v] of Object.entries(headers)) {
    const existing = Object.keys(h).find((x) => x.toLowerCase() === k.toLowerCase())
    if (existing) delete h[existing]
    if (v !== null && v !== undefined) h[k] = v
  }
  const r = await fetch(base + path, { method, headers: h, body: payload, redirect: 'manual' })
  const text = await r.text()
  let parsed = text
  if ((r.headers.get('content-type') || '').includes('json') && text.length) {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = text
    }
  }
  return { status: r.status, headers: r.headers, body: parsed, text }
}

/** The dj_session cookie ("dj_session=TOKEN") from a response's Set-Cookie, or null. */
export function sessionCookie(headers) {
  for (const c of headers.getSetCookie()) {
    const m = /^dj_session=([^;]*)/.exec(c)
    if (m) return m[1] ? `dj_session=${m[1]}` : null
  }
  return null
}

/** POST /api/v1/session → {cookie, csrf, user, status, body, setCookie}. */
export async function login(base, username, password, { headers } = {}) {
  const r = await api(base, 'POST', '/api/v1/session', { body: { username, password }, headers })
  const setCookie = r.headers.getSetCookie().find((c) => c.startsWith('dj_session=')) || null
  return {
    status: r.status,
    body: r.body,
    cookie: r.status === 200 ? sessionCookie(r.headers) : null,
    csrf: r.body && r.body.csrf_token,
    user: r.body && r.body.user,
    setCookie,
  }
}

/** Bind a client to a session: {cookie, csrf} → get/post/patch/put/del(path, body?, headers?). */
export function client(base, sess = {}) {
  const call = (method) => (path, body, headers) =>
    api(base, method, path, { cookie: sess.cookie, csrf: sess.csrf, body, headers })
  return { ...sess, get: call('GET'), post: call('POST'), patch: call('PATCH'), put: call('PUT'), del: call('DELETE') }
}

/** Log in (must succeed) and return a bound client with {cookie, csrf, user}. */
export async function session(base, username, password = DEMO_PASSWORD) {
  const l = await login(base, username, password)
  if (l.status !== 200 || !l.cookie) {
    throw new Error(`login as ${username} failed: ${l.status} ${JSON.stringify(l.body)}`)
  }
  return client(base, { cookie: l.cookie, csrf: l.csrf, user: l.user })
}

/**
 * A raw HTTP/1.1 exchange on a fresh TCP connection (for bodies fetch will not send, and for
 * requests sent in pieces). parts: Buffers/strings written in order, with `pauseMs` between
 * them, or functions (awaited) run between writes. Resolves to {status, headers, body (text), raw}.
 */
export function rawHttp(base, parts, { timeoutMs = 10000 } = {}) {
  const u = new URL(base)
  return new Promise((res, rej) => {
    const sock = net.connect(Number(u.port), u.hostname)
    const chunks = []
    let done = false
    const timer = setTimeout(() => finish(new Error('raw HTTP exchange timed out')), timeoutMs)
    const finish = (err) => {
      if (done) return
      done = true
      clearTimeout(timer)
      sock.destroy()
      const raw = Buffer.concat(chunks)
      if (!raw.length) return rej(err || new Error('connection closed without a response'))
      const text = raw.toString('utf8')
      const head = text.slice(0, text.indexOf('\r\n\r\n') >= 0 ? text.indexOf('\r\n\r\n') : text.length)
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head)
      if (!m) return rej(new Error(`not an HTTP response: ${JSON.stringify(text.slice(0, 200))}`))
      const headers = {}
      for (const line of head.split('\r\n').slice(1)) {
        const i = line.indexOf(':')
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
      }
      let body = text.slice(head.length + 4)
      if (/chunked/i.test(headers['transfer-encoding'] || '')) body = unchunk(body)
      else if (headers['content-length']) body = Buffer.from(body).subarray(0, Number(headers['content-length'])).toString('utf8')
      res({ status: Number(m[1]), headers, body, raw: text })
    }
    sock.on('data', (d) => {
      chunks.push(d)
      // Stop as soon as a complete Content-Length response is in.
      const t = Buffer.concat(chunks)
      const he = t.indexOf('\r\n\r\n')
      if (he >= 0) {
        const m = /content-length:\s*(\d+)/i.exec(t.subarray(0, he).toString('latin1'))
        if (m && t.length >= he + 4 + Number(m[1])) finish()
      }
    })
    sock.on('end', () => finish())
    sock.on('close', () => finish())
    sock.on('error', (e) => finish(e))
    sock.on('connect', async () => {
      try {
        for (const p of parts) {
          if (done) break
          if (typeof p === 'function') await p()
          else sock.write(p)
        }
      } catch (e) {
        finish(e)
      }
    })
  })
}

function unchunk(s) {
  let out = ''
  let rest = s
  for (;;) {
    const i = rest.indexOf('\r\n')
    if (i < 0) break
    const n = parseInt(rest.slice(0, i), 16)
    if (!n) break
    out += rest.slice(i + 2, i + 2 + n)
    rest = rest.slice(i + 2 + n + 2)
  }
  return out
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/** True if s contains CJK characters (error messages are in Chinese). */
export const hasChinese = (s) => typeof s === 'string' && /[\u4e00-\u9fff]/.test(s)

/** Assertion helper data: the shape of an API error body, or a description of what is wrong. */
export function errorShapeProblem(body) {
  if (!body || typeof body !== 'object') return `body is not JSON: ${JSON.stringify(body)}`
  const keys = Object.keys(body)
  if (keys.length !== 1 || keys[0] !== 'error') return `body should be {"error":{...}}: ${JSON.stringify(body)}`
  const e = body.error
  for (const k of ['code', 'message', 'field', 'details']) if (!(k in e)) return `error lacks ${k}: ${JSON.stringify(body)}`
  if (typeof e.code !== 'string' || !/^[a-z][a-z0-9_]*$/.test(e.code)) return `code is not snake_case: ${e.code}`
  if (!hasChinese(e.message)) return `message is not Chinese: ${e.message}`
  if (e.field !== null && typeof e.field !== 'string') return `field should be a string or null: ${e.field}`
  return null
}
