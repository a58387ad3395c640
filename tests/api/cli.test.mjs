// cli.test.mjs — the command line around the server: help for every subcommand, init/user/demo
// contracts and their refusals, and the openapi command agreeing with the served document.
// In PG mode (make test-pg) every --db is a PostgreSQL database; `copy` then moves a SQLite file into one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  cli, cliOk, startServer, api, tempDir, hasChinese, addUser, storeExec, storeUrl, DEMO_USERS, DEMO_PASSWORD, DEMO_TIMEOUT_MS,
} from '../lib/server.mjs'

// ARCHITECTURE.md lists these ("every one has --help").
const IMPLEMENTED = ['serve', 'init', 'demo', 'user', 'import', 'export', 'backup', 'restore', 'audit', 'openapi', 'version', 'report', 'rules']

test('dangjian --help lists the commands; no arguments is a usage error (exit 2)', async () => {
  const h = await cli(['--help'])
  assert.equal(h.code, 0)
  for (const c of IMPLEMENTED) assert.match(h.stdout, new RegExp(`^\\s+${c}\\s`, 'm'), c)
  const none = await cli([])
  assert.equal(none.code, 2)
  assert.ok(hasChinese(none.stderr))
})

for (const c of IMPLEMENTED) {
  test(`dangjian ${c} --help prints its usage and exits 0`, async () => {
    const r = await cli([c, '--help'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`用法：dangjian ${c}\\b`))
  })
}

test('an unknown command exits 2 with a Chinese message', async () => {
  const r = await cli(['frobnicate'])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /未知命令/)
})

test('version prints the version', async () => {
  const r = await cliOk(['version'])
  assert.match(r, /^dangjian \d+\.\d+\.\d+/)
})

test('init prints only the root id; refuses an existing database and bad arguments', async () => {
  const dir = tempDir()
  const db = join(dir, 'a.db')
  const out = await cliOk(['init', '--db', db, '--org-name', '某某县委'])
  assert.match(out, /^\d+$/)
  const again = await cli(['init', '--db', db, '--org-name', '另一个'])
  assert.notEqual(again.code, 0)
  assert.equal(again.stdout, '')
  assert.ok(hasChinese(again.stderr))
  const missing = await cli(['init', '--db', join(dir, 'b.db')])
  assert.equal(missing.code, 2)
  assert.ok(!existsSync(join(dir, 'b.db')), 'nothing created on a usage error')
  const empty = await cli(['init', '--db', join(dir, 'c.db'), '--org-name', ''])
  assert.equal(empty.code, 2)
})

test('user add: prints the new id; refuses weak passwords, bad roles, unknown orgs, duplicates', async () => {
  const dir = tempDir()
  const db = join(dir, 'u.db')
  const root = await cliOk(['init', '--db', db, '--org-name', '测试县委'])
  const add = (username, role, org, password, extra = ['--password-stdin']) =>
    cli(['user', 'add', '--db', db, '--username', username, '--role', role, '--org', String(org), ...extra], {
      input: password + '\n',
    })
  let r = await add('u1', 'admin', root, 'G00d#password')
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout.trim(), /^\d+$/)
  r = await add('u1', 'admin', root, 'G00d#password')
  assert.notEqual(r.code, 0, 'duplicate username')
  assert.ok(hasChinese(r.stderr))
  r = await add('u2', 'admin', root, 'weak')
  assert.notEqual(r.code, 0, 'weak password')
  assert.match(r.stderr, /password|密码/)
  r = await add('u3', 'king', root, 'G00d#password')
  assert.notEqual(r.code, 0, 'bad role')
  assert.match(r.stderr, /role|角色/)
  r = await add('u4', 'admin', 99999, 'G00d#password')
  assert.notEqual(r.code, 0, 'unknown org')
  r = await add('u5', 'admin', 'abc', 'G00d#password')
  assert.equal(r.code, 2, 'org must be an id')
  r = await add('u6', 'admin', root, 'G00d#password', [])
  assert.equal(r.code, 2, 'the password only comes from stdin')
  r = await cli(['user', 'add', '--db', join(dir, 'none.db'), '--username', 'x', '--role', 'admin', '--org', '1', '--password-stdin'], { input: 'G00d#password\n' })
  assert.notEqual(r.code, 0, 'missing database')
  assert.ok(!existsSync(join(dir, 'none.db')), 'user add does not create a database')
  // the one good account logs in
  const { serve, login } = await import('../lib/server.mjs')
  const s = await serve(db)
  try {
    assert.equal((await login(s.base, 'u1', 'G00d#password')).status, 200)
    for (const u of ['u2', 'u3', 'u4', 'u5', 'u6']) assert.equal((await login(s.base, u, 'G00d#password')).status, 401, u)
  } finally {
    assert.equal(await s.stop(), 0)
    s.assertClean()
  }
})

test('demo prints the five logins and the root id last; refuses an existing database', async () => {
  const dir = tempDir()
  const db = join(dir, 'd.db')
  const r = await cli(['demo', '--db', db, '--seed', '1'], { timeoutMs: DEMO_TIMEOUT_MS })
  assert.equal(r.code, 0, r.stderr)
  const lines = r.stdout.trim().split('\n')
  assert.match(lines[lines.length - 1], /^\d+$/)
  for (const u of DEMO_USERS) assert.match(r.stdout, new RegExp(`^\\s+${u}\\s+${DEMO_PASSWORD.replace('@', '\\@')}\\s`, 'm'), u)
  const again = await cli(['demo', '--db', db, '--seed', '1'])
  assert.notEqual(again.code, 0)
  const bad = await cli(['demo', '--db', join(dir, 'e.db'), '--seed', '-4'])
  assert.equal(bad.code, 2)
  const p = await cli(['demo', '--print-logins'])
  assert.equal(p.code, 0)
  for (const u of DEMO_USERS) assert.match(p.stdout, new RegExp(`\\b${u}\\b`))
})

test('the openapi command prints the same document the server serves', async () => {
  const doc = JSON.parse(await cliOk(['openapi']))
  assert.equal(doc.openapi, '3.0.3')
  const s = await startServer()
  try {
    const r = await api(s.base, 'GET', '/api/v1/openapi.json')
    assert.deepEqual(r.body, doc)
  } finally {
    assert.equal(await s.stop(), 0)
    s.assertClean()
  }
})

test('audit verify, backup and restore refuse bad arguments and missing files', async () => {
  const dir = tempDir()
  let r = await cli(['audit', 'verify', '--db', join(dir, 'missing.db')])
  assert.notEqual(r.code, 0)
  r = await cli(['audit', 'check', '--db', join(dir, 'missing.db')])
  assert.equal(r.code, 2)
  r = await cli(['audit', 'verify'])
  assert.equal(r.code, 2)
  r = await cli(['backup', '--db', join(dir, 'missing.db')])
  assert.equal(r.code, 2)
  r = await cli(['backup', '--db', join(dir, 'missing.db'), '--out', join(dir, 'o.db')])
  assert.notEqual(r.code, 0)
  assert.ok(!existsSync(join(dir, 'o.db')))
  r = await cli(['restore', '--from', join(dir, 'missing.db'), '--db', join(dir, 'x.db')])
  assert.notEqual(r.code, 0)
  assert.ok(!existsSync(join(dir, 'x.db')))
  r = await cli(['serve', '--db', join(dir, 'missing.db'), '--port', '0'])
  assert.notEqual(r.code, 0, 'serve refuses a missing database')
  assert.ok(!existsSync(join(dir, 'missing.db')), 'serve does not create a database')
  r = await cli(['serve', '--port', 'eighty'])
  assert.equal(r.code, 2)
})

test('copy: every row into a new store, audit chain verified; a store that is not new is refused and left as it was', async () => {
  const dir = tempDir()
  // The source is a SQLite file in both modes; the destination is the test's store (a PostgreSQL database in PG mode).
  const src = join(dir, 'src.db')
  const root = Number(await cliOk(['init', '--db', src, '--org-name', '复制测试县委'], { sqlite: true }))
  await addUser(src, { username: 'copyadmin', role: 'admin', org: root, password: 'Copy#Admin2026' }, { sqlite: true })
  const dst = join(dir, 'dst.db')
  const r = await cli(['copy', '--from', src, '--to', storeUrl(dst)])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /复制完成/)
  for (const table of ['orgs', 'users', 'audit_log', 'code_items', 'settings']) {
    assert.equal(storeExec(dst, `SELECT COUNT(*) FROM ${table}`), storeExec(src, `SELECT COUNT(*) FROM ${table}`, { sqlite: true }), table)
  }
  assert.equal(storeExec(dst, 'SELECT username FROM users'), 'copyadmin')
  const v = await cli(['audit', 'verify', '--db', dst])
  assert.equal(v.code, 0, v.stdout + v.stderr)
  // again into the same (now not empty) store: refused with a Chinese message, nothing added
  const again = await cli(['copy', '--from', src, '--to', storeUrl(dst)])
  assert.notEqual(again.code, 0)
  assert.ok(hasChinese(again.stderr), again.stderr)
  assert.equal(storeExec(dst, 'SELECT COUNT(*) FROM users'), '1')
  // missing arguments: usage error
  const bad = await cli(['copy', '--from', src])
  assert.notEqual(bad.code, 0)
  assert.ok(hasChinese(bad.stderr), bad.stderr)
})

test('DJ_KEY_FILE names the PII key file for every command (a PostgreSQL store has no file to sit beside)', async () => {
  const dir = tempDir()
  const db = join(dir, 'k.db')
  const key = join(dir, 'elsewhere', 'pii.key')
  await import('node:fs').then((fs) => fs.mkdirSync(join(dir, 'elsewhere')))
  await cliOk(['init', '--db', db, '--org-name', '密钥测试县委'], { env: { DJ_KEY_FILE: key } })
  assert.ok(existsSync(key), 'the key is created where DJ_KEY_FILE says')
  assert.ok(!existsSync(db + '.key'), 'and not beside the database')
})
