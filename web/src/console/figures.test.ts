import { describe, expect, it } from 'vitest'
import { homePlace, lastYear, shanghaiToday } from './figures'

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

  it('counts days in Asia/Shanghai (20:00 UTC on 31 December is 1 January there), a year as the services default to', () => {
    expect(shanghaiToday(new Date('2026-12-31T20:00:00Z'))).toBe('2027-01-01')
    expect(lastYear('2027-01-01')).toEqual({ from: '2026-01-02', to: '2027-01-01' })
  })
})
