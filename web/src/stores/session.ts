import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, tokens, type Schemas } from '../api'

export type Home = Schemas['HomeOut']

/** Who is logged in on this device, and their home (连心卡), read once per session. */
export const useSession = defineStore('session', () => {
  const loggedIn = ref(tokens.get() !== null)
  const personId = ref<number | null>(null)
  const home = ref<Home | null>(null)

  async function login(mobile: string, password: string): Promise<void> {
    const pair = await api.login(mobile, password)
    personId.value = pair.person_id
    loggedIn.value = true
    home.value = null
  }

  async function loadHome(force = false): Promise<Home> {
    if (!home.value || force) {
      home.value = await api.get('/api/v1/registry/me/home')
      personId.value = home.value.person_id
    }
    return home.value
  }

  function ended(): void {
    loggedIn.value = false
    personId.value = null
    home.value = null
  }

  async function logout(): Promise<void> {
    await api.logout()
    ended()
  }

  const householdId = computed(() => home.value?.dwelling?.household_id ?? null)
  return { loggedIn, personId, home, householdId, login, loadHome, logout, ended }
})
