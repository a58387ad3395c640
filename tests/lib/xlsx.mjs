// xlsx.mjs — dependency-free spreadsheet helpers for the black-box tests: a ZIP writer (stored or
// deflated entries, CRC-32, central directory) and a minimal SpreadsheetML workbook with inline
// strings, so tests can build large .xlsx uploads without zip or npm packages; plus a tiny ZIP
// reader (list entries, inflate one) for checking downloads. Node built-ins only.
//
//   const buf = xlsxFromRows([['姓名*', '身份证号*'], ['张三', '11010519491231002X']])
//   const entries = unzip(buf)   // Map name → Buffer
import zlib from 'node:zlib'

let crcTable = null
/** CRC-32 (IEEE) of a Buffer; zlib.crc32 where Node has it. */
export function crc32(buf) {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(buf) >>> 0
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let c = 0xffffffff
  for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

const DOS_TIME = 0 // 00:00:00
const DOS_DATE = ((2024 - 1980) << 9) | (1 << 5) | 1 // 2024-01-01

/**
 * A ZIP archive from entries [{name, data (Buffer|string), store?}]: deflated unless store is set
 * (or deflating does not help). UTF-8 names (general purpose bit 11).
 */
export function zip(entries) {
  const locals = []
  const centrals = []
  let offset = 0
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8')
    const data = Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data, 'utf8')
    const crc = crc32(data)
    let method = 0
    let body = data
    if (!e.store) {
      const d = zlib.deflateRawSync(data, { level: 6 })
      if (d.length < data.length) {
        method = 8
        body = d
      }
    }
    const lh = Buffer.alloc(30)
    lh.writeUInt32LE(0x04034b50, 0)
    lh.writeUInt16LE(20, 4) // version needed
    lh.writeUInt16LE(0x0800, 6) // UTF-8 names
    lh.writeUInt16LE(method, 8)
    lh.writeUInt16LE(DOS_TIME, 10)
    lh.writeUInt16LE(DOS_DATE, 12)
    lh.writeUInt32LE(crc, 14)
    lh.writeUInt32LE(body.length, 18)
    lh.writeUInt32LE(data.length, 22)
    lh.writeUInt16LE(name.length, 26)
    lh.writeUInt16LE(0, 28)
    const ch = Buffer.alloc(46)
    ch.writeUInt32LE(0x02014b50, 0)
    ch.writeUInt16LE(20, 4) // version made by
    ch.writeUInt16LE(20, 6) // version needed
    ch.writeUInt16LE(0x0800, 8)
    ch.writeUInt16LE(method, 10)
    ch.writeUInt16LE(DOS_TIME, 12)
    ch.writeUInt16LE(DOS_DATE, 14)
    ch.writeUInt32LE(crc, 16)
    ch.writeUInt32LE(body.length, 20)
    ch.writeUInt32LE(data.length, 24)
    ch.writeUInt16LE(name.length, 28)
    // extra, comment, disk, internal attrs, external attrs: 0
    ch.writeUInt32LE(offset, 42)
    locals.push(lh, name, body)
    centrals.push(ch, name)
    offset += lh.length + name.length + body.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

/** Entries of a ZIP archive (via its central directory): Map name → uncompressed Buffer. */
export function unzip(buf) {
  let eocd = -1
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new Error('not a zip archive (no end of central directory)')
  const count = buf.readUInt16LE(eocd + 10)
  let p = buf.readUInt32LE(eocd + 16)
  const out = new Map()
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry')
    const method = buf.readUInt16LE(p + 10)
    const csize = buf.readUInt32LE(p + 20)
    const nlen = buf.readUInt16LE(p + 28)
    const elen = buf.readUInt16LE(p + 30)
    const clen = buf.readUInt16LE(p + 32)
    const loff = buf.readUInt32LE(p + 42)
    const name = buf.subarray(p + 46, p + 46 + nlen).toString('utf8')
    const lnlen = buf.readUInt16LE(loff + 26)
    const lelen = buf.readUInt16LE(loff + 28)
    const start = loff + 30 + lnlen + lelen
    const raw = buf.subarray(start, start + csize)
    out.set(name, method === 8 ? zlib.inflateRawSync(raw) : Buffer.from(raw))
    p += 46 + nlen + elen + clen
  }
  return out
}

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

/** Column letters of a 0-based index: 0 → A, 25 → Z, 26 → AA. */
export function colName(i) {
  let s = ''
  for (i += 1; i > 0; i = Math.floor((i - 1) / 26)) s = String.fromCharCode(65 + ((i - 1) % 26)) + s
  return s
}

/** sheet1.xml for rows of cells (strings as inline strings; numbers as numbers; '' or null skipped). */
export function sheetXml(rows) {
  const parts = [
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>',
  ]
  rows.forEach((row, r) => {
    let x = `<row r="${r + 1}">`
    row.forEach((v, c) => {
      if (v === null || v === undefined || v === '') return
      const ref = colName(c) + (r + 1)
      x += typeof v === 'number' ? `<c r="${ref}"><v>${v}</v></c>` : `<c r="${ref}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`
    })
    parts.push(x + '</row>')
  })
  parts.push('</sheetData></worksheet>')
  return parts.join('')
}

/** A minimal one-sheet .xlsx (Buffer) from rows of cells. */
export function xlsxFromRows(rows, opts) {
  return xlsxFromSheetXml(sheetXml(rows), opts)
}

/** A minimal one-sheet .xlsx (Buffer) around a worksheet XML text (see sheetXml). */
export function xlsxFromSheetXml(sheet, { sheetName = 'Sheet1' } = {}) {
  return zip([
    {
      name: '[Content_Types].xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
        '<Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
        '</Types>',
    },
    {
      name: '_rels/.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>' +
        '</Relationships>',
    },
    {
      name: 'xl/workbook.xml',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' +
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">' +
        `<sheets><sheet name="${esc(sheetName)}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>' +
        '</Relationships>',
    },
    { name: 'xl/worksheets/sheet1.xml', data: sheet },
  ])
}

// ---- 身份证号 (GB 11643-1999, RULES.md §11.1) ------------------------------------------------------

const W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
/** The MOD 11-2 check character of the first 17 digits. */
export function idCheck(first17) {
  let s = 0
  for (let i = 0; i < 17; i++) s += Number(first17[i]) * W[i]
  return '10X98765432'[s % 11]
}

/** A valid 18-digit 身份证号: region (6 digits), birth 'YYYY-MM-DD', sequence 0–999 (odd = male). */
export function idNumber(region, birth, seq) {
  const first = region + birth.replace(/-/g, '') + String(seq).padStart(3, '0')
  return first + idCheck(first)
}
