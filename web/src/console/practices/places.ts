// The compounds a member of staff may see, and a compound's households named by their door
// (1-1-301), read from the registry's tree: the pickers of the practices' console screens.
import { api, type Schemas } from '../../api'

export interface HouseholdChoice {
  householdId: number
  label: string
  buildingId: number
  buildingNumber: string
}

export async function loadCompounds(): Promise<Schemas['CompoundOut'][]> {
  return await api.get('/api/v1/registry/compounds')
}

export function householdsOf(tree: Schemas['CompoundTree']): HouseholdChoice[] {
  const out: HouseholdChoice[] = []
  for (const b of tree.buildings) {
    for (const e of b.entrances) {
      for (const d of e.dwellings) {
        for (const h of d.household_ids) {
          out.push({ householdId: h, label: `${b.number}-${e.number}-${d.room}`, buildingId: b.id, buildingNumber: b.number })
        }
      }
    }
  }
  return out
}

export async function loadHouseholds(compoundId: number): Promise<{ tree: Schemas['CompoundTree']; households: HouseholdChoice[] }> {
  const tree = await api.get('/api/v1/registry/compounds/{compound_id}/tree', { path: { compound_id: compoundId } })
  return { tree, households: householdsOf(tree) }
}

/** Save a workbook the API serves behind the session. */
export async function download(url: string, name: string): Promise<void> {
  const blob = await api.blob(url)
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = name
  link.click()
  URL.revokeObjectURL(link.href)
}
