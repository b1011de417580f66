import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, type Schemas } from '../api'

export type Category = Schemas['CategoryOut']
export interface Choice {
  value: string
  label: string
}

const FIRST = ['water_leak', 'drain_clog', 'electrical', 'home_repair', 'stairwell_lighting', 'public_facility']

/** The dispatch catalogue and enum labels, as the API serves them (never hard-coded here). */
export const useLabels = defineStore('labels', () => {
  const categories = ref<Category[]>([])
  const enums = ref<Record<string, Choice[]>>({})

  async function load(): Promise<void> {
    if (categories.value.length) return
    const [cats, labels] = await Promise.all([
      api.get('/api/v1/dispatch/categories'),
      api.get('/api/v1/dispatch/enums'),
    ])
    // Home repairs first (what residents ask for most), then the catalogue's other services.
    const rank = (code: string) => {
      const i = FIRST.indexOf(code)
      return i < 0 ? FIRST.length : i
    }
    categories.value = cats
      .filter((c) => c.active !== false && c.code !== 'micro_wish')
      .sort((a, b) => rank(a.code) - rank(b.code) || a.name.localeCompare(b.name, 'zh-CN'))
    enums.value = labels as unknown as Record<string, Choice[]>
  }
  return { categories, enums, load }
})
