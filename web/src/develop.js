// develop.js — shared bits of 发展党员 and 组织关系转接: the 5 stages and 25 steps (mirror of dj_dev_steps in
// lib/domain/develop_case.c), which finding belongs to which step, the deadline shown on an upcoming step,
// date helpers (calendar months clamped like the server, S-3) and printing a part of the page
import { codeLabel } from './meta.js'

/** The five stages (RULES.md §4.1). */
export const DEV_STAGES = [
  { no: 1, code: 'applicant', name: '入党申请人', short: '申请人' },
  { no: 2, code: 'activist', name: '入党积极分子的确定和培养教育', short: '积极分子' },
  { no: 3, code: 'candidate', name: '发展对象的确定和考察', short: '发展对象' },
  { no: 4, code: 'probationary', name: '预备党员的接收', short: '接收' },
  { no: 5, code: 'full', name: '预备党员的教育考察和转正', short: '转正' },
]

/**
 * The 25 steps. input: which extra data the 登记 dialog asks for. repeat: may be recorded more than once
 * (考察 every half year, 继续教育考察).
 */
export const DEV_STEPS = [
  { no: 1, stage: 1, name: '递交入党申请书' },
  { no: 2, stage: 1, name: '党组织派人谈话' },
  { no: 3, stage: 2, name: '推荐和确定入党积极分子' },
  { no: 4, stage: 2, name: '报上级党委备案' },
  { no: 5, stage: 2, name: '指定培养联系人', input: 'mentors' },
  { no: 6, stage: 2, name: '培养教育考察', repeat: true },
  { no: 7, stage: 3, name: '确定发展对象', input: 'publicity' },
  { no: 8, stage: 3, name: '报上级党委备案（2026：报上级党委同意，公示 5 个工作日）', input: 'publicity' },
  { no: 9, stage: 3, name: '确定入党介绍人', input: 'sponsors' },
  { no: 10, stage: 3, name: '进行政治审查', input: 'review' },
  { no: 11, stage: 3, name: '开展集中培训', input: 'training' },
  { no: 12, stage: 4, name: '支部委员会审查' },
  { no: 13, stage: 4, name: '上级党委预审' },
  { no: 14, stage: 4, name: '填写入党志愿书' },
  { no: 15, stage: 4, name: '支部大会讨论', input: 'admission' },
  { no: 16, stage: 4, name: '上级党委派人谈话' },
  { no: 17, stage: 4, name: '上级党委审批' },
  { no: 18, stage: 4, name: '再上一级党委组织部门备案' },
  { no: 19, stage: 5, name: '编入党支部和党小组' },
  { no: 20, stage: 5, name: '入党宣誓' },
  { no: 21, stage: 5, name: '继续教育考察', repeat: true },
  { no: 22, stage: 5, name: '提出转正申请' },
  { no: 23, stage: 5, name: '支部大会讨论', input: 'conversion' },
  { no: 24, stage: 5, name: '上级党委审批' },
  { no: 25, stage: 5, name: '材料归档' },
]

export function stepDef(no) {
  return DEV_STEPS[no - 1] || null
}

/** Kanban columns: the open cases' stages (正式党员 appears only when converted cases are shown). */
export const KANBAN_STAGES = ['applicant', 'activist', 'candidate', 'probationary']

const STAGE_FALLBACK = { applicant: '入党申请人', activist: '入党积极分子', candidate: '发展对象', probationary: '预备党员', full: '正式党员' }
const STATUS_FALLBACK = { open: '进行中', converted: '已转正', closed: '已终止' }

export function stageLabel(code) {
  const l = codeLabel('dev_stage', code)
  return l !== code ? l : STAGE_FALLBACK[code] || code
}

export function caseStatusLabel(code) {
  const l = codeLabel('dev_status', code)
  return l !== code ? l : STATUS_FALLBACK[code] || code
}

export function caseStatusTagType(code) {
  return { open: 'primary', converted: 'success', closed: 'info' }[code] || 'info'
}

// DEV-ORDER names the later step first ("确定发展对象（…）早于…").
const ORDER_NAMES = [
  ['支部大会讨论接收', 15],
  ['上级党委审批', 17],
  ['上级党委预审', 13],
  ['确定发展对象', 7],
  ['确定入党积极分子', 3],
  ['谈话', 2],
]

const RULE_STEP = {
  'DEV-A1': 1,
  'DEV-A3': 2,
  'DEV-C4': 11,
  'DEV-D4': 15,
  'DEV-D7': 17,
  'DEV-E1': 20,
  'DEV-T2': 23,
  'DEV-T6': 24,
}

/** The step a finding of the develop check is about (its red mark goes there); null when unknown. */
export function findingStep(f) {
  if (!f || !f.rule) return null
  if (f.rule === 'DEV-ORDER') {
    for (const [name, no] of ORDER_NAMES) if (String(f.message || '').startsWith(name)) return no
    return null
  }
  if (f.rule === 'DEV-C1') return /公示/.test(f.message || '') ? 8 : 7
  return RULE_STEP[f.rule] ?? null
}

/**
 * The deadline shown on an upcoming step, from check.deadlines: {text, date, kind: 'by' | 'from'}.
 * null when there is none (yet).
 */
export function stepDeadline(no, dl, doneCount = 0) {
  if (!dl) return null
  switch (no) {
    case 2:
      return dl.talk_by ? { date: dl.talk_by, text: `应在 ${dl.talk_by} 前谈话（DEV-A3）`, kind: 'by' } : null
    case 6: {
      const list = dl.assessments || []
      if (!list.length) return null
      const next = list[Math.min(doneCount, list.length - 1)]
      return { date: next, text: `每半年考察一次：${list.join('、')}（DEV-B4）`, kind: 'by' }
    }
    case 7:
      return dl.earliest_target_on ? { date: dl.earliest_target_on, text: `最早 ${dl.earliest_target_on} 可确定为发展对象（DEV-C1）`, kind: 'from' } : null
    case 15:
      return dl.admission_meeting_by
        ? { date: dl.admission_meeting_by, text: `预审后一个月内（${dl.admission_meeting_by} 前）提交支部大会（2026 细则 DEV-D4 ⚠️）`, kind: 'by' }
        : null
    case 17:
      return dl.approval_by
        ? { date: dl.approval_by, text: `应在 ${dl.approval_by} 前审批，特殊情况最迟 ${dl.approval_max}（DEV-D7）`, kind: 'by' }
        : null
    case 20:
      return dl.oath_by ? { date: dl.oath_by, text: `2026 细则：一般在 ${dl.oath_by} 前组织入党宣誓（DEV-E1 ⚠️）`, kind: 'by' } : null
    case 22:
    case 23:
      return dl.probation_end ? { date: dl.probation_end, text: `预备期满 ${dl.probation_end}，应及时讨论转正（DEV-T1/T2）`, kind: 'from' } : null
    case 24:
      return dl.conversion_approval_by
        ? { date: dl.conversion_approval_by, text: `应在 ${dl.conversion_approval_by} 前审批；转正日期为 ${dl.conversion_date}（DEV-T5/T6）`, kind: 'by' }
        : null
    default:
      return null
  }
}

/** Labels of the deadline keys of the develop check (时间线审核 and the case page). */
export const DEADLINE_LABELS = {
  eligible_from: '年满十八周岁之日（DEV-A1）',
  talk_by: '谈话截止（DEV-A3）',
  assessments: '半年考察（DEV-B4）',
  earliest_target_on: '最早可确定为发展对象（DEV-C1）',
  admission_meeting_by: '支部大会讨论截止（DEV-D4 ⚠️）',
  approval_by: '上级党委审批截止（DEV-D7）',
  approval_max: '审批最长期限（DEV-D7）',
  probation_end: '预备期满（DEV-T1）',
  conversion_date: '转正日期（DEV-T6）',
  party_age_from: '党龄起算（DEV-T6）',
  conversion_approval_by: '转正审批截止（DEV-T5）',
  oath_by: '入党宣誓建议截止（DEV-E1 ⚠️）',
}

export const REVIEW_CONCLUSIONS = [
  { code: 'qualified', label: '合格' },
  { code: 'unqualified', label: '不合格' },
]

export const CONVERSION_DECISIONS = [
  { code: 'convert', label: '按期转正' },
  { code: 'extend', label: '延长预备期' },
  { code: 'cancel', label: '取消预备党员资格' },
]

/** One line describing a step's extra data (names resolves member ids to names). */
export function stepDataText(step, names = {}) {
  const d = step && step.data
  if (!d) return ''
  const who = (ids) => (ids || []).map((id) => names[id] || `党员 ${id}`).join('、')
  const parts = []
  if (d.mentor_ids) parts.push(`培养联系人：${who(d.mentor_ids)}`)
  if (d.sponsor_ids) parts.push(`入党介绍人：${who(d.sponsor_ids)}`)
  if (d.conclusion) parts.push(`政审结论：${d.conclusion === 'qualified' ? '合格' : '不合格'}`)
  if (d.training_days != null || d.training_hours != null) parts.push(`集中培训 ${d.training_days ?? 0} 天、${d.training_hours ?? 0} 学时`)
  if (d.publicized_from) parts.push(`公示 ${d.publicized_from} 至 ${d.publicized_to || '—'}`)
  if (d.decision) {
    const dec = CONVERSION_DECISIONS.find((x) => x.code === d.decision)
    parts.push(`决定：${dec ? dec.label : d.decision}${d.decision === 'extend' && d.extended_months ? ` ${d.extended_months} 个月` : ''}`)
  }
  if (d.vote_id) parts.push(`表决记录 #${d.vote_id}`)
  return parts.join('；')
}

// ---- dates (YYYY-MM-DD strings, calendar as on the server: S-3 months clamp to the month's last day) ----

function pad(n) {
  return n < 10 ? '0' + n : String(n)
}

/** Today in the browser's calendar, YYYY-MM-DD. */
export function todayStr() {
  const d = new Date()
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

function parts(s) {
  const [y, m, d] = String(s).split('-').map(Number)
  return { y, m, d }
}

function mdays(y, m) {
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

export function addMonths(s, n) {
  const { y, m, d } = parts(s)
  const total = y * 12 + (m - 1) + n
  const ry = Math.floor(total / 12)
  const rm = (total % 12) + 1
  return `${ry}-${pad(rm)}-${pad(Math.min(d, mdays(ry, rm)))}`
}

export function addDays(s, n) {
  const { y, m, d } = parts(s)
  const t = new Date(Date.UTC(y, m - 1, d + n))
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())}`
}

/** Whole days from a to b (b - a). */
export function daysBetween(a, b) {
  const pa = parts(a)
  const pb = parts(b)
  return Math.round((Date.UTC(pb.y, pb.m - 1, pb.d) - Date.UTC(pa.y, pa.m - 1, pa.d)) / 86400000)
}

/** Age in whole years on a date (the birthday itself counts, S-7). */
export function ageOn(birth, on) {
  if (!birth || !on) return null
  const b = parts(birth)
  const o = parts(on)
  let a = o.y - b.y
  if (o.m < b.m || (o.m === b.m && o.d < b.d)) a--
  return a
}

/** A date picker's disabledDate for "not after today". */
export function afterToday(date) {
  const t = new Date()
  t.setHours(23, 59, 59, 999)
  return date.getTime() > t.getTime()
}

/** The DEV rule named in a server message ("…（DEV-A3）——…"), or ''. */
export function ruleInMessage(message) {
  const m = /(DEV-[A-Z]+\d*)/.exec(String(message || ''))
  return m ? m[1] : ''
}

/**
 * Print one element only: its HTML is copied into a top-level container so the shell's scrolling
 * areas do not clip long documents (style.css has no print rules; develop.css hides the rest).
 */
export function printElement(el, title = '') {
  if (!el) return
  let root = document.getElementById('dj-print-root')
  if (!root) {
    root = document.createElement('div')
    root.id = 'dj-print-root'
    document.body.appendChild(root)
  }
  root.innerHTML = el.innerHTML
  const oldTitle = document.title
  if (title) document.title = title
  document.body.classList.add('dj-printing')
  const done = () => {
    document.body.classList.remove('dj-printing')
    root.innerHTML = ''
    document.title = oldTitle
    window.removeEventListener('afterprint', done)
  }
  window.addEventListener('afterprint', done)
  window.print()
  // Browsers without afterprint (or a blocked dialog) still get the page back.
  setTimeout(() => {
    if (document.body.classList.contains('dj-printing') && !window.matchMedia('print').matches) done()
  }, 1000)
}

// ---- transfers ----

export const TRANSFER_STATUS = {
  issued: { label: '待接收', type: 'warning' },
  received: { label: '已接收', type: 'success' },
  cancelled: { label: '已撤销', type: 'info' },
}

export const TRANSFER_KIND = { within_county: '县内转接', outside_county: '转出县外' }

export const MEMBER_STATUS_FALLBACK = { active: '正常', lost_contact: '失联', suspended: '停止党籍', exited: '出党', deceased: '死亡' }
