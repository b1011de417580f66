import { describe, expect, it } from 'vitest'
import { homePlace } from './figures'

describe('the dashboard figures', () => {
  it('opens at the highest place the caller is staff of', () => {
    expect(
      homePlace([
        { role: 'resident', scope: 'household:4' },
        { role: 'grid_worker', scope: 'grid:2' },
        { role: 'street_admin', scope: 'street:1' },
      ]),
    ).toEqual({ level: 'street', placeId: 1 })
    expect(homePlace([{ role: 'resident', scope: 'household:4' }])).toBeNull()
  })
})
