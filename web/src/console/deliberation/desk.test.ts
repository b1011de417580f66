import { describe, expect, it } from 'vitest'
import { percent, seatCompounds, seatsIn, STEPS, stepOf } from './desk'

const standing = { plan: null, classification: [], classification_cosigned_by: null }

describe('stepOf', () => {
  it('walks the 131 path: triage, council, plan, committee votes, classification, notice, vote', () => {
    expect(stepOf({ ...standing, status: 'submitted' }).active).toBe(0)
    expect(stepOf({ ...standing, status: 'in_council' }).active).toBe(1)
    expect(stepOf({ ...standing, status: 'planning' }).active).toBe(2)
    expect(stepOf({ ...standing, status: 'planning', plan: {} }).active).toBe(3)
    expect(stepOf({ ...standing, status: 'awaiting_vote', plan: {} }).active).toBe(4)
    expect(stepOf({ ...standing, status: 'awaiting_vote', classification: [{}] }).active).toBe(4)
    expect(stepOf({ ...standing, status: 'awaiting_vote', classification: [{}], classification_cosigned_by: 7 }).active).toBe(5)
    expect(stepOf({ ...standing, status: 'voting' }).active).toBe(6)
    expect(stepOf({ ...standing, status: 'passed' }).active).toBe(STEPS.length)
  })

  it('says when a proposal left the path', () => {
    expect(stepOf({ ...standing, status: 'referred_to_government' })).toEqual({ active: 0, left: true })
  })
})

describe('seats', () => {
  const roles = [
    { role: 'owners_committee', scope: 'compound:3' },
    { role: 'supervisory_committee', scope: 'compound:4' },
    { role: 'resident', scope: 'household:9' },
  ]
  it('reads the bodies per compound', () => {
    expect([...seatsIn(roles, 3)]).toEqual(['owners_committee'])
    expect(seatCompounds(roles)).toEqual([3, 4])
  })
  it('shows a share', () => {
    expect(percent(11, 12)).toBe('91.7%')
    expect(percent(1, 0)).toBe('—')
  })
})
