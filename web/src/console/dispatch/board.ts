// The order board's columns: the states an order waits in while it is open, in the order the
// state machine walks them (services/dispatch/orders/domain.py). Closed, cancelled and dismissed
// orders leave the board. Each column heads with the API's count of its orders (GET
// /orders/counts) and shows them a page at a time, the longest waiting first (GET /orders with
// oldest_first), so a street with thousands of open orders shows them all without loading them all.
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

/** Cards a column shows at first, and adds at each 加载更多. */
export const PAGE = 50
/** The API's largest page (shared/pagination.py MAX_LIMIT). */
export const MAX_PAGE = 1000

export interface Column {
  items: BoardOrder[]
  next: string | null
}

/** How many to read when a column is read again (a live change): what it shows, at least a page. */
export function windowOf(shown: number): number {
  return Math.min(MAX_PAGE, Math.max(PAGE, shown))
}

/** The counts answer as {state: orders}. */
export function countsOf(answer: Schemas['OrderCounts']): Record<string, number> {
  return Object.fromEntries(answer.by_state.map((c) => [c.state, c.orders]))
}

/** How many of a column's orders are not shown yet. */
export function notShown(count: number, column: Column | undefined): number {
  return Math.max(0, count - (column?.items.length ?? 0))
}
