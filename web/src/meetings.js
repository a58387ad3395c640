// meetings.js — shared bits of the organizational-life pages (组织生活, 三会一课看板, 待办, 规则): labels for
// codes the server sends without a /meta code list, tag colours, dates, upper-org checks, blob downloads, CSV
import { codeItems, codeLabel } from './meta.js'
import { session } from './session.js'
import { ApiError } from './api.js'

// GLOSSARY.md 组织生活 codes, used only when /meta is not loaded (the server's list wins).
const FALLBACK_TYPES = [
  { code: 'branch_congress', label: '支部党员大会' },
  { code: 'committee', label: '支委会' },
  { code: 'group', label: '党小组会' },
  { code: 'lecture', label: '党课' },
  { code: 'theme_day', label: '主题党日' },
  { code: 'org_life', label: '组织生活会' },
  { code: 'appraisal', label: '民主评议党员' },
  { code: 'talk', label: '谈心谈话' },
]

/** The meeting types [{code, label}] from /meta (codes.meeting_type), or the glossary's list. */
export function meetingTypes() {
  const items = codeItems('meeting_type')
  return items.length ? items : FALLBACK_TYPES
}

export function typeLabel(code) {
  const l = codeLabel('meeting_type', code)
  if (l !== code) return l
  const f = FALLBACK_TYPES.find((t) => t.code === code)
  return f ? f.label : code
}

const FALLBACK_STATUS = { planned: '计划', held: '已召开', submitted: '已报送', accepted: '已审核', returned: '已退回' }

export function statusLabel(code) {
  const l = codeLabel('meeting_status', code)
  return l !== code ? l : FALLBACK_STATUS[code] || code
}

export function meetingStatuses() {
  const items = codeItems('meeting_status')
  return items.length ? items : Object.entries(FALLBACK_STATUS).map(([code, label]) => ({ code, label }))
}

/** el-tag type of a meeting status (the theme's primary is party red, so "held" gets a class instead). */
export function statusTagType(code) {
  return { planned: 'info', held: 'primary', submitted: 'warning', accepted: 'success', returned: 'danger' }[code] || 'info'
}

// Attendance choices in the grid; "excluded" is VOTE-3 (不计入应到).
export const ATTENDANCE_CHOICES = [
  { code: 'present', label: '出席' },
  { code: 'leave', label: '请假' },
  { code: 'absent', label: '缺席' },
  { code: 'excluded', label: '不计入应到' },
]

export const VOTE_KINDS = [
  { code: 'resolution', label: '一般决议', rule: 'VOTE-2' },
  { code: 'admission', label: '接收预备党员', rule: 'DEV-D3/DEV-D5' },
  { code: 'conversion', label: '预备党员转正', rule: 'DEV-T4' },
  { code: 'election', label: '选举', rule: 'ELE-4/ELE-5' },
]

export function voteKindLabel(code) {
  const k = VOTE_KINDS.find((x) => x.code === code)
  return k ? k.label : code
}

export const SEVERITY_LABELS = { error: '问题', warning: '提醒', info: '提示' }
export const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 }

export function severityTagType(sev) {
  return sev === 'error' ? 'danger' : sev === 'warning' ? 'warning' : 'info'
}

// Confidence tags of RULES.md, as short words (emoji fonts are missing on many office PCs).
export const RULE_TAG_BADGES = {
  '✅': { text: '已确认', type: 'success' },
  '🟡': { text: '通行', type: 'warning' },
  '🔶': { text: '地方', type: 'warning' },
  '⚠️': { text: '版本风险', type: 'danger' },
  '⚠': { text: '版本风险', type: 'danger' },
}

export function ruleTagBadge(tag) {
  return RULE_TAG_BADGES[tag] || { text: tag || '—', type: 'info' }
}

export const RULE_TAG_LABELS = {
  '✅': '已确认：出处原文或忠实摘要',
  '🟡': '通行做法：条文号或措辞待核实',
  '🔶': '地方做法：须按本地规定配置',
  '⚠️': '版本风险：可能已有新版本文件',
}

// ---- dates (the browser's local calendar; the server works in +08:00 and so do our users) ----

function pad(n) {
  return n < 10 ? '0' + n : String(n)
}

/** Date → "YYYY-MM-DD" in local time. */
export function ymd(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

export function today() {
  return ymd(new Date())
}

/** "YYYY-MM" → [first day, last day] as "YYYY-MM-DD". */
export function monthRange(ym) {
  const [y, m] = ym.split('-').map(Number)
  const last = new Date(y, m, 0).getDate()
  return [`${y}-${pad(m)}-01`, `${y}-${pad(m)}-${pad(last)}`]
}

/** Shift "YYYY-MM-DD" by n days. */
export function addDays(s, n) {
  const [y, m, d] = s.split('-').map(Number)
  return ymd(new Date(y, m - 1, d + n))
}

/** Whole days from a to b ("YYYY-MM-DD"), b − a. */
export function daysBetween(a, b) {
  const pa = a.split('-').map(Number)
  const pb = b.split('-').map(Number)
  return Math.round((Date.UTC(pb[0], pb[1] - 1, pb[2]) - Date.UTC(pa[0], pa[1] - 1, pa[2])) / 86400000)
}

/** The date a meeting is shown on: held_on, else planned_on. */
export function meetingDay(m) {
  return m.held_on || m.planned_on || ''
}

/** "2026年11月支部党员大会" style title from the chosen types and date. */
export function suggestTitle(types, day) {
  if (!types || !types.length) return ''
  const order = meetingTypes().map((t) => t.code)
  const sorted = [...types].sort((a, b) => order.indexOf(a) - order.indexOf(b))
  // A theme day that includes other meetings reads "主题党日暨支部党员大会".
  let name
  if (sorted.includes('theme_day') && sorted.length > 1) {
    const rest = sorted.filter((t) => t !== 'theme_day' && t !== 'lecture')
    name = '主题党日' + (rest.length ? '暨' + rest.map(typeLabel).join('、') : '')
    if (sorted.includes('lecture')) name += rest.length ? '及党课' : '暨党课'
  } else {
    name = sorted.map(typeLabel).join('、')
  }
  if (!day) return name
  const [y, m] = day.split('-').map(Number)
  if (sorted.length === 1 && ['org_life', 'appraisal'].includes(sorted[0])) return `${y}年度${name}`
  if (sorted.includes('branch_congress') && !sorted.includes('theme_day')) return `${y}年第${'一二三四'[Math.floor((m - 1) / 3)]}季度${name}`
  return `${y}年${m}月${name}`
}

// ---- who may do what ----

export function isOrgRole() {
  return !!session.user && ['admin', 'org_admin'].includes(session.user.role)
}

/**
 * Whether the logged-in user's own organization is above the org at `path` ("/1/2/5/"): accept and
 * return are for an upper organization (the server checks again).
 */
export function isUpperOf(path) {
  const u = session.user
  if (!u || u.org_id == null || !path) return false
  const ids = String(path).split('/').filter(Boolean).map(Number)
  const i = ids.indexOf(u.org_id)
  return i >= 0 && i < ids.length - 1
}

// ---- files ----

/** GET an API file and save it under `name` (the server's Content-Disposition has no file name). */
export async function saveApiFile(path, name) {
  let res
  try {
    res = await fetch('/api/v1' + path, { credentials: 'same-origin', cache: 'no-store' })
  } catch {
    throw new ApiError(0, 'network', '网络错误，无法连接服务器')
  }
  if (!res.ok) {
    let msg = `下载失败（HTTP ${res.status}）`
    try {
      const b = await res.json()
      if (b && b.error && b.error.message) msg = b.error.message
    } catch {
      /* not JSON */
    }
    throw new ApiError(res.status, 'download', msg)
  }
  saveBlob(await res.blob(), name)
}

/** An API file as an object URL (image previews); the caller revokes it. */
export async function blobUrl(path) {
  const res = await fetch('/api/v1' + path, { credentials: 'same-origin', cache: 'no-store' })
  if (!res.ok) throw new ApiError(res.status, 'download', `加载失败（HTTP ${res.status}）`)
  return URL.createObjectURL(await res.blob())
}

/** Hand a Blob to the browser as a download. */
export function saveBlob(blob, name) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
}

function csvCell(v) {
  const s = v === null || v === undefined ? '' : String(v)
  // Cells starting with = + - @ would be formulas in Excel; quote them with a leading apostrophe.
  const safe = /^[=+\-@\t\r]/.test(s) ? "'" + s : s
  return /[",\r\n]/.test(safe) ? '"' + safe.replace(/"/g, '""') + '"' : safe
}

/** CSV text (with a BOM so Excel reads UTF-8) from a header row and data rows. */
export function toCsv(header, rows) {
  const lines = [header, ...rows].map((r) => r.map(csvCell).join(','))
  return '\uFEFF' + lines.join('\r\n') + '\r\n'
}

export function fileSize(n) {
  if (typeof n !== 'number') return '—'
  if (n < 1024) return n + ' B'
  if (n < 1024 * 1024) return (n / 1024).toFixed(1) + ' KB'
  return (n / 1024 / 1024).toFixed(1) + ' MB'
}
