// Where a person lands after logging in at a desk (a phone always lands on the phone home): street
// and community admins and auditors on the dashboard, a grid worker at a desk (the grid's
// supervisor, 网格长) on the order board, the compound's treasurers and committees on the books;
// everyone else (residents and party members, who work on the move) on the phone home. The owners'
// committee keeps the books (committee custody), so it lands on them; the supervisory committee
// lands on the committee desk (议事), which the owners' committee and the council reach from the
// menu. A council member is a resident who sits on the council now and then, so the council alone
// does not make a desk to land on.
import type { Level } from './figures'

export interface RoleGrant {
  role: string
  scope: string | null
}

const DASHBOARD_ROLES = ['ops', 'street_admin', 'community_admin', 'auditor']
const BOOK_ROLES = ['owners_committee', 'property_staff', 'supervisory_committee']
const BODY_ROLES = ['owners_committee', 'supervisory_committee', 'council']
const REGISTRY_ROLES = ['ops', 'street_admin', 'community_admin']

function placeOf(scope: string | null): { level: string; id: number } | null {
  if (!scope) return null
  const [level, id] = scope.split(':')
  const n = Number(id)
  return level && Number.isInteger(n) ? { level, id: n } : null
}

/** The compounds whose books the caller keeps or reads (treasurers and committees). */
export function bookCompounds(roles: RoleGrant[]): number[] {
  const ids = roles
    .filter((r) => BOOK_ROLES.includes(r.role))
    .map((r) => placeOf(r.scope))
    .filter((p): p is { level: string; id: number } => p !== null && p.level === 'compound')
    .map((p) => p.id)
  return [...new Set(ids)]
}

/** Whether the caller sees the dashboard: staff of a street, community or grid (or everywhere). */
export function seesDashboard(roles: RoleGrant[]): boolean {
  const levels: Level[] = ['street', 'community', 'grid', 'compound']
  return roles.some(
    (r) => DASHBOARD_ROLES.includes(r.role) && (r.scope === null || levels.includes(placeOf(r.scope)?.level as Level)),
  )
}

/** Whether the caller keeps the registry (基础台账): the street's and community's admins, and ops. */
export function keepsRegistry(roles: RoleGrant[]): boolean {
  return roles.some((r) => REGISTRY_ROLES.includes(r.role))
}

/**
 * Whether the caller is an admin of the compound (the API's `require_staff_of` with no one
 * else named): ops, a street admin (the compounds a street admin is shown lie in his street), or
 * the admin of the compound's community. They keep its party records (members, check-ins,
 * pairings) and set its points rules; a grid worker reads them. The API checks every change.
 */
export function adminOf(roles: RoleGrant[], compound: { community_id: number } | null): boolean {
  if (!compound) return false
  return roles.some(
    (r) =>
      r.role === 'ops' ||
      r.role === 'street_admin' ||
      (r.role === 'community_admin' && r.scope === `community:${compound.community_id}`),
  )
}

/** Whether the caller sits on one of a compound's bodies (the committee desk's menu entry). */
export function sitsOnBodies(roles: RoleGrant[]): boolean {
  return roles.some((r) => BODY_ROLES.includes(r.role) && placeOf(r.scope)?.level === 'compound')
}

/** The console screen a person lands on after logging in, or null for the phone home. */
export function deskHome(roles: RoleGrant[]): string | null {
  if (seesDashboard(roles)) return '/console/'
  if (roles.some((r) => r.role === 'grid_worker' && placeOf(r.scope)?.level === 'grid')) return '/console/board'
  const supervisors = roles.filter((r) => r.role === 'supervisory_committee')
  if (bookCompounds(roles.filter((r) => r.role !== 'supervisory_committee')).length) return '/console/billing'
  if (sitsOnBodies(supervisors)) return '/console/deliberation'
  return null
}
