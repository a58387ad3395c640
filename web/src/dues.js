// dues.js — 党费 helpers: money in integer 分 (fen), yuan parsing by string math, categories, methods, months

/** fen (integer) → "1234.56" (yuan, two decimals); '—' for null. Display only. */
export function yuan(fen) {
  if (fen === null || fen === undefined || fen === '') return '—'
  const n = Number(fen)
  if (!Number.isFinite(n)) return '—'
  const neg = n < 0
  const a = Math.abs(Math.trunc(n))
  const s = `${Math.floor(a / 100)}.${String(a % 100).padStart(2, '0')}`
  return neg ? '-' + s : s
}

/**
 * Parse a yuan amount typed by a user ("3000", "3000.5", "3000.01", "¥3,000.01") into integer fen by
 * string math (no float arithmetic). Resolves to null when not a non-negative amount with ≤2 decimals.
 */
export function parseYuan(text) {
  const s = String(text ?? '')
    .trim()
    .replace(/^[¥￥]/, '')
    .replace(/,/g, '')
  const m = /^(\d{1,10})(?:\.(\d{0,2}))?$/.exec(s)
  if (!m) return null
  const cents = (m[2] || '').padEnd(2, '0')
  return Number(m[1]) * 100 + Number(cents)
}

/** Collection rate from the API's permille → "96.4%"; '—' when null. */
export function ratePct(permille) {
  if (permille === null || permille === undefined) return '—'
  return `${Math.floor(permille / 10)}.${permille % 10}%`
}

export const DUES_CATEGORIES = [
  { code: 'employed', label: '在职党员' },
  { code: 'retired', label: '离退休党员' },
  { code: 'farmer', label: '农民党员' },
  { code: 'student', label: '学生党员' },
  { code: 'unemployed', label: '下岗失业党员' },
  { code: 'subsistence', label: '享受最低生活保障的党员' },
  { code: 'annual_salary', label: '实行年薪制的党员' },
  { code: 'self_employed', label: '灵活就业/个体党员' },
]

export const PAY_METHODS = [
  { code: 'cash', label: '现金' },
  { code: 'transfer', label: '转账' },
  { code: 'online', label: '线上' },
]

export const CELL_STATUS_LABELS = { paid: '已交', unpaid: '未交', partial: '部分交纳', exempt: '免交' }

function pad(n) {
  return n < 10 ? '0' + n : String(n)
}

/** The 12 months "YYYY-MM" of a year. */
export function monthsOf(year) {
  return Array.from({ length: 12 }, (_, i) => `${year}-${pad(i + 1)}`)
}

/** The current month "YYYY-MM" and day "YYYY-MM-DD" in China time. */
export function currentMonth() {
  return todayCn().slice(0, 7)
}
export function todayCn() {
  return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10)
}

/** "2026-03" → "3月". */
export function monthShort(m) {
  return `${Number(String(m).slice(5, 7))}月`
}
