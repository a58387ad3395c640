// scaleout.test.mjs — two `dangjian serve` processes on one PostgreSQL database behind nginx (run by
// `make test-pg`, which provides DJ_PG_URL). Sessions live in the database, so a login made through one
// app server works on the other; one app server is killed (SIGKILL) while clients keep creating
// organizations through nginx; every creation that was acknowledged (201 with an id) must be in the
// database afterwards, readable through the survivor, and the audit chain must still verify.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs'
import { join } from 'node:path'
import net from 'node:net'
import { PG_URL, cli, cliOk, addUser, serve, tempDir, login, client, sleep } from '../lib/server.mjs'

const PASSWORD = 'Scale@2026out'

function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer()
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => res(port))
    })
    s.on('error', rej)
  })
}

async function startNginx(dir, ports) {
  const port = await freePort()
  mkdirSync(join(dir, 'tmp'), { recursive: true })
  chmodSync(dir, 0o755)
  const conf = join(dir, 'nginx.conf')
  writeFileSync(
    conf,
    `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  upstream dj {
    ${ports.map((p) => `server 127.0.0.1:${p} max_fails=1 fail_timeout=30s;`).join('\n    ')}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://dj;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_next_upstream error timeout;   # nginx never retries a POST that may have reached a server
    }
  }
}
`,
  )
  const proc = spawn('nginx', ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: 'ignore' })
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((res) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end()
        res(true)
      })
      s.on('error', () => res(false))
    })
    if (ok) break
    await sleep(50)
  }
  return { base: `http://127.0.0.1:${port}`, stop: () => proc.kill('SIGTERM') }
}

test('two app servers on one PostgreSQL behind nginx: sessions shared, one killed under load, no acknowledged write lost', { skip: !PG_URL && 'needs DJ_PG_URL (make test-pg)', timeout: 180000 }, async () => {
  const dir = tempDir('dj-scaleout-')
  const db = join(dir, 'scale.db') // the harness maps it to a PostgreSQL database of its own
  const root = Number(await cliOk(['init', '--db', db, '--org-name', '扩展测试县委']))
  await addUser(db, { username: 'admin1', role: 'admin', org: root, password: PASSWORD })
  const a = await serve(db)
  const b = await serve(db)
  const ngx = await startNginx(join(dir, 'nginx'), [a.port, b.port])
  try {
    // A session made on one server is honoured by the other (sessions are rows, not memory).
    const sess = await login(a.base, 'admin1', PASSWORD)
    const onB = client(b.base, sess)
    let r = await onB.get('/api/v1/session')
    assert.equal(r.status, 200, `server B must accept server A's session: ${JSON.stringify(r.body)}`)
    const via = client(ngx.base, sess)
    r = await via.get('/api/v1/orgs/' + root)
    assert.equal(r.status, 200)

    // Load: 8 clients create organizations through nginx; A is killed after 1.5 s.
    const acked = []
    const failed = []
    let stop = false
    let n = 0
    const worker = async (w) => {
      while (!stop) {
        const name = `扩展测试党支部${w}-${n++}`
        try {
          const res = await via.post('/api/v1/orgs', { parent_id: root, name, kind: 'branch' })
          if (res.status === 201) acked.push({ id: res.body.id, name })
          else failed.push(res.status)
        } catch (e) {
          failed.push(String(e.code || e.message))
        }
      }
    }
    const workers = Array.from({ length: 8 }, (_, w) => worker(w))
    await sleep(1500)
    const beforeKill = acked.length
    a.proc.kill('SIGKILL')
    await sleep(2500)
    stop = true
    await Promise.all(workers)
    assert.ok(beforeKill > 0, 'writes were acknowledged before the kill')
    assert.ok(acked.length > beforeKill, `writes kept being acknowledged after the kill (${beforeKill} → ${acked.length})`)
    // Any failure is an unacknowledged request (a 502 for what was in flight on A), never a 4xx/500.
    for (const f of failed) assert.ok(typeof f !== 'number' || f === 502 || f === 503 || f === 504, `unexpected answer ${f}`)

    // Every acknowledged creation is there, through the survivor.
    const surv = client(b.base, sess)
    const ids = new Set()
    for (let page = 1; ; page++) {
      r = await surv.get(`/api/v1/orgs/${root}/children?per_page=200&page=${page}`)
      if (r.status === 404) break
      assert.equal(r.status, 200, JSON.stringify(r.body))
      const items = r.body.items || r.body
      for (const o of items) ids.add(o.id)
      if (items.length < 200) break
    }
    const missing = acked.filter((o) => !ids.has(o.id))
    assert.deepEqual(missing, [], `${missing.length} acknowledged organizations are missing`)
    // Ids are unique and each acknowledged name matches its row.
    assert.equal(new Set(acked.map((o) => o.id)).size, acked.length)
    for (const o of acked.slice(0, 20)) {
      r = await surv.get('/api/v1/orgs/' + o.id)
      assert.equal(r.status, 200)
      assert.equal(r.body.name, o.name)
    }
    await b.stop()
    // The audit chain written by both servers verifies.
    const v = await cli(['audit', 'verify', '--db', db])
    assert.equal(v.code, 0, v.stdout + v.stderr)
  } finally {
    ngx.stop()
    await b.stop().catch(() => {})
  }
})
