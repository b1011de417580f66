// The party tab's bookkeeping, kept apart from the screen so it can be tested: where a household
// lives as a wall shows it (3-1-502), and the names a pairing's parties go by on the desk.
import type { Schemas } from '../../api'

/** 住户地址 by household id: building-entrance-room, from the compound's tree. */
export function householdAddresses(tree: Schemas['CompoundTree']): Record<number, string> {
  const out: Record<number, string> = {}
  for (const b of tree.buildings)
    for (const e of b.entrances) for (const d of e.dwellings) for (const h of d.household_ids) out[h] = `${b.number}-${e.number}-${d.room}`
  return out
}

export interface Names {
  members: Record<number, string>
  people: Record<number, string>
  addresses: Record<number, string>
  centers: Record<number, { household_id: number; party_member_id: number }>
}

/** Who pairs (the cadre, the member, the center household) and with whom, as the desk names them. */
export function partiesOf(p: Schemas['PairingOut'], names: Names, compoundName: string): { pairer: string; target: string } {
  const address = (id: number | null) => (id ? (names.addresses[id] ?? `住户 ${id}`) : '—')
  if (p.kind === 'cadre_compound') {
    const id = p.cadre_person_id ?? 0
    return { pairer: names.people[id] ?? `人员 ${id}`, target: compoundName }
  }
  if (p.kind === 'member_household') {
    const id = p.party_member_id ?? 0
    return { pairer: names.members[id] ?? `党员 ${id}`, target: address(p.household_id) }
  }
  const center = names.centers[p.center_household_id ?? 0]
  const who = center ? (names.members[center.party_member_id] ?? `党员 ${center.party_member_id}`) : '党员中心户'
  return { pairer: center ? `${who}家（${address(center.household_id)}）` : who, target: address(p.household_id) }
}

/** A pairing still runs on `today` (a day in the compound's zone, as the API answers it). */
export function running(p: Pick<Schemas['PairingOut'], 'until'>, today: string): boolean {
  return p.until === null || p.until >= today
}
