// forms.js — client-side checks for forms generated from /meta fields (the server checks again)
import { checkIdNumber } from './idnum.js'

function isEmpty(v) {
  return v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)
}

/**
 * The problem with one field's value, or '' when fine. opts.editing: PII fields may stay empty
 * (empty means "unchanged"); opts.partialOk: an unfinished 身份证号 is not an error yet (while typing).
 */
export function fieldProblem(f, value, { editing = false, partialOk = false } = {}) {
  const empty = isEmpty(value)
  if (empty) {
    if (f.required && !(editing && f.pii)) {
      return f.type === 'code' || f.type === 'ref' || f.type === 'date' ? `请选择${f.label}` : `请填写${f.label}`
    }
    return ''
  }
  if (f.name === 'id_number') {
    const r = checkIdNumber(value)
    if (r.state === 'invalid') return r.message
    if (r.state === 'partial' && !partialOk) return r.message.replace(/^已输入/, '位数不足：已输入')
    return ''
  }
  if (f.type === 'text' && f.max_len && [...String(value)].length > f.max_len) return `${f.label}最多 ${f.max_len} 个字`
  if (f.type === 'date' && !/^\d{4}-\d{2}-\d{2}$/.test(String(value))) return '日期格式应为 YYYY-MM-DD'
  return ''
}

/** Strip "标签：" from a server message that is shown next to that very field. */
export function fieldMessage(f, message) {
  const m = String(message || '')
  const prefix = f && f.label ? f.label + '：' : ''
  return prefix && m.startsWith(prefix) ? m.slice(prefix.length) : m
}

/** Values equal for change detection ('' and null alike). */
export function sameValue(a, b) {
  const na = isEmpty(a) ? null : a
  const nb = isEmpty(b) ? null : b
  return na === nb || String(na) === String(nb)
}

export { isEmpty }
