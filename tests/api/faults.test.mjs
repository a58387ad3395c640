// faults.test.mjs — reliability under faults: the server SIGKILLed at random moments during
// concurrent writes, a full disk, storage that turns read-only under a running server, and an
// online backup taken while clients write, then restored and verified.
//
// Needs root (tmpfs and loop mounts; the tests run as root on Debian). Every mount is undone in a
// finally block and again at process exit. The random kill points come from a seeded generator:
// the seed is printed, and DJ_FAULT_SEED=N replays a run.
//
// On PostgreSQL (make test-pg) the kill test runs against the app server in front of the database (the
// checks read the store through psql, and amcheck stands in for PRAGMA integrity_check); the disk-full,
// read-only and backup tests are about the SQLite file under the server and skip there.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile, execFileSync } from 'node:child_process'
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import {
  PG_URL, RELEASE_BIN, addUser, cli, cliOk, client, errorShapeProblem, login, sanitizerReport, serve, session, sleep,
  sqliteOnly, storeExec, tempDir,
} from '../lib/server.mjs'
import { idNumber } from '../lib/xlsx.mjs'

const ADMIN = { username: 'fault_admin', role: 'admin', password: 'Fault#Adm1n2026' }

// ---- small tools ------------------------------------------------------------------------------

/** Run a program; resolves to {code, stdout, stderr} and never rejects on a non-zero exit. */
function run(cmd, args, { timeout = 30000 } = {}) {
  return new Promise((res) => {
    execFile(cmd, args, { timeout, encoding: 'utf8', maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout: stdout.trim(), stderr: stderr.trim() })
    })
  })
}

/**
 * sqlite3 CLI output for one statement (the CLI is a second, independent reader of the file); in PG mode
 * psql's, on the store's database.
 */
async function sql(db, q) {
  if (PG_URL) return storeExec(db, q)
  const r = await run('sqlite3', ['-bail', db, q])
  if (r.code !== 0) throw new Error(`sqlite3 ${db} "${q}" exited ${r.code}: ${r.stderr}`)
  return r.stdout
}

/**
 * PRAGMA integrity_check and foreign_key_check must both come back clean. PostgreSQL: amcheck over every
 * table (verify_heapam) and B-tree index (bt_index_check with the heap cross-check raises on corruption),
 * and no foreign key left unvalidated (PostgreSQL enforces them itself).
 */
async function assertIntact(db, what) {
  if (PG_URL) {
    await sql(db, 'CREATE EXTENSION IF NOT EXISTS amcheck')
    const heap = `WITH t AS MATERIALIZED (SELECT oid FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r')
      SELECT count(*) FROM t, verify_heapam(t.oid)`
    assert.equal(await sql(db, heap), '0', `${what}: verify_heapam`)
    const btree = `WITH ix AS MATERIALIZED (SELECT c.oid FROM pg_class c JOIN pg_am am ON am.oid = c.relam
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'i' AND am.amname = 'btree')
      SELECT count(*) FROM (SELECT bt_index_check(oid, true) FROM ix) x`
    assert.ok(Number(await sql(db, btree)) > 0, `${what}: bt_index_check`)
    const fk = "SELECT count(*) FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype = 'f' AND NOT convalidated"
    assert.equal(await sql(db, fk), '0', `${what}: foreign keys`)
    return
  }
  assert.equal(await sql(db, 'PRAGMA integrity_check'), 'ok', `${what}: integrity_check`)
  assert.equal(await sql(db, 'PRAGMA foreign_key_check'), '', `${what}: foreign_key_check`)
}

/** `dangjian audit verify` must pass. */
async function assertAuditChain(db, what) {
  const r = await cli(['audit', 'verify', '--db', db])
  assert.equal(r.code, 0, `${what}: audit verify exited ${r.code}: ${r.stderr}${r.stdout}`)
}

/**
 * Whole writes only: every org and member row has its "*.create" audit entry and every such entry
 * its row (the write and its audit record share one transaction), and the root's pre-aggregated
 * member count equals the members actually there.
 */
async function assertNoHalfWrites(db, rootId, what, { since = 0 } = {}) {
  // since: only rows and entries with a larger id (the demo county is generated without audit).
  for (const [table, action] of [['members', 'member.create'], ['orgs', 'org.create']]) {
    const orphanRows = await sql(db, `SELECT count(*) FROM ${table} t WHERE t.id <> ${table === 'orgs' ? rootId : 0}
      AND t.id > ${since} AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.action = '${action}' AND a.object_id = t.id)`)
    assert.equal(orphanRows, '0', `${what}: ${table} rows without their ${action} audit entry`)
    const orphanAudit = await sql(db, `SELECT count(*) FROM audit_log a WHERE a.action = '${action}'
      AND a.object_id > ${since} AND NOT EXISTS (SELECT 1 FROM ${table} t WHERE t.id = a.object_id)`)
    assert.equal(orphanAudit, '0', `${what}: ${action} audit entries without their row`)
  }
  const counted = await sql(db, `SELECT count(*) FROM members WHERE category = 'full' AND status = 'active' AND deleted_at IS NULL`)
  const stat = await sql(db, `SELECT COALESCE((SELECT members_full FROM org_stats WHERE org_id = ${rootId}), 0)`)
  assert.equal(stat, counted, `${what}: org_stats of the root agrees with the member rows`)
}

/** mulberry32: a small seeded generator, so a failing run can be replayed. */
function rng(seed) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

let idSerial = 0
/** A fresh valid 身份证号 (distinct for every call in this file). */
function freshId() {
  const n = idSerial++
  const d = new Date(Date.UTC(1965, 0, 1) + Math.floor(n / 500) * 86400000)
  const birth = d.toISOString().slice(0, 10)
  return idNumber('330102', birth, (n % 500) * 2 + 1)
}

/** SIGKILL a served process and wait until it is gone. */
async function kill9(s) {
  // The harness unrefs server processes, so the wait holds a timer to keep the event loop alive.
  let timer
  const gone = new Promise((res, rej) => {
    timer = setTimeout(() => rej(new Error('server did not die within 10 s of SIGKILL')), 10000)
    if (s.proc.exitCode !== null || s.proc.signalCode !== null) res()
    else s.proc.once('exit', () => res())
  })
  s.proc.kill('SIGKILL')
  await gone.finally(() => clearTimeout(timer))
  const rep = sanitizerReport(s.stderr())
  if (rep) throw new Error(`sanitizer report before the kill:\n${rep}`)
}

/** Error bodies must not carry internals (SQL text, file:line, stack frames). */
function assertNoInternals(body, what) {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  for (const bad of ['SQLITE', 'sqlite3', 'SELECT ', 'INSERT ', ' at ', '.c:']) {
    assert.ok(!text.includes(bad), `${what}: error body leaks ${JSON.stringify(bad)}: ${text}`)
  }
}

function assertStorageUnavailable(r, what) {
  assert.equal(r.status, 503, `${what}: ${r.status} ${JSON.stringify(r.body)}`)
  assert.equal(errorShapeProblem(r.body), null, `${what}: ${errorShapeProblem(r.body)}`)
  assert.equal(r.body.error.code, 'storage_unavailable', what)
  assertNoInternals(r.body, what)
}

// ---- mounts -----------------------------------------------------------------------------------

const mounts = [] // {dir, parent}, undone in reverse order
process.on('exit', () => {
  for (const m of mounts.reverse()) {
    try {
      execFileSync('umount', ['-l', m.dir], { stdio: 'ignore' })
    } catch {
      /* already gone */
    }
    try {
      rmSync(m.parent, { recursive: true, force: true })
    } catch {
      /* best effort */
    }
  }
})

/** A fresh mount point in its own temp parent (so the harness's temp cleanup never walks into it). */
function mountPoint(prefix) {
  const parent = mkdtempSync(join(tmpdir(), prefix))
  const dir = join(parent, 'mnt')
  mkdirSync(dir)
  return { parent, dir }
}

async function mountTmpfs(size) {
  const m = mountPoint('dj-tmpfs-')
  const r = await run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', m.dir])
  if (r.code !== 0) {
    rmSync(m.parent, { recursive: true, force: true })
    throw new Error(`mount -t tmpfs failed (these tests need root): ${r.stderr}`)
  }
  mounts.push(m)
  return m
}

/** A loop-mounted ext4 image with errors=remount-ro, so a forced fs error turns it read-only under us. */
async function mountExt4(sizeMb) {
  const m = mountPoint('dj-ext4-')
  m.img = join(m.parent, 'fs.img')
  let r = await run('truncate', ['-s', `${sizeMb}M`, m.img])
  if (r.code === 0) r = await run('mkfs.ext4', ['-q', '-F', m.img])
  if (r.code === 0) r = await run('mount', ['-o', 'loop,errors=remount-ro', m.img, m.dir])
  if (r.code !== 0) {
    rmSync(m.parent, { recursive: true, force: true })
    return { error: r.stderr || `exit ${r.code}` }
  }
  mounts.push(m)
  const src = await run('findmnt', ['-n', '-o', 'SOURCE', m.dir])
  m.trigger = `/sys/fs/ext4/${basename(src.stdout)}/trigger_fs_error`
  return m
}

async function unmount(m) {
  for (let i = 0; i < 30; i++) {
    const r = await run('umount', [m.dir])
    if (r.code === 0) break
    if (i === 29) await run('umount', ['-l', m.dir])
    else await sleep(100)
  }
  const k = mounts.indexOf(m)
  if (k >= 0) mounts.splice(k, 1)
  rmSync(m.parent, { recursive: true, force: true })
}

/** Fill a filesystem to the last byte with one file; returns its path. */
function fillUp(dir) {
  const path = join(dir, 'filler')
  const fd = openSync(path, 'w')
  const chunk = Buffer.alloc(64 * 1024)
  try {
    for (let i = 0; i < 1 << 16; i++) writeSync(fd, chunk)
    throw new Error(`filling ${dir} never ran out of space`)
  } catch (e) {
    if (e.code !== 'ENOSPC') throw e
  }
  // Then the last partial chunk's worth, byte-sized pieces of it.
  for (const n of [4096, 512, 1]) {
    try {
      for (;;) writeSync(fd, chunk.subarray(0, n))
    } catch (e) {
      if (e.code !== 'ENOSPC') throw e
    }
  }
  closeSync(fd)
  return path
}

/** init + one admin + serve, on a database at db (a path inside a mount). */
async function freshServer(db, orgName) {
  const rootId = Number(await cliOk(['init', '--db', db, '--org-name', orgName]))
  await addUser(db, { ...ADMIN, org: rootId })
  const s = await serve(db)
  const c = await session(s.base, ADMIN.username, ADMIN.password)
  const br = await c.post('/api/v1/orgs', { parent_id: rootId, name: `${orgName}第一支部`, kind: 'branch', sector: 'rural' })
  assert.equal(br.status, 201, JSON.stringify(br.body))
  return { s, c, rootId, branchId: br.body.id }
}

after(() => {
  // Nothing may stay mounted once the file is done.
  assert.deepEqual(mounts.map((m) => m.dir), [], 'every test mount was undone')
})

// ---- crash ------------------------------------------------------------------------------------

test('SIGKILL at random moments during concurrent writes: answered writes survive whole, nothing else half-present', async (t) => {
  const ROUNDS = 20
  const WRITES = 40 // per round
  const CLIENTS = 4
  const seed = Number(process.env.DJ_FAULT_SEED) || (Date.now() % 1000000)
  t.diagnostic(`seed ${seed} (DJ_FAULT_SEED=${seed} replays the kill points)`)
  const rand = rng(seed)
  const dir = tempDir('dj-crash-')
  const db = join(dir, 't.db')
  const { s: first, c: c0, rootId, branchId } = await freshServer(db, '崩溃测试县委')
  let srv = first
  const sess = { cookie: c0.cookie, csrf: c0.csrf }
  const acked = [] // {kind, id, name} answered 2xx, over all rounds
  let unanswered = 0
  let killedMidStream = 0
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const c = client(srv.base, sess)
      const plan = []
      for (let i = 0; i < WRITES; i++) {
        const name = `崩${round}号${i}`
        plan.push(
          rand() < 0.6
            ? { kind: 'member', name, path: '/api/v1/members', body: { name, id_number: freshId(), org_id: branchId, category: 'full' } }
            : { kind: 'org', name, path: '/api/v1/orgs', body: { parent_id: rootId, name, kind: 'branch', sector: 'rural' } },
        )
      }
      // Kill after a random number of answered writes, plus a random sub-millisecond-to-3ms delay.
      const killAfter = 1 + Math.floor(rand() * (WRITES - 6))
      const extraMs = rand() * 3
      let next = 0
      let answered = 0
      let killed = null
      const killNow = () => {
        if (!killed) killed = (async () => { await sleep(extraMs); await kill9(srv) })()
      }
      const writer = async () => {
        while (next < plan.length && !killed) {
          const w = plan[next++]
          let r
          try {
            r = await c.post(w.path, w.body)
          } catch {
            w.outcome = 'unanswered'
            return
          }
          if (r.status >= 200 && r.status < 300) {
            w.outcome = 'acked'
            w.id = r.body.id
            assert.ok(Number.isInteger(w.id), JSON.stringify(r.body))
          } else {
            w.outcome = 'error'
            w.status = r.status
            assertNoInternals(r.body, `round ${round} ${w.kind} write answered ${r.status}`)
          }
          if (++answered >= killAfter) killNow()
        }
      }
      await Promise.all(Array.from({ length: CLIENTS }, writer))
      if (!killed) killNow()
      await killed
      if (answered < WRITES) killedMidStream++
      for (const w of plan) if (w.outcome === 'acked') acked.push(w)
      unanswered += plan.filter((w) => w.outcome === 'unanswered').length

      // Restart: the server itself recovers the WAL first, then the checks read alongside it.
      srv = await serve(db)
      const c2 = client(srv.base, sess)
      const what = `round ${round} (seed ${seed}, kill after ${killAfter} answers)`
      for (const w of plan.filter((x) => x.outcome === 'acked')) {
        const r = await c2.get(w.kind === 'member' ? `/api/v1/members/${w.id}` : `/api/v1/orgs/${w.id}`)
        assert.equal(r.status, 200, `${what}: answered ${w.kind} ${w.name} (id ${w.id}) is gone after the restart`)
        assert.equal(r.body.name, w.name, what)
      }
      const memberNames = new Set((await sql(db, 'SELECT name FROM members')).split('\n'))
      const orgNames = new Set((await sql(db, 'SELECT name FROM orgs')).split('\n'))
      for (const w of plan) {
        const present = (w.kind === 'member' ? memberNames : orgNames).has(w.name)
        if (w.outcome === 'acked') assert.ok(present, `${what}: ${w.name} answered 2xx but missing`)
        if (w.outcome === 'error') assert.ok(!present, `${what}: ${w.name} answered ${w.status} but present`)
        if (!w.outcome) assert.ok(!present, `${what}: ${w.name} was never sent but is present`)
      }
      await assertIntact(db, what)
      await assertAuditChain(db, what)
      await assertNoHalfWrites(db, rootId, what)
    }
    // Everything answered in earlier rounds is still there at the end.
    const ids = new Set((await sql(db, 'SELECT id FROM members')).split('\n').map(Number))
    for (const w of acked) if (w.kind === 'member') assert.ok(ids.has(w.id), `member ${w.name} lost in a later round`)
    t.diagnostic(`${acked.length} answered writes kept over ${ROUNDS} kills; ${unanswered} cut off in flight; ${killedMidStream} rounds killed mid-stream`)
    assert.ok(killedMidStream >= ROUNDS / 2, 'most rounds were killed while writes were still being sent')
    assert.equal(await srv.stop(), 0)
    srv.assertClean()
  } finally {
    await srv.stop().catch(() => {}) // after a failure: do not hide it behind the stop's own result
  }
})

// ---- disk full --------------------------------------------------------------------------------

const SQLITE_DISK = sqliteOnly('fills or breaks the filesystem under the SQLite file; a PostgreSQL store lives on the database server\'s disk')

test('disk full: writes answer 503 storage_unavailable, reads keep working, nothing half-written, writes resume when space returns', { skip: SQLITE_DISK }, async () => {
  const m = await mountTmpfs('4m')
  let s
  try {
    const db = join(m.dir, 't.db')
    const f = await freshServer(db, '满盘测试县委')
    s = f.s
    const { c, rootId, branchId } = f
    const before = await c.post('/api/v1/members', { name: '满盘前', id_number: freshId(), org_id: branchId, category: 'full' })
    assert.equal(before.status, 201, JSON.stringify(before.body))

    const filler = fillUp(m.dir)
    const outcomes = [] // {kind, name, status}
    // Small writes until three in a row fail (a WAL reused from its start may still take a few),
    // bounded in count.
    let failsInRow = 0
    for (let i = 0; i < 60 && failsInRow < 3; i++) {
      const name = `满盘支部${i}`
      const t0 = Date.now()
      const r = await c.post('/api/v1/orgs', { parent_id: rootId, name, kind: 'branch', sector: 'rural', address: '地址'.repeat(90) })
      assert.ok(Date.now() - t0 < 8000, 'a write on a full disk is answered promptly')
      outcomes.push({ kind: 'org', name, status: r.status })
      if (r.status === 201) {
        failsInRow = 0
      } else {
        assertStorageUnavailable(r, `org write ${i} on a full disk`)
        failsInRow++
      }
    }
    assert.equal(failsInRow, 3, 'writes fail once the disk is full')
    // Members (PII sealed, counts, audit) and an update fail the same way.
    const mr = await c.post('/api/v1/members', { name: '满盘党员', id_number: freshId(), org_id: branchId, category: 'full' })
    outcomes.push({ kind: 'member', name: '满盘党员', status: mr.status })
    assertStorageUnavailable(mr, 'member create on a full disk')
    assertStorageUnavailable(await c.patch(`/api/v1/members/${before.body.id}`, { work_unit: '满盘单位' }), 'member update on a full disk')

    // Reads keep working.
    for (const p of [`/api/v1/members/${before.body.id}`, '/api/v1/members?per_page=5', `/api/v1/orgs/${rootId}`,
      `/api/v1/orgs/${rootId}/children`, '/api/v1/session', '/api/v1/health']) {
      const r = await c.get(p)
      assert.equal(r.status, 200, `GET ${p} on a full disk: ${r.status} ${JSON.stringify(r.body)}`)
    }
    assert.equal((await c.get(`/api/v1/members/${before.body.id}`)).body.work_unit ?? null, null, 'the failed update left no trace')
    // A login needs a session row: 503 too, never 500.
    const l = await login(s.base, ADMIN.username, ADMIN.password)
    assert.ok(l.status === 200 || l.status === 503, `login on a full disk: ${l.status} ${JSON.stringify(l.body)}`)
    if (l.status === 503) assertStorageUnavailable(l, 'login on a full disk')
    assert.equal(s.proc.exitCode, null, 'the server is still running')

    // Space returns: writes go through again without a restart.
    unlinkSync(filler)
    let ok = null
    for (let i = 0; i < 10 && !ok; i++) {
      const name = `恢复支部${i}`
      const r = await c.post('/api/v1/orgs', { parent_id: rootId, name, kind: 'branch', sector: 'rural' })
      outcomes.push({ kind: 'org', name, status: r.status })
      if (r.status === 201) ok = r
      else await sleep(100)
    }
    assert.ok(ok, 'writes succeed again once space is freed')
    const again = await c.post('/api/v1/members', { name: '恢复党员', id_number: freshId(), org_id: branchId, category: 'full' })
    assert.equal(again.status, 201, JSON.stringify(again.body))
    outcomes.push({ kind: 'member', name: '恢复党员', status: 201 })

    assert.equal(await s.stop(), 0)
    s.assertClean()
    const orgNames = new Set((await sql(db, 'SELECT name FROM orgs')).split('\n'))
    const memberNames = new Set((await sql(db, 'SELECT name FROM members')).split('\n'))
    for (const o of outcomes) {
      const present = (o.kind === 'org' ? orgNames : memberNames).has(o.name)
      assert.equal(present, o.status === 201, `${o.name} answered ${o.status} but is ${present ? '' : 'not '}present`)
    }
    await assertIntact(db, 'after the disk was full')
    await assertAuditChain(db, 'after the disk was full')
    await assertNoHalfWrites(db, rootId, 'after the disk was full')
  } finally {
    if (s) await s.stop().catch(() => {})
    await unmount(m)
  }
})

// ---- read-only storage --------------------------------------------------------------------------

test('storage turning read-only under the server: writes 503 storage_unavailable, reads work, data intact after repair', { skip: SQLITE_DISK }, async (t) => {
  const m = await mountExt4(16)
  if (m.error) {
    // No loop devices here: the same failure can only be staged between two runs of the server.
    t.diagnostic(`loop mount unavailable (${m.error}); checking a database on a tmpfs remounted read-only instead`)
    await readOnlyAtStart(t)
    return
  }
  let s
  try {
    const db = join(m.dir, 't.db')
    const f = await freshServer(db, '只读测试县委')
    s = f.s
    const { c, rootId, branchId } = f
    const kept = await c.post('/api/v1/members', { name: '只读前', id_number: freshId(), org_id: branchId, category: 'full' })
    assert.equal(kept.status, 201, JSON.stringify(kept.body))
    // ext4 with errors=remount-ro: a filesystem error turns the mount read-only at once, open
    // files included — what a failing disk does to a running server.
    writeFileSync(m.trigger, '1')
    assert.match((await run('findmnt', ['-n', '-o', 'OPTIONS', m.dir])).stdout, /(^|,)ro(,|$)|emergency_ro/)

    const failed = []
    for (let i = 0; i < 5; i++) {
      const name = `只读支部${i}`
      const r = await c.post('/api/v1/orgs', { parent_id: rootId, name, kind: 'branch', sector: 'rural' })
      assertStorageUnavailable(r, `org write ${i} on read-only storage`)
      failed.push(name)
    }
    assertStorageUnavailable(
      await c.post('/api/v1/members', { name: '只读党员', id_number: freshId(), org_id: branchId, category: 'full' }),
      'member create on read-only storage',
    )
    failed.push('只读党员')
    assertStorageUnavailable(await c.del(`/api/v1/members/${kept.body.id}?reason=${encodeURIComponent('测试')}`), 'delete on read-only storage')
    for (const p of [`/api/v1/members/${kept.body.id}`, '/api/v1/members', `/api/v1/orgs/${rootId}/children`, '/api/v1/health']) {
      const r = await c.get(p)
      assert.equal(r.status, 200, `GET ${p} on read-only storage: ${r.status} ${JSON.stringify(r.body)}`)
    }
    const l = await login(s.base, ADMIN.username, ADMIN.password)
    assert.ok(l.status === 200 || l.status === 503, `login on read-only storage: ${l.status} ${JSON.stringify(l.body)}`)
    if (l.status === 503) assertStorageUnavailable(l, 'login on read-only storage')
    assert.equal(s.proc.exitCode, null, 'the server is still running')
    assert.equal(await s.stop(), 0, 'the server still shuts down cleanly')
    s.assertClean()
    s = null

    // Repair as an operator would (unmount, fsck, mount), then everything answered is there and
    // the store is whole; a new server writes again.
    await run('umount', [m.dir])
    const fsck = await run('e2fsck', ['-f', '-y', m.img])
    assert.ok(fsck.code <= 1, `e2fsck: ${fsck.code} ${fsck.stderr}`)
    const re = await run('mount', ['-o', 'loop,errors=remount-ro', m.img, m.dir])
    assert.equal(re.code, 0, re.stderr)
    await assertIntact(db, 'after read-only storage')
    await assertAuditChain(db, 'after read-only storage')
    await assertNoHalfWrites(db, rootId, 'after read-only storage')
    const names = new Set((await sql(db, 'SELECT name FROM orgs UNION ALL SELECT name FROM members')).split('\n'))
    assert.ok(names.has('只读前'))
    for (const n of failed) assert.ok(!names.has(n), `${n} answered 503 but is present`)
    s = await serve(db)
    const c2 = await session(s.base, ADMIN.username, ADMIN.password)
    const w = await c2.post('/api/v1/orgs', { parent_id: rootId, name: '修复后支部', kind: 'branch', sector: 'rural' })
    assert.equal(w.status, 201, JSON.stringify(w.body))
    assert.equal(await s.stop(), 0)
    s.assertClean()
    s = null
  } finally {
    if (s) await s.stop().catch(() => {})
    await unmount(m)
  }
})

/** Fallback without loop devices: a database on a tmpfs that is read-only when the server starts. */
async function readOnlyAtStart(t) {
  const m = await mountTmpfs('8m')
  try {
    const db = join(m.dir, 't.db')
    const f = await freshServer(db, '只读测试县委')
    assert.equal(await f.s.stop(), 0)
    const r0 = await run('mount', ['-o', 'remount,ro', m.dir])
    assert.equal(r0.code, 0, r0.stderr)
    const r = await cli(['serve', '--db', db, '--listen', '127.0.0.1', '--port', '0'], { env: {} }).catch((e) => ({ code: -1, stderr: String(e) }))
    // The server refuses to start with a clear Chinese message (it does not crash or hang).
    assert.equal(r.code, 1, `serve on a read-only database exited ${r.code}: ${r.stderr}`)
    assert.match(r.stderr, /[\u4e00-\u9fff]/)
    t.diagnostic(`serve on read-only storage: ${r.stderr.split('\n').pop()}`)
    await run('mount', ['-o', 'remount,rw', m.dir])
    await assertIntact(db, 'read-only at start')
  } finally {
    await unmount(m)
  }
}

// ---- backup while writing -------------------------------------------------------------------------

test('backup during concurrent writes finishes, and the restored copy is intact with a valid audit chain and readable PII', {
  skip: sqliteOnly('dangjian backup/restore copy the SQLite file; a PostgreSQL store is backed up with pg_dump/pg_basebackup'),
}, async (t) => {
  const dir = tempDir('dj-backup-')
  const db = join(dir, 't.db')
  // 12,000 generated members (~9 MB, so the backup copies in several steps) built with the release
  // binary for speed; the server and the backup under test are the sanitizer build.
  const out = await cliOk(['demo', '--db', db, '--seed', '1', '--scale', '12000'], { bin: RELEASE_BIN })
  const rootId = Number(out.split('\n').pop())
  const demoMax = Number(await sql(db, 'SELECT max(id) FROM members'))
  let s = await serve(db)
  let s2
  try {
    const c = await session(s.base, 'admin', 'Demo@2026')
    const br = await c.get(`/api/v1/orgs/${rootId}/children?per_page=1`)
    assert.equal(br.status, 200, JSON.stringify(br.body))
    const orgId = br.body.items[0].id
    const acked = [] // {id, name, id_number, at}
    let stop = false
    let errors = 0
    const writer = async (k) => {
      for (let i = 0; !stop && i < 5000; i++) {
        const name = `备份中${k}号${i}`
        const idn = freshId()
        const r = await c.post('/api/v1/members', { name, id_number: idn, org_id: orgId, category: 'full' })
        if (r.status === 201) acked.push({ id: r.body.id, name, id_number: idn, at: Date.now() })
        else errors++
      }
    }
    const writers = [0, 1, 2].map(writer)
    while (acked.length < 20) await sleep(10)
    const backupFile = join(dir, 'backup.db')
    const started = Date.now()
    // Writes continue for the whole backup; a backup that restarts on every change never ends.
    let timer
    const b = await Promise.race([
      cli(['backup', '--db', db, '--out', backupFile]),
      new Promise((res) => (timer = setTimeout(() => res(null), 25000))),
    ]).finally(() => clearTimeout(timer))
    const finished = Date.now()
    stop = true
    await Promise.all(writers)
    assert.ok(b, 'dangjian backup finished within 25 s while clients kept writing')
    assert.equal(b.code, 0, `backup: ${b.stderr}`)
    assert.equal(errors, 0, 'no write failed during the backup')
    const during = acked.filter((a) => a.at > started && a.at < finished).length
    t.diagnostic(`backup took ${finished - started} ms; ${during} writes answered meanwhile, ${acked.length} in all`)
    assert.ok(during > 0, 'writes were answered while the backup ran')

    // Restore into a fresh place (as on a new machine: the key file travels separately).
    const rdir = tempDir('dj-restore-')
    const rdb = join(rdir, 't.db')
    const rr = await cli(['restore', '--from', backupFile, '--db', rdb])
    assert.equal(rr.code, 0, `restore: ${rr.stderr}`)
    copyFileSync(`${db}.key`, `${rdb}.key`)
    await assertIntact(rdb, 'restored copy')
    await assertAuditChain(rdb, 'restored copy')
    await assertNoHalfWrites(rdb, rootId, 'restored copy', { since: demoMax })
    const have = new Set((await sql(rdb, 'SELECT id FROM members')).split('\n').map(Number))
    for (const a of acked.filter((x) => x.at < started)) assert.ok(have.has(a.id), `${a.name}, answered before the backup began, is in it`)

    // The restored store serves, and sealed 身份证号 decrypt with the key.
    s2 = await serve(rdb)
    const rc = await session(s2.base, 'admin', 'Demo@2026')
    const sample = acked.filter((x) => have.has(x.id)).slice(-3)
    assert.ok(sample.length > 0)
    for (const a of sample) {
      const g = await rc.get(`/api/v1/members/${a.id}?reveal=1`)
      assert.equal(g.status, 200, JSON.stringify(g.body))
      assert.equal(g.body.id_number, a.id_number)
    }
    assert.equal(await s2.stop(), 0)
    s2.assertClean()
    s2 = null
    assert.equal(await s.stop(), 0)
    s.assertClean()
    s = null
    unlinkSync(backupFile)
  } finally {
    if (s2) await s2.stop().catch(() => {})
    if (s) await s.stop().catch(() => {})
  }
})

