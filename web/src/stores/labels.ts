import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, type Schemas } from '../api'

export type Category = Schemas['CategoryOut']
export interface Choice {
  value: string
  label: string
}

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
    categories.value = cats.filter((c) => c.active !== false && c.code !== 'micro_wish')
    enums.value = labels as unknown as Record<string, Choice[]>
  }
  return { categories, enums, load }
})
