import { describe, expect, it } from 'vitest'
import { fenOf, thisMonth } from './money'

describe('fenOf', () => {
  it('reads yuan with up to two decimals as fen', () => {
    expect(fenOf('12')).toBe(1200)
    expect(fenOf('12.5')).toBe(1250)
    expect(fenOf(' 0.07 ')).toBe(7)
  })
  it('refuses what is not an amount', () => {
    expect(fenOf('')).toBeNull()
    expect(fenOf('1.234')).toBeNull()
    expect(fenOf('-3')).toBeNull()
    expect(fenOf('abc')).toBeNull()
  })
})

describe('thisMonth', () => {
  it('counts the month in Beijing time', () => {
    expect(thisMonth(new Date('2026-11-30T16:30:00Z'))).toBe('2026-12')
  })
})
