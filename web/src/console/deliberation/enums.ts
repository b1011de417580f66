// The deliberation enums with their Chinese labels, read once per page: every label on the
// committee desk comes from them.
import { api } from '../../api'
import type { Choices } from './desk'

let cached: Promise<Choices> | null = null

export function loadEnums(): Promise<Choices> {
  cached ??= api.get('/api/v1/deliberation/enums') as Promise<Choices>
  return cached
}
