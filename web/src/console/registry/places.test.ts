import { describe, expect, it } from 'vitest'
import type { FormItemRule } from 'element-plus'
import { areaProblem, blank, bodyOf, fieldOf, formFields, labelOf, parentField, rulesOf, valuesOf, type Row, type Values } from './places'

/** Run a field's rules as Element Plus would: the first message, or null when it passes. */
function check(rules: Record<string, FormItemRule[]>, field: string, value: unknown): string | null {
  for (const rule of rules[field] ?? []) {
    let message: string | null = null
    rule.validator?.(rule, value, (e?: string | Error) => (message = e ? String(e instanceof Error ? e.message : e) : null), {}, {})
    if (message) return message
  }
  return null
}

describe('the place forms check what the API checks', () => {
  it('asks for a name, and no more than 100 characters of it', () => {
    const rules = rulesOf('compound', 'create', blank('compound'))
    expect(check(rules, 'name', '  ')).toBe('请填写名称')
    expect(check(rules, 'name', '字'.repeat(101))).toBe('名称最多 100 个字')
    expect(check(rules, 'name', '杏花岭小区')).toBeNull()
    expect(check(rules, 'kind', null)).toBe('请选择小区类型')
  })

  it('keeps a building between 1 and 200 floors and its number within 30 characters', () => {
    const rules = rulesOf('building', 'create', blank('building'))
    expect(check(rules, 'floors', 0)).toBe('层数须为 1–200')
    expect(check(rules, 'floors', 201)).toBe('层数须为 1–200')
    expect(check(rules, 'floors', 18)).toBeNull()
    expect(check(rules, 'number', '1'.repeat(31))).toBe('楼栋号最多 30 个字')
  })

  it('reads areas as the API does: above 0, below 100,000 m², two decimals, the exclusive part no larger', () => {
    expect(areaProblem('86.50', '建筑面积')).toBeNull()
    expect(areaProblem('0', '建筑面积')).toBe('建筑面积须大于 0')
    expect(areaProblem('-3', '建筑面积')).toBe('建筑面积须大于 0')
    expect(areaProblem('86.505', '建筑面积')).toBe('建筑面积最多两位小数')
    expect(areaProblem('1e3', '建筑面积')).toBe('建筑面积须为数字')
    expect(areaProblem('100000', '建筑面积')).toBe('建筑面积过大')
    const values: Values = { ...blank('dwelling'), area_m2: '62.30' }
    const rules = rulesOf('dwelling', 'create', values)
    expect(check(rules, 'area_m2', '')).toBe('请填写建筑面积（m²）')
    expect(check(rules, 'exclusive_area_m2', '70')).toBe('专有面积不能大于建筑面积')
    expect(check(rules, 'exclusive_area_m2', '55.10')).toBeNull()
    expect(check(rules, 'floor', 201)).toBe('楼层须为 -5–200')
    expect(check(rules, 'floor', null)).toBeNull()
  })
})

describe('the place bodies', () => {
  it('makes a dwelling with its entrance, text trimmed and empty fields left out', () => {
    const values: Values = { ...blank('dwelling'), room: ' 301 ', area_m2: '86.50' }
    expect(bodyOf('dwelling', 'create', values)).toEqual({
      room: '301',
      area_m2: '86.50',
      usage: 'residential',
      sale_status: 'sold',
      delivered: true,
    })
    expect(parentField('dwelling')).toBe('entrance_id')
    expect(parentField('household')).toBe('dwelling_id')
    expect(parentField('street')).toBeNull()
  })

  it('edits what may change (a dwelling is delivered once) from the row read', () => {
    const row: Row = { id: 4, version: 3, room: '301', floor: 3, area_m2: '86.50', exclusive_area_m2: '86.50', usage: 'residential', sale_status: 'sold', delivered: true }
    expect(formFields('dwelling', 'update').map((f) => f.name)).not.toContain('delivered')
    expect(valuesOf('dwelling', row)).toEqual({ room: '301', floor: 3, area_m2: '86.50', exclusive_area_m2: '86.50', usage: 'residential', sale_status: 'sold' })
    expect(bodyOf('compound', 'update', { name: '杏花岭新村', kind: 'old', management_model: 'self_managed', grid_id: null, cluster_id: null })).toEqual({
      name: '杏花岭新村',
      kind: 'old',
      management_model: 'self_managed',
    })
  })

  it('names places as the desk shows them', () => {
    expect(labelOf('building', { id: 1, version: 1, number: '9' })).toBe('9号楼')
    expect(labelOf('entrance', { id: 1, version: 1, number: '1' })).toBe('1单元')
    expect(labelOf('dwelling', { id: 1, version: 1, room: '101' })).toBe('101室')
    expect(labelOf('household', { id: 12, version: 1, needy: true, note: '独居老人' })).toBe('住户 12（困难户，独居老人）')
    expect(labelOf('compound', { id: 1, version: 1, name: '杏花岭小区' })).toBe('杏花岭小区')
  })

  it('puts a refusal under the field the API named, request-schema ones too', () => {
    const fields = formFields('building', 'create')
    expect(fieldOf([{ field: 'number', value: '' }], fields)).toBe('number')
    expect(fieldOf([{ field: 'body.floors', type: 'less_than_equal' }], fields)).toBe('floors')
    expect(fieldOf([{ field: 'body.room' }], fields)).toBeNull()
    expect(fieldOf({ field: 'number', value: '9' }, fields)).toBe('number')
    expect(fieldOf({ id: 3 }, fields)).toBeNull()
    expect(fieldOf(null, fields)).toBeNull()
  })
})
