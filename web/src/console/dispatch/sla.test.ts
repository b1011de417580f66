import { describe, expect, it } from 'vitest'
import { duration, ownAfterEdit, type SlaRow } from './sla'

const cell = (urgency: string, stage: string, seconds: number) => ({ urgency, stage, seconds }) as SlaRow['cells'][number]

describe('the SLA sheet', () => {
  it('reads clocks as people say them', () => {
    expect(duration(1800)).toBe('30 分钟')
    expect(duration(4 * 3600)).toBe('4 小时')
    expect(duration(5400)).toBe('1 小时 30 分钟')
    expect(duration(72 * 3600)).toBe('3 天')
  })

  it('keeps only what the place changed or had set, in seconds', () => {
    const row = {
      own: { normal: { resolve: 86400 } },
      cells: [cell('urgent', 'triage', 3600), cell('urgent', 'accept', 1800), cell('normal', 'resolve', 86400)],
    } as unknown as SlaRow
    const edited = { urgent: { triage: 30, accept: 30 }, normal: { resolve: 1440 } }
    expect(ownAfterEdit(row, edited)).toEqual({ urgent: { triage: 1800 }, normal: { resolve: 86400 } })
  })
})
