// Server-Sent Events over fetch. The browser's EventSource cannot send an Authorization header,
// and a token in the URL would land in logs, so the stream is read with fetch: the Bearer token
// goes in the header, the last event id in Last-Event-ID after a drop (the dispatch stream
// resumes each feed from it), and a dropped or refused connection is retried with a growing,
// jittered back-off that starts from the server's `retry:` and is capped.

export interface SseMessage {
  id: string
  event: string
  data: string
}

/** The text/event-stream format (WHATWG HTML §9.2), fed chunk by chunk as the bytes arrive. */
export class SseParser {
  lastEventId = ''
  /** The server's `retry:` in ms, once it has sent one. */
  retry: number | null = null
  private buffer = ''
  private data: string[] = []
  private event = ''

  feed(chunk: string): SseMessage[] {
    this.buffer += chunk
    const out: SseMessage[] = []
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer)
      if (!match) break
      // A lone CR at the end may be the first half of a CRLF split across chunks: wait for more.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) break
      const line = this.buffer.slice(0, match.index)
      this.buffer = this.buffer.slice(match.index + match[0].length)
      const message = this.line(line)
      if (message) out.push(message)
    }
    return out
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      const data = this.data
      const event = this.event
      this.data = []
      this.event = ''
      if (!data.length) return null
      return { id: this.lastEventId, event: event || 'message', data: data.join('\n') }
    }
    if (line.startsWith(':')) return null
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'data') this.data.push(value)
    else if (field === 'event') this.event = value
    else if (field === 'id' && !value.includes('\0')) this.lastEventId = value
    else if (field === 'retry' && /^\d+$/.test(value)) this.retry = Number(value)
    return null
  }
}

export type StreamStatus = 'connecting' | 'open' | 'retrying' | 'closed'

export interface StreamOptions {
  url: string
  /** A live access token; `stale` = the server just refused the last one (refresh it). */
  token: (stale: boolean) => Promise<string | null>
  onMessage: (message: SseMessage) => void
  onStatus?: (status: StreamStatus) => void
  lastEventId?: string
  fetch?: typeof fetch
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>
  random?: () => number
  /** First wait after a drop when the server has not said `retry:`. */
  initialDelayMs?: number
  maxDelayMs?: number
}

export interface Stream {
  close(): void
  readonly lastEventId: string
  /** Settles when the stream has stopped for good (closed, or the session is over). */
  readonly done: Promise<void>
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })
}

/** The wait before reconnect number `attempt` (0-based): base × 2^attempt, capped, jittered to 50–100 %. */
export function backoff(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 16))
  return Math.round(full * (0.5 + random() / 2))
}

export function openStream(options: StreamOptions): Stream {
  const controller = new AbortController()
  const signal = controller.signal
  const fetcher = options.fetch ?? ((...args) => globalThis.fetch(...args))
  const sleep = options.sleep ?? abortableSleep
  const random = options.random ?? Math.random
  const maxMs = options.maxDelayMs ?? 30_000
  const parser = new SseParser()
  parser.lastEventId = options.lastEventId ?? ''
  const status = (s: StreamStatus) => options.onStatus?.(s)

  async function connectOnce(stale: boolean): Promise<'refused' | 'stale' | 'dropped'> {
    status('connecting')
    const token = await options.token(stale)
    if (!token) return 'refused'
    const headers: Record<string, string> = { Accept: 'text/event-stream', Authorization: `Bearer ${token}` }
    if (parser.lastEventId) headers['Last-Event-ID'] = parser.lastEventId
    const answer = await fetcher(options.url, { headers, signal, cache: 'no-store' })
    if (answer.status === 401 || answer.status === 403) {
      await answer.body?.cancel()
      // A token refused once may only be stale: refresh and try again; refused twice, stop.
      return answer.status === 401 && !stale ? 'stale' : 'refused'
    }
    if (!answer.ok || !answer.body) {
      await answer.body?.cancel()
      throw new Error(`stream answered ${answer.status}`)
    }
    status('open')
    const reader = answer.body.getReader()
    const decoder = new TextDecoder()
    for (;;) {
      const { value, done } = await reader.read()
      if (done) break
      for (const message of parser.feed(decoder.decode(value, { stream: true }))) options.onMessage(message)
    }
    return 'dropped'
  }

  async function run(): Promise<void> {
    let attempt = 0
    let stale = false
    while (!signal.aborted) {
      let opened = false
      try {
        const outcome = await connectOnce(stale)
        if (outcome === 'refused') break
        stale = outcome === 'stale'
        if (stale) continue
        opened = true
      } catch {
        if (signal.aborted) break
      }
      // A connection that was open and then ended (a restart, a network drop) starts the
      // back-off afresh; one that could not be made waits longer each time.
      if (opened) attempt = 0
      status('retrying')
      await sleep(backoff(attempt, parser.retry ?? options.initialDelayMs ?? 1000, maxMs, random), signal)
      attempt += 1
    }
    status('closed')
  }

  const done = run()
  return {
    close: () => controller.abort(),
    get lastEventId() {
      return parser.lastEventId
    },
    done,
  }
}
