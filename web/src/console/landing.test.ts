import { describe, expect, it } from 'vitest'
import { adminOf, bookCompounds, deskHome, keepsRegistry, sitsOnBodies } from './landing'

describe('deskHome', () => {
  it('sends admins to the dashboard and treasurers to the books', () => {
    expect(deskHome([{ role: 'street_admin', scope: 'street:1' }])).toBe('/console/')
    expect(deskHome([{ role: 'community_admin', scope: 'community:2' }])).toBe('/console/')
    expect(deskHome([{ role: 'resident', scope: 'household:3' }, { role: 'owners_committee', scope: 'compound:1' }])).toBe(
      '/console/billing',
    )
    expect(deskHome([{ role: 'supervisory_committee', scope: 'compound:1' }])).toBe('/console/deliberation')
    expect(deskHome([{ role: 'property_staff', scope: 'compound:1' }])).toBe('/console/billing')
  })

  it('sends a grid worker at a desk to the order board', () => {
    expect(deskHome([{ role: 'grid_worker', scope: 'grid:1' }, { role: 'resident', scope: 'household:3' }])).toBe(
      '/console/board',
    )
  })

  it('keeps residents, party members and council members on the phone', () => {
    expect(deskHome([{ role: 'resident', scope: 'household:3' }, { role: 'council', scope: 'compound:1' }])).toBeNull()
    expect(deskHome([{ role: 'party_member', scope: null }])).toBeNull()
    expect(deskHome([])).toBeNull()
  })

  it('lists each compound once', () => {
    expect(
      bookCompounds([
        { role: 'owners_committee', scope: 'compound:1' },
        { role: 'property_staff', scope: 'compound:1' },
        { role: 'owners_committee', scope: null },
      ]),
    ).toEqual([1])
  })
})

describe('sitsOnBodies', () => {
  it('offers the committee desk to the three bodies of a compound', () => {
    expect(sitsOnBodies([{ role: 'council', scope: 'compound:1' }])).toBe(true)
    expect(sitsOnBodies([{ role: 'owners_committee', scope: 'compound:1' }])).toBe(true)
    expect(sitsOnBodies([{ role: 'owners_committee', scope: null }])).toBe(false)
    expect(sitsOnBodies([{ role: 'resident', scope: 'household:3' }])).toBe(false)
  })
})

describe('keepsRegistry', () => {
  it('opens the registry desk to the street and community admins and ops only', () => {
    expect(keepsRegistry([{ role: 'community_admin', scope: 'community:2' }])).toBe(true)
    expect(keepsRegistry([{ role: 'ops', scope: null }])).toBe(true)
    expect(keepsRegistry([{ role: 'auditor', scope: 'street:1' }])).toBe(false)
    expect(keepsRegistry([{ role: 'grid_worker', scope: 'grid:1' }])).toBe(false)
  })
})

describe('adminOf', () => {
  it('names the compound’s community admin, street admins and ops, never a grid worker', () => {
    const compound = { community_id: 2 }
    expect(adminOf([{ role: 'community_admin', scope: 'community:2' }], compound)).toBe(true)
    expect(adminOf([{ role: 'community_admin', scope: 'community:3' }], compound)).toBe(false)
    expect(adminOf([{ role: 'street_admin', scope: 'street:1' }], compound)).toBe(true)
    expect(adminOf([{ role: 'ops', scope: null }], compound)).toBe(true)
    expect(adminOf([{ role: 'grid_worker', scope: 'grid:1' }], compound)).toBe(false)
    expect(adminOf([{ role: 'ops', scope: null }], null)).toBe(false)
  })
})
