// The SLA sheet's figures: the API counts seconds, the desk shows and edits minutes and hours.
import type { Schemas } from '../../api'

export type SlaRow = Schemas['SlaCategoryOut']
export type Sheet = Record<string, Record<string, number>>

/** "4 小时", "30 分钟", "1 小时 30 分钟", "3 天". */
export function duration(seconds: number): string {
  const minutes = Math.round(seconds / 60)
  if (minutes % (24 * 60) === 0) return `${minutes / (24 * 60)} 天`
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  if (!h) return `${m} 分钟`
  return m ? `${h} 小时 ${m} 分钟` : `${h} 小时`
}

/** The category's clocks in minutes, {urgency: {stage: minutes}}, as they run at the place. */
export function minutesOf(row: SlaRow): Sheet {
  const out: Sheet = {}
  for (const c of row.cells) (out[c.urgency] ??= {})[c.stage] = Math.round(c.seconds / 60)
  return out
}

/** The place's own figures after an edit: the clocks changed from what was shown, and the
 * place's earlier figures, in seconds; the rest follows the place above. */
export function ownAfterEdit(row: SlaRow, edited: Sheet): Sheet {
  const shown = minutesOf(row)
  const out: Sheet = {}
  for (const [urgency, stages] of Object.entries(edited)) {
    for (const [stage, minutes] of Object.entries(stages)) {
      const had = row.own[urgency]?.[stage]
      if (had !== undefined || shown[urgency]?.[stage] !== minutes) (out[urgency] ??= {})[stage] = minutes * 60
    }
  }
  return out
}
