// The place tree's levels as the registry API has them (street → community → grid / cluster /
// compound → courtyard / building → entrance → dwelling → household): what each is called, what is
// listed below it, which fields its create and edit forms have and the checks the API makes on
// them (so the form refuses what the API would, before it is sent), and the request bodies.
// Who may do what is not here: the desk asks GET /registry/place-rights.
import type { FormItemRule } from 'element-plus'
import type { Schemas } from '../../api'

export type PlaceKind = Schemas['PlaceKind']
export type Row = Record<string, unknown> & { id: number; version: number }
export type Values = Record<string, string | number | boolean | null>

export const KIND_LABELS: Record<PlaceKind, string> = {
  street: '街道',
  community: '社区',
  grid: '网格',
  cluster: '片区',
  compound: '小区',
  courtyard: '院落',
  building: '楼栋',
  entrance: '单元',
  dwelling: '房屋',
  household: '住户',
}

/** The API's collection for each kind: /api/v1/registry/<plural>. */
export const PLURAL: Record<PlaceKind, string> = {
  street: 'streets',
  community: 'communities',
  grid: 'grids',
  cluster: 'clusters',
  compound: 'compounds',
  courtyard: 'courtyards',
  building: 'buildings',
  entrance: 'entrances',
  dwelling: 'dwellings',
  household: 'households',
}

/** What is listed below a place, and the list's filter naming the parent. */
export const CHILDREN: Record<PlaceKind, { kind: PlaceKind; parent: string }[]> = {
  street: [{ kind: 'community', parent: 'street_id' }],
  community: [
    { kind: 'grid', parent: 'community_id' },
    { kind: 'cluster', parent: 'community_id' },
    { kind: 'compound', parent: 'community_id' },
  ],
  grid: [],
  cluster: [],
  compound: [
    { kind: 'courtyard', parent: 'compound_id' },
    { kind: 'building', parent: 'compound_id' },
  ],
  courtyard: [],
  building: [{ kind: 'entrance', parent: 'building_id' }],
  entrance: [{ kind: 'dwelling', parent: 'entrance_id' }],
  dwelling: [{ kind: 'household', parent: 'dwelling_id' }],
  household: [],
}

/** The field of a new child that names its parent (the parent's id goes there). */
export function parentField(child: PlaceKind): string | null {
  for (const list of Object.values(CHILDREN)) {
    const found = list.find((c) => c.kind === child)
    if (found) return found.parent
  }
  return null
}

export interface Field {
  name: string
  label: string
  type: 'text' | 'enum' | 'int' | 'area' | 'bool' | 'ref'
  /** Must be given when the place is made. */
  required?: boolean
  /** Text: most characters; int: the range. */
  max?: number
  min?: number
  /** enum: the key in GET /registry/enums. */
  enumName?: string
  /** ref: the kind of place it names (a sibling list: the community's grids, the compound's courtyards). */
  ref?: PlaceKind
  /** Set when the place is made, never changed afterwards. */
  createOnly?: boolean
}

const name = (max = 100): Field => ({ name: 'name', label: '名称', type: 'text', required: true, max })

export const FIELDS: Record<PlaceKind, Field[]> = {
  street: [name()],
  community: [name()],
  grid: [name()],
  cluster: [name()],
  compound: [
    name(),
    { name: 'kind', label: '小区类型', type: 'enum', required: true, enumName: 'compound_kind' },
    { name: 'management_model', label: '管理模式', type: 'enum', required: true, enumName: 'management_model' },
    { name: 'grid_id', label: '所属网格', type: 'ref', ref: 'grid' },
    { name: 'cluster_id', label: '所属片区', type: 'ref', ref: 'cluster' },
  ],
  courtyard: [name()],
  building: [
    { name: 'number', label: '楼栋号', type: 'text', required: true, max: 30 },
    { name: 'structure', label: '楼栋类型', type: 'enum', required: true, enumName: 'building_structure' },
    { name: 'floors', label: '层数', type: 'int', required: true, min: 1, max: 200 },
    { name: 'courtyard_id', label: '所在院落', type: 'ref', ref: 'courtyard' },
  ],
  entrance: [{ name: 'number', label: '单元号', type: 'text', required: true, max: 30 }],
  dwelling: [
    { name: 'room', label: '房号', type: 'text', required: true, max: 30 },
    { name: 'floor', label: '楼层', type: 'int', min: -5, max: 200 },
    { name: 'area_m2', label: '建筑面积（m²）', type: 'area', required: true },
    { name: 'exclusive_area_m2', label: '专有面积（m²）', type: 'area' },
    { name: 'usage', label: '用途', type: 'enum', required: true, enumName: 'dwelling_usage' },
    { name: 'sale_status', label: '销售状态', type: 'enum', required: true, enumName: 'sale_status' },
    { name: 'delivered', label: '已交付', type: 'bool', createOnly: true },
  ],
  household: [
    { name: 'needy', label: '困难户', type: 'bool' },
    { name: 'note', label: '备注', type: 'text', max: 200 },
  ],
}

/** The fields of a form: all of them to make a place, the changeable ones to edit it. */
export function formFields(kind: PlaceKind, mode: 'create' | 'update'): Field[] {
  return FIELDS[kind].filter((f) => mode === 'create' || !f.createOnly)
}

/** A new place's form as it opens. */
export function blank(kind: PlaceKind): Values {
  const values: Values = {}
  for (const f of FIELDS[kind]) values[f.name] = f.type === 'bool' ? false : null
  if (kind === 'building') Object.assign(values, { structure: 'multi_storey', floors: 6 })
  if (kind === 'dwelling') Object.assign(values, { usage: 'residential', sale_status: 'sold', delivered: true })
  return values
}

/** An existing place's values in its edit form (areas as the text the API wrote). */
export function valuesOf(kind: PlaceKind, row: Row): Values {
  const values: Values = {}
  for (const f of formFields(kind, 'update')) {
    const v = row[f.name]
    values[f.name] = v === undefined ? null : (v as Values[string])
  }
  return values
}

/** How the tree names a place. */
export function labelOf(kind: PlaceKind, row: Row): string {
  switch (kind) {
    case 'building':
      return `${String(row.number)}号楼`
    case 'entrance':
      return `${String(row.number)}单元`
    case 'dwelling':
      return `${String(row.room)}室`
    case 'household': {
      const parts = [row.needy ? '困难户' : '', typeof row.note === 'string' ? row.note : ''].filter(Boolean)
      return `住户 ${row.id}${parts.length ? `（${parts.join('，')}）` : ''}`
    }
    default:
      return String(row.name)
  }
}

const AREA = /^\d+(\.\d{1,2})?$/

/** The API's checks of an area in m² (parse_area): a number above 0, below 100,000, two decimals at most. */
export function areaProblem(value: unknown, label: string): string | null {
  const text = String(value ?? '').trim()
  if (!text) return null
  if (!/^-?\d+(\.\d+)?$/.test(text)) return `${label}须为数字`
  if (Number(text) <= 0) return `${label}须大于 0`
  if (Number(text) >= 100_000) return `${label}过大`
  if (!AREA.test(text)) return `${label}最多两位小数`
  return null
}

const empty = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '')

/** Element Plus rules for a form, the API's own checks (required, lengths, ranges, areas). */
export function rulesOf(kind: PlaceKind, mode: 'create' | 'update', values: Values): Record<string, FormItemRule[]> {
  const rules: Record<string, FormItemRule[]> = {}
  for (const f of formFields(kind, mode)) {
    const list: FormItemRule[] = []
    if (f.required) {
      list.push({
        validator: (_r, v, done) => done(empty(v) ? new Error(`${f.type === 'enum' ? '请选择' : '请填写'}${f.label}`) : undefined),
        trigger: f.type === 'enum' ? 'change' : 'blur',
      })
    }
    if (f.type === 'text' && f.max) {
      const max = f.max
      list.push({
        validator: (_r, v, done) =>
          done(typeof v === 'string' && v.trim().length > max ? new Error(`${f.label}最多 ${max} 个字`) : undefined),
        trigger: 'blur',
      })
    }
    if (f.type === 'int' && f.min !== undefined && f.max !== undefined) {
      const [min, max] = [f.min, f.max]
      list.push({
        validator: (_r, v, done) =>
          done(!empty(v) && (!Number.isInteger(v) || Number(v) < min || Number(v) > max) ? new Error(`${f.label}须为 ${min}–${max}`) : undefined),
        trigger: 'change',
      })
    }
    if (f.type === 'area') {
      list.push({
        validator: (_r, v, done) => {
          const problem = areaProblem(v, f.label)
          if (problem) return done(new Error(problem))
          // 专有部分面积 cannot exceed 建筑面积 (check_exclusive_area).
          if (f.name === 'exclusive_area_m2' && !empty(v) && !empty(values.area_m2) && Number(v) > Number(values.area_m2)) {
            return done(new Error('专有面积不能大于建筑面积'))
          }
          done()
        },
        trigger: 'blur',
      })
    }
    if (list.length) rules[f.name] = list
  }
  return rules
}

/** The request body: text trimmed, empty optional fields left out (the API keeps what it has). */
export function bodyOf(kind: PlaceKind, mode: 'create' | 'update', values: Values): Record<string, unknown> {
  const body: Record<string, unknown> = {}
  for (const f of formFields(kind, mode)) {
    const v = values[f.name]
    if (empty(v)) continue
    body[f.name] = typeof v === 'string' ? v.trim() : v
  }
  return body
}

/** A refusal's field, when the API named one the form has (it is shown under that field): a 422
 * lists its fields, a duplicate (409) names the one that clashed. */
export function fieldOf(details: unknown, fields: Field[]): string | null {
  const first = (Array.isArray(details) ? details[0] : details) as { field?: unknown } | null | undefined
  // The service's own checks name the field; a request the schema refused names "body.<field>".
  const named = typeof first?.field === 'string' ? first.field.replace(/^body\./, '') : null
  return named && fields.some((f) => f.name === named) ? named : null
}
