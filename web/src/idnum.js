// idnum.js — 公民身份号码 (GB 11643-1999) checks for the forms: MOD 11-2 check character, birth date, sex

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK_CHARS = '10X98765432'

/** The check character for the first 17 digits. */
export function checkChar(first17) {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i]
  return CHECK_CHARS[sum % 11]
}

function validDate(y, m, d) {
  const dt = new Date(Date.UTC(y, m - 1, d))
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d
}

function pad(n) {
  return n < 10 ? '0' + n : String(n)
}

/**
 * Check a 身份证号 as typed. Returns
 *   {state: 'empty'}                            nothing typed
 *   {state: 'partial', message}                 a prefix of a possibly valid number (not an error yet)
 *   {state: 'invalid', message}                 certainly wrong; message in Chinese
 *   {state: 'valid', normalized, birthDate, sex, legacy}
 * sex is the GB/T 2261.1 code '1' (男) or '2' (女); legacy is true for 15-digit numbers, which
 * are upgraded to 18 digits (normalized) the way the server does it.
 */
export function checkIdNumber(raw, today = new Date()) {
  const s = String(raw || '').trim().toUpperCase()
  if (!s) return { state: 'empty' }
  if (!/^\d*X?$/.test(s)) return { state: 'invalid', message: '只能包含数字，末位可为 X' }
  if (s.length > 18) return { state: 'invalid', message: `应为 18 位，已输入 ${s.length} 位` }
  if (s.includes('X') && s.length !== 18) return { state: 'invalid', message: 'X 只能作为第 18 位校验码' }

  // Birth date digits: YYYYMMDD at 7..14 for 18 digits (checked from 14 typed digits on), YYMMDD
  // at 7..12 for a 15-digit legacy number (19YY). At exactly 14 digits either reading may still be meant.
  if (s.length >= 14 && s.length !== 15) {
    const y = Number(s.slice(6, 10))
    const m = Number(s.slice(10, 12))
    const d = Number(s.slice(12, 14))
    let problem = ''
    if (y < 1900 || !validDate(y, m, d)) problem = '出生日期部分（第 7–14 位）不是有效日期'
    else if (Date.UTC(y, m - 1, d) > Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())) problem = '出生日期晚于今天'
    const legacyPrefix = s.length === 14 && validDate(1900 + Number(s.slice(6, 8)), Number(s.slice(8, 10)), Number(s.slice(10, 12)))
    if (problem && !legacyPrefix) return { state: 'invalid', message: problem }
  }

  if (s.length === 15) {
    const y = 1900 + Number(s.slice(6, 8))
    const m = Number(s.slice(8, 10))
    const d = Number(s.slice(10, 12))
    if (!validDate(y, m, d)) return { state: 'invalid', message: '15 位旧号码的出生日期部分（第 7–12 位）不是有效日期' }
    const first17 = s.slice(0, 6) + '19' + s.slice(6)
    return {
      state: 'valid',
      normalized: first17 + checkChar(first17),
      birthDate: `${y}-${pad(m)}-${pad(d)}`,
      sex: Number(s[14]) % 2 === 1 ? '1' : '2',
      legacy: true,
    }
  }

  if (s.length < 18) return { state: 'partial', message: `已输入 ${s.length} 位，还差 ${18 - s.length} 位` }

  const want = checkChar(s.slice(0, 17))
  if (s[17] !== want) return { state: 'invalid', message: `校验位错误（最后一位应为 ${want}）` }
  return {
    state: 'valid',
    normalized: s,
    birthDate: `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`,
    sex: Number(s[16]) % 2 === 1 ? '1' : '2',
    legacy: false,
  }
}
