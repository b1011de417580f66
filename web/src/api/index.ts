// The app's one client, its session kept in localStorage (this device only).
import { Client, type TokenStore, type Tokens } from './client'

export { ApiError } from './client'
export type { Schemas } from './client'

const KEY = 'linli.session'

export function storageTokenStore(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>): TokenStore {
  return {
    get() {
      const raw = storage.getItem(KEY)
      if (!raw) return null
      try {
        return JSON.parse(raw) as Tokens
      } catch {
        return null
      }
    },
    set(tokens) {
      if (tokens) storage.setItem(KEY, JSON.stringify(tokens))
      else storage.removeItem(KEY)
    },
  }
}

let sessionEnded: () => void = () => undefined
export function whenSessionEnds(callback: () => void): void {
  sessionEnded = callback
}

export const tokens = storageTokenStore(window.localStorage)
export const api = new Client({ store: tokens, onSessionEnded: () => sessionEnded() })
