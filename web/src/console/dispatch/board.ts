// The order board's columns: the states an order waits in while it is open, in the order the
// state machine walks them (services/dispatch/orders/domain.py). Closed, cancelled and dismissed
// orders leave the board.
import type { Schemas } from '../../api'

export type BoardOrder = Schemas['OrderOut']

export const BOARD_STATES = [
  'submitted',
  'awaiting_dispatch',
  'offered',
  'accepted',
  'in_progress',
  'completed',
  'follow_up',
] as const

/** Orders by state, oldest first within a column (the one waiting longest is on top). */
export function columnsOf(orders: BoardOrder[], states: readonly string[]): Record<string, BoardOrder[]> {
  const out: Record<string, BoardOrder[]> = Object.fromEntries(states.map((s) => [s, []]))
  for (const order of orders) out[order.state]?.push(order)
  for (const list of Object.values(out)) list.sort((a, b) => a.submitted_at.localeCompare(b.submitted_at))
  return out
}
