import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api, type Schemas } from '../api'
import { openStream, type Stream, type StreamStatus } from '../api/sse'

type Note = Schemas['NotificationOut']
type Listener = (note: Note) => void

/**
 * 站内消息: the unread badge and new messages as they arrive, through the registry's live inbox
 * (GET /api/v1/registry/notifications/stream: each frame is the message as the inbox lists it,
 * plus the caller's unread count). One connection per signed-in device, kept while the session
 * lasts; after a drop it resumes where it stopped, and the count is read again.
 */
export const useInbox = defineStore('inbox', () => {
  const unread = ref(0)
  const status = ref<StreamStatus>('closed')
  const listeners = new Set<Listener>()
  let stream: Stream | null = null

  async function refresh(): Promise<void> {
    try {
      unread.value = (await api.get('/api/v1/registry/notifications/unread-count')).unread
    } catch {
      // The badge keeps its last count; the stream's next message brings the right one.
    }
  }

  function start(): void {
    if (stream) return
    void refresh()
    stream = openStream({
      url: '/api/v1/registry/notifications/stream',
      token: (stale) => api.accessToken(stale),
      onStatus: (s) => {
        // Back after a drop: what was read elsewhere meanwhile is in the count, not in the stream.
        if (s === 'open' && status.value === 'retrying') void refresh()
        status.value = s
      },
      onMessage: (message) => {
        let data: Note & { unread?: number }
        try {
          data = JSON.parse(message.data) as Note & { unread?: number }
        } catch {
          return
        }
        if (typeof data.unread === 'number') unread.value = data.unread
        for (const listener of listeners) listener(data)
      },
    })
    void stream.done.then(() => {
      stream = null
    })
  }

  function stop(): void {
    stream?.close()
    stream = null
    unread.value = 0
  }

  /** New messages while a screen is shown; the returned function stops listening. */
  function listen(listener: Listener): () => void {
    listeners.add(listener)
    start()
    return () => listeners.delete(listener)
  }

  async function readAll(): Promise<void> {
    await api.post('/api/v1/registry/notifications/read-all')
    unread.value = 0
  }

  return { unread, status, refresh, start, stop, listen, readAll }
})
