import { describe, expect, it } from 'vitest'
import type { Schemas } from '../../api'
import { countsOf, MAX_PAGE, notShown, PAGE, windowOf, type BoardOrder } from './board'

describe('the board’s columns', () => {
  it('reads a column again as far as it shows, at least a page, at most the API’s maximum', () => {
    expect(windowOf(0)).toBe(PAGE)
    expect(windowOf(PAGE + 30)).toBe(PAGE + 30)
    expect(windowOf(5000)).toBe(MAX_PAGE)
  })

  it('heads each column with the API’s count and says how many are not shown', () => {
    const answer = {
      total: 601,
      by_state: [
        { state: 'submitted', label: '待分流', orders: 600 },
        { state: 'offered', label: '待接单', orders: 1 },
      ],
    } as Schemas['OrderCounts']
    expect(countsOf(answer)).toEqual({ submitted: 600, offered: 1 })
    const shown = { items: Array.from({ length: PAGE }, (_, i) => ({ id: String(i) }) as BoardOrder), next: 'x' }
    expect(notShown(600, shown)).toBe(600 - PAGE)
    expect(notShown(1, undefined)).toBe(1)
    expect(notShown(0, { items: [], next: null })).toBe(0)
  })
})
