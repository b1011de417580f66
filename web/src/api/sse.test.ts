import { describe, expect, it } from 'vitest'
import { backoff, openStream, SseParser, type SseMessage, type StreamStatus } from './sse'

describe('SseParser', () => {
  it('reads the dispatch stream frames, split anywhere across chunks', () => {
    const text =
      'retry: 3000\n: connected grid:3=4\n\n' +
      'id: grid:3=5\nevent: create\ndata: {"order_id":"o1","title":"厨房水管漏水"}\n\n' +
      ': heartbeat\n\n' +
      'id: grid:3=6,person:7=1\r\nevent: offer\r\ndata: {"order_id":"o1"}\r\n\r\n'
    const parser = new SseParser()
    const seen: SseMessage[] = []
    // One character at a time: the worst a network can do.
    for (const ch of text) seen.push(...parser.feed(ch))
    expect(seen).toEqual([
      { id: 'grid:3=5', event: 'create', data: '{"order_id":"o1","title":"厨房水管漏水"}' },
      { id: 'grid:3=6,person:7=1', event: 'offer', data: '{"order_id":"o1"}' },
    ])
    expect(parser.retry).toBe(3000)
    expect(parser.lastEventId).toBe('grid:3=6,person:7=1')
  })

  it('joins data lines, defaults the event to message and ignores unknown fields', () => {
    const parser = new SseParser()
    expect(parser.feed('data: a\ndata:b\nfoo: bar\n\n')).toEqual([{ id: '', event: 'message', data: 'a\nb' }])
    // An id without data moves the cursor but dispatches nothing.
    expect(parser.feed('id: x=1\n\n')).toEqual([])
    expect(parser.lastEventId).toBe('x=1')
  })
})

describe('backoff', () => {
  it('doubles from the base, is capped and jittered to half or more', () => {
    expect(backoff(0, 1000, 30_000, () => 1)).toBe(1000)
    expect(backoff(3, 1000, 30_000, () => 1)).toBe(8000)
    expect(backoff(10, 1000, 30_000, () => 1)).toBe(30_000)
    expect(backoff(10, 1000, 30_000, () => 0)).toBe(15_000)
  })
})

// A fake gateway whose answers are scripted: each a status and the chunks of the body, then the
// connection ends (a drop) unless `hold` keeps it open until the test closes the stream.
interface Script {
  status?: number
  chunks?: string[]
  fail?: boolean
  hold?: boolean
}

function gateway(scripts: Script[]) {
  const requests: Array<{ auth: string | null; lastEventId: string | null }> = []
  const fetch = async (_url: RequestInfo | URL, init: RequestInit = {}) => {
    const headers = (init.headers ?? {}) as Record<string, string>
    requests.push({ auth: headers.Authorization ?? null, lastEventId: headers['Last-Event-ID'] ?? null })
    const script = scripts.shift() ?? { hold: true }
    if (script.fail) throw new TypeError('network down')
    if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError')
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of script.chunks ?? []) controller.enqueue(encoder.encode(c))
        if (!script.hold) controller.close()
        init.signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')))
      },
    })
    return new Response(body, { status: script.status ?? 200 })
  }
  return { fetch: fetch as typeof globalThis.fetch, requests }
}

function harness(scripts: Script[], tokens: Array<string | null> = ['t1', 't2', 't3', 't4', 't5']) {
  const net = gateway(scripts)
  const waits: number[] = []
  const statuses: StreamStatus[] = []
  const messages: SseMessage[] = []
  const staleAsks: boolean[] = []
  let i = 0
  const stream = openStream({
    url: '/api/v1/dispatch/stream',
    token: async (stale) => {
      staleAsks.push(stale)
      return stale ? (tokens[++i] ?? null) : (tokens[i] ?? null)
    },
    onMessage: (m) => {
      messages.push(m)
      if (messages.length === want) stream.close()
    },
    onStatus: (s) => statuses.push(s),
    fetch: net.fetch,
    sleep: async (ms) => {
      waits.push(ms)
    },
    random: () => 1,
    maxDelayMs: 8000,
  })
  let want = Infinity
  return {
    stream,
    net,
    waits,
    statuses,
    messages,
    staleAsks,
    closeAfter(n: number) {
      want = n
    },
  }
}

const frame = (id: string, event: string, data: object) => `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`

describe('openStream', () => {
  it('sends the Bearer token and resumes with Last-Event-ID after a drop', async () => {
    const h = harness([
      { chunks: ['retry: 3000\n\n', frame('grid:3=5', 'create', { order_id: 'o1' })] },
      { fail: true },
      { chunks: [frame('grid:3=6', 'offer', { order_id: 'o1' })], hold: true },
    ])
    h.closeAfter(2)
    await h.stream.done
    expect(h.messages.map((m) => m.event)).toEqual(['create', 'offer'])
    expect(h.net.requests).toEqual([
      { auth: 'Bearer t1', lastEventId: null },
      { auth: 'Bearer t1', lastEventId: 'grid:3=5' },
      { auth: 'Bearer t1', lastEventId: 'grid:3=5' },
    ])
    // After the open stream dropped: the server's retry; after the failed attempt: twice that.
    expect(h.waits).toEqual([3000, 6000])
    expect(h.stream.lastEventId).toBe('grid:3=6')
    expect(h.statuses[h.statuses.length - 1]).toBe('closed')
  })

  it('backs off further with each failed attempt, up to the cap', async () => {
    const h = harness([
      { fail: true },
      { status: 502 },
      { fail: true },
      { fail: true },
      { fail: true },
      { chunks: [frame('p=1', 'offer', {})], hold: true },
    ])
    h.closeAfter(1)
    await h.stream.done
    expect(h.waits).toEqual([1000, 2000, 4000, 8000, 8000])
  })

  it('refreshes a refused token once, and stops when the session is over', async () => {
    const h = harness([{ status: 401 }, { chunks: [frame('p=1', 'offer', {})] }, { status: 401 }, { status: 401 }], [
      'old',
      'new',
      null,
    ])
    await h.stream.done
    expect(h.net.requests.map((r) => r.auth)).toEqual(['Bearer old', 'Bearer new', 'Bearer new'])
    expect(h.staleAsks).toEqual([false, true, false, true])
    expect(h.messages).toHaveLength(1)
    expect(h.statuses[h.statuses.length - 1]).toBe('closed')
  })

  it('close() ends an open stream', async () => {
    const h = harness([{ chunks: [': connected\n\n'], hold: true }])
    await Promise.resolve()
    h.stream.close()
    await h.stream.done
    expect(h.statuses).toContain('open')
    expect(h.statuses[h.statuses.length - 1]).toBe('closed')
  })
})
