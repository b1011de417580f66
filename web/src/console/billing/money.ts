// Small helpers the treasurer's panels share: money typed in yuan, a fresh Idempotency-Key per
// operation, months in the compound's zone (free of the browser's storage: tested in Node).
/** "12.5" or "12.50" yuan → 1250 fen; null for anything that is not an amount with at most two decimals. */
export function fenOf(yuanText: string): number | null {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(yuanText)
  if (!m) return null
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'))
}

/** One key per operation: a retry of the same click sends the same key, a new click a new one. */
export function newKey(): string {
  return crypto.randomUUID()
}

const MONTH = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit' })

/** This month in the compound's zone, "2026-12" (by this device's clock; the treasurer may pick another). */
export function thisMonth(now: Date = new Date()): string {
  return MONTH.format(now).slice(0, 7)
}
