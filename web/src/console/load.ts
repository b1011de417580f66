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

/** The four services' figures. Without a period, the registry's default (the year up to the
 * platform's today, which may not be this device's) is the period everyone is asked for. */
export async function loadFigures(q: Query): Promise<{ figures: Figures; from: string; to: string }> {
  const place = { level: q.level, place_id: q.placeId }
  const registry = await api.get('/api/v1/registry/figures', {
    query: q.from && q.to ? { ...place, date_from: q.from, date_to: q.to } : place,
  })
  const query = { ...place, date_from: registry.date_from, date_to: registry.date_to }
  const [dispatch, billing, deliberation] = await Promise.all([
    orNull(api.get('/api/v1/dispatch/stats', { query })),
    orNull(api.get('/api/v1/billing/figures', { query })),
    orNull(api.get('/api/v1/deliberation/figures', { query })),
  ])
  return { figures: { registry, dispatch, billing, deliberation }, from: registry.date_from, to: registry.date_to }
}
