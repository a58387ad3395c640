// api.js — fetch wrapper for /api/v1: same-origin cookie, CSRF header, Chinese error messages, 401 handling
import { ElMessage } from 'element-plus'

const BASE = '/api/v1'

let csrfToken = ''
let onUnauthorized = null

/** The CSRF token from the last session response; kept in memory only. */
export function setCsrfToken(token) {
  csrfToken = token || ''
}

/** The current CSRF token, for requests made outside request() (uploads with progress). */
export function getCsrfToken() {
  return csrfToken
}

/** Called with no arguments when a request answers 401 (session expired). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn
}

/** An error answered by the API, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, code, message, field = null, details = null) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.field = field
    this.details = details
  }
}

function queryString(params) {
  if (!params) return ''
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue
    q.append(k, String(v))
  }
  const s = q.toString()
  return s ? '?' + s : ''
}

async function parseError(res) {
  let body = null
  try {
    body = await res.json()
  } catch {
    /* not JSON: fall through to the generic message */
  }
  const e = body && body.error
  if (e && typeof e.message === 'string') {
    return new ApiError(res.status, e.code || 'error', e.message, e.field ?? null, e.details ?? null)
  }
  return new ApiError(res.status, 'http_' + res.status, `请求失败（HTTP ${res.status}）`)
}

/**
 * Send one request. Options: params (query object), body (JSON-encoded), quiet (do not show the
 * error message; the caller does), noAuthRedirect (a 401 is an answer, not an expired session).
 * Resolves to the parsed JSON body (or null for an empty body); rejects with ApiError.
 */
export async function request(method, path, opts = {}) {
  const headers = { Accept: 'application/json' }
  const init = { method, headers, credentials: 'same-origin', cache: 'no-store' }
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json'
    init.body = JSON.stringify(opts.body)
  }
  if (method !== 'GET' && method !== 'HEAD' && csrfToken) headers['X-DJ-CSRF'] = csrfToken

  let res
  try {
    res = await fetch(BASE + path + queryString(opts.params), init)
  } catch {
    const err = new ApiError(0, 'network', '网络错误，无法连接服务器')
    if (!opts.quiet) ElMessage.error(err.message)
    throw err
  }

  if (!res.ok) {
    const err = await parseError(res)
    if (res.status === 401 && !opts.noAuthRedirect) {
      csrfToken = ''
      if (onUnauthorized) onUnauthorized()
      if (!opts.quiet) ElMessage.warning('登录已失效，请重新登录')
      throw err
    }
    if (!opts.quiet) ElMessage.error(err.message)
    throw err
  }

  const text = await res.text()
  if (!text) return null
  try {
    return JSON.parse(text)
  } catch {
    const err = new ApiError(res.status, 'bad_response', '服务器返回了无法解析的数据')
    if (!opts.quiet) ElMessage.error(err.message)
    throw err
  }
}

export const api = {
  get: (path, params, opts = {}) => request('GET', path, { ...opts, params }),
  post: (path, body, opts = {}) => request('POST', path, { ...opts, body }),
  patch: (path, body, opts = {}) => request('PATCH', path, { ...opts, body }),
  // DELETE may carry a JSON body (e.g. {"reason"} when deleting a member record).
  del: (path, opts = {}) => request('DELETE', path, opts),
}

/** Fetch every page of a list (per_page 200) up to maxItems; returns the items. opts as for request(). */
export async function getAll(path, params = {}, maxItems = 2000, opts = {}) {
  const items = []
  for (let page = 1; ; page++) {
    const r = await api.get(path, { ...params, page, per_page: 200 }, opts)
    const got = (r && r.items) || []
    items.push(...got)
    if (got.length === 0 || items.length >= (r.total ?? 0) || items.length >= maxItems) break
  }
  return items
}

/** The items of a list answer, whether it is {items: [...]} or a bare array. */
export function itemsOf(body) {
  if (Array.isArray(body)) return body
  return (body && Array.isArray(body.items) && body.items) || []
}
