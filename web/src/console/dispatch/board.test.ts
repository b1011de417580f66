import { describe, expect, it } from 'vitest'
import { BOARD_STATES, columnsOf, type BoardOrder } from './board'

const order = (id: string, state: string, submitted_at: string) => ({ id, state, submitted_at }) as BoardOrder

describe('columnsOf', () => {
  it('puts open orders in their state, the longest waiting first, and leaves closed ones out', () => {
    const columns = columnsOf(
      [
        order('b', 'submitted', '2026-12-02T09:00:00Z'),
        order('a', 'submitted', '2026-12-02T08:00:00Z'),
        order('c', 'in_progress', '2026-12-01T08:00:00Z'),
        order('d', 'closed', '2026-12-01T08:00:00Z'),
      ],
      BOARD_STATES,
    )
    expect(columns.submitted?.map((o) => o.id)).toEqual(['a', 'b'])
    expect(columns.in_progress?.map((o) => o.id)).toEqual(['c'])
    expect(columns.offered).toEqual([])
    expect(Object.keys(columns)).not.toContain('closed')
  })
})
