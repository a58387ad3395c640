// transfer.js — file downloads (xlsx exports, templates) and uploads with progress, and job polling
import { ApiError, getCsrfToken } from './api.js'

const BASE = '/api/v1'

function query(params) {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue
    q.append(k, String(v))
  }
  const s = q.toString()
  return s ? '?' + s : ''
}

/** The URL of an API path with a query string (for links and downloads). */
export function apiUrl(path, params) {
  return BASE + path + query(params)
}

function filenameFrom(disposition, fallback) {
  if (!disposition) return fallback
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(disposition)
  if (star) {
    try {
      return decodeURIComponent(star[1].trim().replace(/^"|"$/g, ''))
    } catch {
      /* fall through */
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(disposition)
  return plain ? plain[1].trim() : fallback
}

async function errorOf(res) {
  try {
    const body = await res.json()
    if (body && body.error && body.error.message) {
      return new ApiError(res.status, body.error.code || 'error', body.error.message, body.error.field ?? null)
    }
  } catch {
    /* not JSON */
  }
  return new ApiError(res.status, 'http_' + res.status, `下载失败（HTTP ${res.status}）`)
}

/**
 * Download an API file (GET) and hand it to the browser as a saved file. Rejects with ApiError
 * (the caller shows the message). Resolves to the file name used.
 */
export async function download(path, params, fallbackName) {
  let res
  try {
    res = await fetch(apiUrl(path, params), { credentials: 'same-origin', cache: 'no-store' })
  } catch {
    throw new ApiError(0, 'network', '网络错误，无法连接服务器')
  }
  if (!res.ok) throw await errorOf(res)
  const blob = await res.blob()
  const name = filenameFrom(res.headers.get('Content-Disposition'), fallbackName)
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
  return name
}

/**
 * POST a file's raw bytes (application/octet-stream) with the CSRF header, reporting upload
 * progress through onProgress(percent 0..100). Resolves to the parsed JSON answer; rejects with
 * ApiError. XMLHttpRequest because fetch has no upload progress events.
 */
export function uploadRaw(path, params, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', apiUrl(path, params))
    xhr.withCredentials = true
    xhr.setRequestHeader('Content-Type', 'application/octet-stream')
    xhr.setRequestHeader('Accept', 'application/json')
    const token = getCsrfToken()
    if (token) xhr.setRequestHeader('X-DJ-CSRF', token)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(Math.round((e.loaded / e.total) * 100))
    }
    xhr.onload = () => {
      let body = null
      try {
        body = xhr.responseText ? JSON.parse(xhr.responseText) : null
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        if (onProgress) onProgress(100)
        resolve(body)
      } else {
        const e = body && body.error
        reject(
          e && e.message
            ? new ApiError(xhr.status, e.code || 'error', e.message, e.field ?? null, e.details ?? null)
            : new ApiError(xhr.status, 'http_' + xhr.status, `上传失败（HTTP ${xhr.status}）`),
        )
      }
    }
    xhr.onerror = () => reject(new ApiError(0, 'network', '网络错误，上传中断'))
    xhr.send(file)
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * Poll a job (GET every intervalMs) until its state is no longer 'running'/'queued'; calls
 * onUpdate(job) after every answer. Resolves to the last job. cancelled() stops it early (resolves null).
 */
export async function pollJob(getJob, onUpdate, { intervalMs = 300, cancelled = () => false } = {}) {
  for (;;) {
    if (cancelled()) return null
    const job = await getJob()
    if (cancelled()) return null
    if (onUpdate) onUpdate(job)
    if (job && job.state !== 'running' && job.state !== 'queued' && job.state !== 'pending') return job
    await sleep(intervalMs)
  }
}
