import { describe, expect, it } from 'vitest'
import { columnName, crc32, workbookFiles, zip } from './xlsx'

describe('the .xlsx writer', () => {
  it('computes the zip CRC-32 of known bytes', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926)
  })

  it('names columns as Excel does', () => {
    expect([0, 25, 26, 27, 701, 702].map(columnName)).toEqual(['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA'])
  })

  it('writes text as inline strings, numbers as numbers, and escapes markup', () => {
    const files = workbookFiles([{ name: '概况', rows: [['指标', '数值'], ['收取率<%>', 88.14]] }])
    const sheet = files.find(([name]) => name === 'xl/worksheets/sheet1.xml')?.[1] ?? ''
    expect(sheet).toContain('<c r="B2"><v>88.14</v></c>')
    expect(sheet).toContain('收取率&lt;%&gt;')
    expect(files.find(([name]) => name === 'xl/workbook.xml')?.[1]).toContain('name="概况"')
  })

  it('packs a zip whose directory names every file', () => {
    const files = workbookFiles([{ name: 'a', rows: [[1]] }])
    const bytes = zip(files)
    const view = new DataView(bytes.buffer)
    expect(view.getUint32(0, true)).toBe(0x04034b50)
    const end = bytes.length - 22
    expect(view.getUint32(end, true)).toBe(0x06054b50)
    expect(view.getUint16(end + 10, true)).toBe(files.length)
  })
})
