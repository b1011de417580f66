// A compound's points rules as the desk edits them: the API keeps base points per category and a
// bonus per rating as maps; the form keeps them as rows (a category and its points, five stars
// down to one), and sends back only categories that are chosen.
import type { Schemas } from '../../api'

export type Rules = Schemas['RulesOut']
export type RulesBody = Schemas['RulesUpdate']

export interface RulesForm {
  default_base: number
  wish_points: number
  accept_timeout_penalty: number
  no_show_penalty: number
  honor_roll_size: number
  warning_below: number
  warning_penalties: number
  categories: { code: string; points: number }[]
  ratings: { stars: number; bonus: number }[]
}

export const STARS = [5, 4, 3, 2, 1]

export function formOf(rules: Rules): RulesForm {
  const bonus = rules.rating_bonus ?? {}
  return {
    default_base: rules.default_base ?? 10,
    wish_points: rules.wish_points ?? 5,
    accept_timeout_penalty: rules.accept_timeout_penalty ?? -2,
    no_show_penalty: rules.no_show_penalty ?? -5,
    honor_roll_size: rules.honor_roll_size ?? 10,
    warning_below: rules.warning_below ?? 0,
    warning_penalties: rules.warning_penalties ?? 2,
    categories: Object.entries(rules.base_by_category ?? {}).map(([code, points]) => ({ code, points })),
    ratings: STARS.map((stars) => ({ stars, bonus: (bonus as Record<string, number>)[String(stars)] ?? 0 })),
  }
}

/** The PUT body: the version read, the whole rules; ratings that earn nothing are left out. */
export function bodyOf(form: RulesForm, version: number): RulesBody {
  return {
    version,
    default_base: form.default_base,
    wish_points: form.wish_points,
    accept_timeout_penalty: form.accept_timeout_penalty,
    no_show_penalty: form.no_show_penalty,
    honor_roll_size: form.honor_roll_size,
    warning_below: form.warning_below,
    warning_penalties: form.warning_penalties,
    base_by_category: Object.fromEntries(form.categories.filter((c) => c.code).map((c) => [c.code, c.points])),
    rating_bonus: Object.fromEntries(form.ratings.filter((r) => r.bonus !== 0).map((r) => [String(r.stars), r.bonus])),
  }
}
