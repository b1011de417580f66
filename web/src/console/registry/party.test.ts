import { describe, expect, it } from 'vitest'
import type { Schemas } from '../../api'
import { householdAddresses, partiesOf, running } from './party'

const tree = {
  buildings: [
    {
      number: '3',
      entrances: [{ number: '1', dwellings: [{ room: '502', household_ids: [31, 32] }] }],
    },
  ],
} as unknown as Schemas['CompoundTree']

const pairing = (over: Partial<Schemas['PairingOut']>): Schemas['PairingOut'] =>
  ({
    id: 1,
    kind: 'member_household',
    compound_id: 7,
    cadre_person_id: null,
    party_member_id: 4,
    center_household_id: null,
    household_id: 31,
    public: true,
    since: '2027-01-01',
    until: null,
    ...over,
  }) as Schemas['PairingOut']

describe('the party tab', () => {
  it('names a household by building, entrance and room', () => {
    expect(householdAddresses(tree)).toEqual({ 31: '3-1-502', 32: '3-1-502' })
  })

  it('names the parties of each kind of pairing', () => {
    const names = {
      members: { 4: '赵师傅', 5: '钱老师' },
      people: { 9: '李建国' },
      addresses: householdAddresses(tree),
      centers: { 2: { household_id: 32, party_member_id: 5 } },
    }
    expect(partiesOf(pairing({}), names, '杏花岭')).toEqual({ pairer: '赵师傅', target: '3-1-502' })
    expect(partiesOf(pairing({ kind: 'cadre_compound', cadre_person_id: 9, party_member_id: null, household_id: null }), names, '杏花岭')).toEqual({
      pairer: '李建国',
      target: '杏花岭',
    })
    expect(partiesOf(pairing({ kind: 'center_needy', center_household_id: 2, party_member_id: null }), names, '')).toEqual({
      pairer: '钱老师家（3-1-502）',
      target: '3-1-502',
    })
  })

  it('keeps a pairing running through its last day', () => {
    expect(running({ until: null }, '2027-01-02')).toBe(true)
    expect(running({ until: '2027-01-02' }, '2027-01-02')).toBe(true)
    expect(running({ until: '2027-01-01' }, '2027-01-02')).toBe(false)
  })
})
