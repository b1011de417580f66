// Times in the compound's zone (Asia/Shanghai), as the residents read them on a notice.
const FORMAT = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  month: 'numeric',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
})

export function when(iso: string | null | undefined): string {
  if (!iso) return ''
  return FORMAT.format(new Date(iso))
}

/** Tag colour of an order state: waiting, being worked, done, dropped. */
export function stateTone(state: string): 'primary' | 'warning' | 'success' | 'default' {
  if (['completed'].includes(state)) return 'warning'
  if (['confirmed', 'closed', 'follow_up'].includes(state)) return 'success'
  if (['cancelled', 'duplicate', 'invalid'].includes(state)) return 'default'
  return 'primary'
}

export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : ''
  const abs = Math.abs(fen)
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`
}
