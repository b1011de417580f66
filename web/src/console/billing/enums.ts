// The billing service's enums with their Chinese labels, read once: every label on the desk is
// the API's own.
import { api } from '../../api'

export type Choices = Record<string, { value: string; label: string }[]>
let enums: Promise<Choices> | null = null

/** The billing service's enums with their Chinese labels (GET /billing/enums), read once. */
export function billingEnums(): Promise<Choices> {
  enums ??= api.get('/api/v1/billing/enums') as Promise<Choices>
  return enums
}

