import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api'
import { openStream, type Stream, type StreamStatus } from '../api/sse'

/** One item of the dispatch feed (services/dispatch/orders/transition.py feed_payload). */
export interface FeedEvent {
  kind: string
  order_id: string
  action: string
  action_label: string
  state: string
  state_label: string
  title: string
  category: string
  urgency: string
  compound_id: number
  escalation_level: string
  version: number
  note: string | null
  details: Record<string, unknown>
  at: string
  recipient: string
}

type Listener = (event: FeedEvent) => void

/**
 * The caller's live tasks (GET /api/v1/dispatch/stream): one connection per signed-in device,
 * opened by the first screen that listens and kept while the session lasts, so moving between
 * screens neither drops events nor replays them.
 */
export const useLive = defineStore('live', () => {
  const status = ref<StreamStatus>('closed')
  const received = ref(0)
  const listeners = new Set<Listener>()
  let stream: Stream | null = null

  function start(): void {
    if (stream) return
    stream = openStream({
      url: '/api/v1/dispatch/stream',
      token: (stale) => api.accessToken(stale),
      onStatus: (s) => {
        status.value = s
      },
      onMessage: (message) => {
        let data: Omit<FeedEvent, 'kind'>
        try {
          data = JSON.parse(message.data) as Omit<FeedEvent, 'kind'>
        } catch {
          return
        }
        received.value += 1
        const event = { ...data, kind: message.event }
        for (const listener of listeners) listener(event)
      },
    })
    void stream.done.then(() => {
      stream = null
    })
  }

  function stop(): void {
    stream?.close()
    stream = null
  }

  /** Listen while a screen is shown; the returned function stops listening. */
  function listen(listener: Listener): () => void {
    listeners.add(listener)
    start()
    return () => listeners.delete(listener)
  }

  return { status, received, start, stop, listen }
})
