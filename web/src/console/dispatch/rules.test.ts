import { describe, expect, it } from 'vitest'
import { bodyOf, formOf, type Rules } from './rules'

const rules = {
  compound_id: 3,
  version: 2,
  own: true,
  default_base: 10,
  base_by_category: { water_leak: 12 },
  wish_points: 5,
  rating_bonus: { '5': 5, '4': 2 },
  accept_timeout_penalty: -2,
  no_show_penalty: -5,
  honor_roll_size: 10,
  warning_below: 0,
  warning_penalties: 2,
} as unknown as Rules

describe('the points rules form', () => {
  it('turns the maps into rows and back, with the version read', () => {
    const form = formOf(rules)
    expect(form.categories).toEqual([{ code: 'water_leak', points: 12 }])
    expect(form.ratings.map((r) => r.bonus)).toEqual([5, 2, 0, 0, 0])
    form.default_base = 15
    form.categories.push({ code: '', points: 3 })
    form.ratings[2]!.bonus = 1
    const body = bodyOf(form, 2)
    expect(body.version).toBe(2)
    expect(body.default_base).toBe(15)
    expect(body.base_by_category).toEqual({ water_leak: 12 })
    expect(body.rating_bonus).toEqual({ '5': 5, '4': 2, '3': 1 })
  })
})
