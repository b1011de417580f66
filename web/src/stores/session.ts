import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, tokens, type Schemas } from '../api'
import { useLive } from './live'
import { useInbox } from './inbox'

export type Home = Schemas['HomeOut']
export type Role = Schemas['RoleOut']

/** The place id a role is scoped to (`grid:3` → 3). */
export function scopeId(role: Role): number | null {
  const id = Number(role.scope?.split(':')[1])
  return Number.isInteger(id) ? id : null
}

/** Who is logged in on this device, and their home (连心卡), read once per session. */
export const useSession = defineStore('session', () => {
  const loggedIn = ref(tokens.get() !== null)
  const personId = ref<number | null>(null)
  const home = ref<Home | null>(null)
  const roles = ref<Role[] | null>(null)

  async function login(mobile: string, password: string): Promise<void> {
    const pair = await api.login(mobile, password)
    personId.value = pair.person_id
    loggedIn.value = true
    home.value = null
    roles.value = null
  }

  async function loadHome(force = false): Promise<Home> {
    if (!home.value || force) {
      home.value = await api.get('/api/v1/registry/me/home')
      personId.value = home.value.person_id
    }
    return home.value
  }

  /** The roles the token carries (GET /me): which screens besides the resident's to offer. */
  async function loadRoles(force = false): Promise<Role[]> {
    if (!roles.value || force) {
      roles.value = (await api.get('/api/v1/registry/me')).roles
    }
    return roles.value
  }

  function ended(): void {
    useLive().stop()
    useInbox().stop()
    loggedIn.value = false
    personId.value = null
    home.value = null
    roles.value = null
  }

  async function logout(): Promise<void> {
    await api.logout()
    ended()
  }

  const householdId = computed(() => home.value?.dwelling?.household_id ?? null)
  const gridIds = computed(() =>
    (roles.value ?? []).filter((r) => r.role === 'grid_worker').map(scopeId).filter((x): x is number => x !== null),
  )
  const isGridWorker = computed(() => gridIds.value.length > 0)
  const isPartyMember = computed(() => (roles.value ?? []).some((r) => r.role === 'party_member'))
  return {
    loggedIn,
    personId,
    home,
    roles,
    householdId,
    gridIds,
    isGridWorker,
    isPartyMember,
    login,
    loadHome,
    loadRoles,
    logout,
    ended,
  }
})
