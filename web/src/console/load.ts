// Reading the four services' figures (apart from figures.ts, which stays free of the browser's
// storage so it can be tested in Node).
import { api, ApiError } from '../api'
import type { Figures, Query } from './figures'

// A service that has not heard of the place yet (404) shows "暂无数据", not an error.
async function orNull<T>(answer: Promise<T>): Promise<T | null> {
  try {
    return await answer
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null
    throw e
  }
}

export async function loadFigures(q: Query): Promise<Figures> {
  const query = { level: q.level, place_id: q.placeId, date_from: q.from, date_to: q.to }
  const [registry, dispatch, billing, deliberation] = await Promise.all([
    api.get('/api/v1/registry/figures', { query }),
    orNull(api.get('/api/v1/dispatch/stats', { query })),
    orNull(api.get('/api/v1/billing/figures', { query })),
    orNull(api.get('/api/v1/deliberation/figures', { query })),
  ])
  return { registry, dispatch, billing, deliberation }
}
