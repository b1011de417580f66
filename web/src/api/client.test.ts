import { describe, expect, it } from 'vitest'
import { ApiError, Client, type TokenStore, type Tokens } from './client'

// A fake gateway: records each request and answers from a script, as the real one would.
function gateway(answers: Array<(url: string, init: RequestInit) => Response>) {
  const seen: Array<{ url: string; method: string; auth: string | null; body: unknown }> = []
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input)
    const headers = (init.headers ?? {}) as Record<string, string>
    seen.push({
      url,
      method: String(init.method),
      auth: headers.Authorization ?? null,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    })
    const next = answers.shift()
    if (!next) throw new Error('unexpected request ' + url)
    return next(url, init)
  }
  return { fetch: fetch as typeof globalThis.fetch, seen }
}

function memory(initial: Tokens | null = null): TokenStore & { value: Tokens | null } {
  return {
    value: initial,
    get() {
      return this.value
    },
    set(t) {
      this.value = t
    },
  }
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
const pair = (n: number) => ({
  access_token: `access-${n}`,
  refresh_token: `refresh-${n}`,
  token_type: 'bearer',
  expires_in: 900,
  refresh_expires_in: 2592000,
  person_id: 4,
  roles: [],
})

describe('the typed client', () => {
  it('logs 王秀英 in, keeps the pair and sends the access token as a Bearer', async () => {
    const store = memory()
    const { fetch, seen } = gateway([() => json(200, pair(1)), () => json(200, { name: '王秀英' })])
    const client = new Client({ store, fetch, now: () => 1_000_000 })
    await client.login('13800000004', 'linli-demo')
    expect(store.value).toEqual({ access: 'access-1', refresh: 'refresh-1', expiresAt: 1_000_000 + 900_000 })
    const home = await client.get('/api/v1/registry/me/home')
    expect(home.name).toBe('王秀英')
    expect(seen[0]).toMatchObject({ url: '/api/v1/registry/auth/token', method: 'POST', auth: null })
    expect(seen[1]).toMatchObject({ url: '/api/v1/registry/me/home', method: 'GET', auth: 'Bearer access-1' })
  })

  it('removes a place with the version read, and a refusal is the API\'s own words', async () => {
    const store = memory({ access: 'access-1', refresh: 'refresh-1', expiresAt: 10_000_000 })
    const refusal = { error: { code: 'still_referenced', message: '楼栋“9”下还有 1 个单元，不能删除', message_en: 'still has', details: null } }
    const { fetch, seen } = gateway([() => new Response(null, { status: 204 }), () => json(409, refusal)])
    const client = new Client({ store, fetch, now: () => 1_000_000 })
    const gone = await client.delete('/api/v1/registry/households/{entity_id}', { path: { entity_id: 7 }, query: { version: 2 } })
    expect(gone).toBeUndefined()
    expect(seen[0]).toMatchObject({ url: '/api/v1/registry/households/7?version=2', method: 'DELETE', auth: 'Bearer access-1' })
    const error = await client
      .delete('/api/v1/registry/buildings/{entity_id}', { path: { entity_id: 9 }, query: { version: 1 } })
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).status).toBe(409)
    expect((error as ApiError).message).toBe('楼栋“9”下还有 1 个单元，不能删除')
  })

  it('refreshes silently before the access token runs out, once for parallel requests', async () => {
    let now = 0
    const store = memory({ access: 'access-1', refresh: 'refresh-1', expiresAt: 900_000 })
    const { fetch, seen } = gateway([
      () => json(200, pair(2)),
      () => json(200, { items: [], next_cursor: null }),
      () => json(200, { items: [], total: 0 }),
    ])
    const client = new Client({ store, fetch, now: () => now })
    now = 850_000 // 50 s left: inside the early margin
    await Promise.all([
      client.get('/api/v1/dispatch/orders', { query: { limit: 50, state: ['submitted', 'offered'] } }),
      client.get('/api/v1/billing/bills', { query: { household_id: 5 } }),
    ])
    expect(seen.map((r) => r.url)).toEqual([
      '/api/v1/registry/auth/refresh',
      '/api/v1/dispatch/orders?limit=50&state=submitted&state=offered',
      '/api/v1/billing/bills?household_id=5',
    ])
    expect(seen[0].body).toEqual({ refresh_token: 'refresh-1' })
    expect(seen.slice(1).map((r) => r.auth)).toEqual(['Bearer access-2', 'Bearer access-2'])
    expect(store.value?.refresh).toBe('refresh-2')
  })

  it('retries once after a 401 with a fresh pair, and ends the session when the refresh is refused', async () => {
    const store = memory({ access: 'stale', refresh: 'refresh-1', expiresAt: Number.MAX_SAFE_INTEGER })
    const refused = { error: { code: 'refresh_invalid', message: '登录已失效，请重新登录', message_en: 'Session ended' } }
    const { fetch, seen } = gateway([
      () => json(401, { error: { code: 'unauthorized', message: '未登录', message_en: 'No' } }),
      () => json(200, pair(3)),
      () => json(200, { name: '王秀英' }),
      () => json(401, { error: { code: 'unauthorized', message: '未登录', message_en: 'No' } }),
      () => json(401, refused),
    ])
    let ended = 0
    const client = new Client({ store, fetch, onSessionEnded: () => ended++ })
    expect((await client.get('/api/v1/registry/me/home')).name).toBe('王秀英')
    expect(seen[2].auth).toBe('Bearer access-3')

    const failure = await client.get('/api/v1/registry/me/home').catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(ApiError)
    expect((failure as ApiError).message).toBe('未登录')
    expect(store.value).toBeNull()
    expect(ended).toBe(1)
  })

  it('turns the API error shape into an ApiError with the Chinese message first', async () => {
    const { fetch } = gateway([
      () =>
        json(422, {
          error: {
            code: 'validation_error',
            message: '请求参数有误：body.title: 不能为空',
            message_en: 'Invalid request',
            details: [{ field: 'body.title' }],
          },
        }),
    ])
    const client = new Client({ store: memory(), fetch })
    const error = (await client
      .post('/api/v1/dispatch/orders', { body: { category: 'water_leak', title: '', description: '', urgency: 'normal' } })
      .catch((e: unknown) => e)) as ApiError
    expect(error.status).toBe(422)
    expect(error.code).toBe('validation_error')
    expect(error.message).toBe('请求参数有误：body.title: 不能为空')
    expect(error.messageEn).toBe('Invalid request')
  })

  it('fills path parameters', async () => {
    const { fetch, seen } = gateway([() => json(200, { id: '17' })])
    const client = new Client({ store: memory(), fetch })
    await client.get('/api/v1/dispatch/orders/{order_id}', { path: { order_id: 'a b' } })
    expect(seen[0].url).toBe('/api/v1/dispatch/orders/a%20b')
  })
})
