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
