import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'

// The store runs against a fake gateway and a memory localStorage, as on a phone.
function memoryStorage(): Storage {
  const data = new Map<string, string>()
  return {
    get length() {
      return data.size
    },
    clear: () => data.clear(),
    getItem: (k) => data.get(k) ?? null,
    key: (i) => [...data.keys()][i] ?? null,
    removeItem: (k) => void data.delete(k),
    setItem: (k, v) => void data.set(k, String(v)),
  }
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status })
const HOME = {
  person_id: 4,
  name: '王秀英',
  relation: '户主',
  dwelling: { household_id: 5, address: '1号楼1单元301室' },
  contacts: [],
  hotlines: [],
}

describe('the session store', () => {
  let storage: Storage
  let calls: string[]

  beforeEach(() => {
    vi.resetModules()
    storage = memoryStorage()
    calls = []
    vi.stubGlobal('window', { localStorage: storage })
    vi.stubGlobal('fetch', async (url: string, init: RequestInit) => {
      calls.push(`${init.method} ${url}`)
      if (url.endsWith('/auth/token')) {
        return json(200, { access_token: 'a1', refresh_token: 'r1', expires_in: 900, person_id: 4, roles: [] })
      }
      if (url.endsWith('/me/home')) return json(200, HOME)
      if (url.endsWith('/auth/logout')) return new Response(null, { status: 204 })
      return json(404, { error: { code: 'not_found', message: '没有', message_en: 'No' } })
    })
    setActivePinia(createPinia())
  })

  it('keeps the session on the device across a reload, reads the home once, and forgets it at logout', async () => {
    const { useSession } = await import('./session')
    const session = useSession()
    expect(session.loggedIn).toBe(false)
    await session.login('13800000004', 'linli-demo')
    expect(session.loggedIn).toBe(true)
    expect(JSON.parse(storage.getItem('linli.session') ?? '{}').refresh).toBe('r1')

    // A reload: a new store on the same device is still logged in.
    setActivePinia(createPinia())
    const reloaded = useSession()
    expect(reloaded.loggedIn).toBe(true)
    await reloaded.loadHome()
    await reloaded.loadHome()
    expect(reloaded.householdId).toBe(5)
    expect(calls.filter((c) => c.endsWith('/me/home'))).toHaveLength(1)

    await reloaded.logout()
    expect(reloaded.loggedIn).toBe(false)
    expect(reloaded.home).toBeNull()
    expect(storage.getItem('linli.session')).toBeNull()
    expect(calls[calls.length - 1]).toBe('POST /api/v1/registry/auth/logout')
  })
})
