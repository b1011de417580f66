// What the mediation screens share: the tag colour of a case's state.
export function caseTone(state: string): 'primary' | 'warning' | 'success' | 'default' | 'danger' {
  if (state === 'agreed') return 'warning'
  if (state === 'closed') return 'success'
  if (state === 'failed') return 'danger'
  if (state === 'withdrawn') return 'default'
  return 'primary'
}

/** A party may still choose a mediator before the first session. */
export function choosing(state: string): boolean {
  return state === 'filed' || state === 'mediator_chosen'
}
