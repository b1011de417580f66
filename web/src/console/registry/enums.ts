// The registry's enums with their Chinese labels (GET /registry/enums), read once: every label
// on the registry desk is the API's own.
import { api } from '../../api'

export type Choices = Record<string, { value: string; label: string }[]>
let enums: Promise<Choices> | null = null

export function registryEnums(): Promise<Choices> {
  enums ??= api.get('/api/v1/registry/enums') as Promise<Choices>
  return enums
}

/** Save a file the API serves behind the session (an .xlsx export or template). */
export async function download(url: string, filename: string): Promise<void> {
  const blob = await api.blob(url)
  const link = document.createElement('a')
  link.href = URL.createObjectURL(blob)
  link.download = filename
  link.click()
  URL.revokeObjectURL(link.href)
}
