// docs.test.mjs — the OpenAPI document kept in docs/ is the one the binary generates from its route table.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const bin = process.env.DJ_BIN || path.join(root, 'build/dangjian')

test('docs/openapi.json is up to date with the route table (make docs regenerates it)', () => {
  const generated = execFileSync(bin, ['openapi'], { encoding: 'utf8' })
  const kept = readFileSync(path.join(root, 'docs/openapi.json'), 'utf8')
  assert.equal(kept, generated, 'docs/openapi.json is stale: run `make docs`')
  const doc = JSON.parse(kept)
  assert.equal(doc.openapi, '3.0.3')
  assert.ok(Object.keys(doc.paths).length > 40)
})

test('every CLI subcommand documented in the README exists and has --help', () => {
  for (const cmd of ['serve', 'init', 'demo', 'user', 'import', 'export', 'backup', 'restore', 'report', 'rules', 'audit', 'version']) {
    const out = execFileSync(bin, [cmd, '--help'], { encoding: 'utf8' })
    assert.match(out, /用法：dangjian/, `${cmd} --help`)
  }
})
