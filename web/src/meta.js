// meta.js — GET /api/v1/meta (entity descriptors and code lists), loaded once and shared by forms and tables
import { reactive } from 'vue'
import { api } from './api.js'

/** The loaded metadata: {entities: {name: {label, fields: [...]}}, codes: {name: {title, items: [{code, label}]}}}. */
export const meta = reactive({ entities: {}, codes: {}, loaded: false })

let loading = null

/** Load /meta once per page load; resolves to the reactive `meta`. A failure is retried on the next call. */
export function loadMeta() {
  if (meta.loaded) return Promise.resolve(meta)
  if (!loading) {
    loading = api
      .get('/meta')
      .then((body) => {
        meta.entities = (body && body.entities) || {}
        meta.codes = (body && body.codes) || {}
        meta.loaded = true
        return meta
      })
      .finally(() => {
        loading = null
      })
  }
  return loading
}

/** The descriptor of one entity, or null when the server does not describe it. */
export function entity(name) {
  return meta.entities[name] || null
}

/** Fields of an entity (optionally filtered), [] when unknown. */
export function fields(name, pred = () => true) {
  const e = entity(name)
  return e && Array.isArray(e.fields) ? e.fields.filter(pred) : []
}

/** The items [{code, label}] of a code list, [] when unknown. */
export function codeItems(list) {
  const c = list && meta.codes[list]
  return (c && c.items) || []
}

/** Chinese label of one code in a code list; the code itself when unknown; '—' when empty. */
export function codeLabel(list, code) {
  if (code === null || code === undefined || code === '') return '—'
  const item = codeItems(list).find((i) => i.code === String(code))
  return item ? item.label : String(code)
}

/** A {code: label} map of a code list (for charts and tags). */
export function codeMap(list) {
  const m = {}
  for (const i of codeItems(list)) m[i.code] = i.label
  return m
}

/** How a field's value reads in a table or a description list. orgName(id) resolves org refs. */
export function displayValue(f, row, orgName = null) {
  const v = row ? row[f.name] : null
  if (v === null || v === undefined || v === '') return '—'
  if (f.type === 'code') return row[f.name + '_label'] || codeLabel(f.codes, v)
  if (f.type === 'bool') return v ? '是' : '否'
  if (f.type === 'ref' && f.ref === 'orgs' && orgName) return orgName(v) || `组织 ${v}`
  return String(v)
}
