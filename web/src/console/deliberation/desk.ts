// What the committee desk shares (free of the browser's storage, so it is tested in Node): labels
// from the enums the API serves, the caller's seats in a compound (from the roles the token
// carries; the service checks each request anyway), where a proposal stands on the 131 path, and
// a share for display. Loading the enums is enums.ts.

export type Choices = Record<string, Array<{ value: string; label: string }>>
export type Body = 'owners_committee' | 'supervisory_committee' | 'council'

export function labelOf(enums: Choices, name: string, value: string | null | undefined): string {
  if (!value) return ''
  return enums[name]?.find((c) => c.value === value)?.label ?? value
}

const BODIES: Body[] = ['owners_committee', 'supervisory_committee', 'council']

/** The bodies of the compound the caller sits on. */
export function seatsIn(roles: Array<{ role: string; scope: string | null }>, compoundId: number): Set<Body> {
  return new Set(
    roles.filter((r) => BODIES.includes(r.role as Body) && r.scope === `compound:${compoundId}`).map((r) => r.role as Body),
  )
}

/** The compounds where the caller sits on a body, in the order the roles name them. */
export function seatCompounds(roles: Array<{ role: string; scope: string | null }>): number[] {
  const ids = roles
    .filter((r) => BODIES.includes(r.role as Body) && r.scope?.startsWith('compound:'))
    .map((r) => Number(r.scope?.split(':')[1]))
    .filter((n) => Number.isInteger(n))
  return [...new Set(ids)]
}

/** The 131 steps the desk shows, in order (three-way triage to the owners' vote). */
export const STEPS = ['三事分流', '议事会商议', '制定方案', '业委会表决', '定性与会签', '公告表决', '业主表决'] as const

export interface Standing {
  plan: unknown | null
  classification: unknown[]
  classification_cosigned_by: number | null
  status: string
}

/** The step a proposal is at (index into STEPS; STEPS.length once the owners have decided), and
 * whether it left the path (referred, returned, withdrawn). */
export function stepOf(p: Standing): { active: number; left: boolean } {
  switch (p.status) {
    case 'submitted':
      return { active: 0, left: false }
    case 'referred_to_government':
    case 'returned_with_advice':
      return { active: 0, left: true }
    case 'withdrawn':
      return { active: 1, left: true }
    case 'in_council':
      return { active: 1, left: false }
    case 'planning':
      return { active: p.plan ? 3 : 2, left: false }
    case 'awaiting_vote':
      return { active: p.classification.length && p.classification_cosigned_by ? 5 : 4, left: false }
    case 'voting':
      return { active: 6, left: false }
    default:
      return { active: STEPS.length, left: false }
  }
}

/** "3/4" style ratio strings from the tally as a percentage for display. */
export function percent(part: number, whole: number): string {
  return whole ? `${((part * 100) / whole).toFixed(1)}%` : '—'
}

export interface RatingRound {
  year: number
  closes_at: string
  closed_at: string | null
  households: number
  answers: number
  by_score: number[] | null
  average_score: string | null
  satisfied_percent: string | null
  min_satisfaction_percent: string | null
  below_threshold: boolean | null
  proposal_id: number | null
}

/** The committee's yearly ratings as the .xlsx sheets the desk exports (results only: anonymous). */
export function ratingSheets(compound: string, rounds: RatingRound[]): Array<{ name: string; rows: Array<Array<string | number | null>> }> {
  const results = [
    ['小区', '年度', '截止时间', '有业主户数', '参与户数', '平均分', '满意率（%）', '阈值（%）', '低于阈值', '纠错议题'],
    ...rounds.map((r) => [
      compound,
      r.year,
      r.closes_at,
      r.households,
      r.answers,
      r.average_score ?? null,
      r.satisfied_percent ?? null,
      r.min_satisfaction_percent ?? null,
      r.below_threshold === null ? null : r.below_threshold ? '是' : '否',
      r.proposal_id,
    ]),
  ]
  const scores = [
    ['年度', '1分 很不满意', '2分 不满意', '3分 一般', '4分 满意', '5分 非常满意'],
    ...rounds.filter((r) => r.by_score).map((r) => [r.year, ...(r.by_score ?? [])]),
  ]
  return [
    { name: '业委会测评结果', rows: results },
    { name: '分数分布', rows: scores },
  ]
}
