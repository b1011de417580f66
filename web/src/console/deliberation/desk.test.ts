import { describe, expect, it } from 'vitest'
import { percent, ratingSheets, seatCompounds, seatsIn, STEPS, stepOf } from './desk'

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

describe('ratingSheets', () => {
  it('lays out the results and the score distribution, no household anywhere', () => {
    const [results, scores] = ratingSheets('南坪小院', [
      {
        year: 2027,
        closes_at: '2027-12-31T00:00:00Z',
        closed_at: '2027-12-31T01:00:00Z',
        households: 12,
        answers: 10,
        by_score: [2, 4, 1, 2, 1],
        average_score: '2.60',
        satisfied_percent: '30.00',
        min_satisfaction_percent: '60.00',
        below_threshold: true,
        proposal_id: 7,
      },
    ])
    expect(results.rows[1]).toEqual(['南坪小院', 2027, '2027-12-31T00:00:00Z', 12, 10, '2.60', '30.00', '60.00', '是', 7])
    expect(scores.rows[1]).toEqual([2027, 2, 4, 1, 2, 1])
  })
})
