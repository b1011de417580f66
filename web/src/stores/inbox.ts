import { defineStore } from 'pinia'
import { ref } from 'vue'
import { api } from '../api'

// The registry's live inbox stream is not there yet: the badge polls the unread count meanwhile.
const POLL_MS = 30_000

/** 站内消息: the unread badge, kept while the session lasts. */
export const useInbox = defineStore('inbox', () => {
  const unread = ref(0)
  let timer: ReturnType<typeof setInterval> | null = null

  async function refresh(): Promise<void> {
    try {
      unread.value = (await api.get('/api/v1/registry/notifications/unread-count')).unread
    } catch {
      // A missed poll changes nothing on screen; the next one tries again.
    }
  }

  function start(): void {
    if (timer) return
    void refresh()
    timer = setInterval(() => void refresh(), POLL_MS)
  }

  function stop(): void {
    if (timer) clearInterval(timer)
    timer = null
    unread.value = 0
  }

  async function readAll(): Promise<void> {
    await api.post('/api/v1/registry/notifications/read-all')
    unread.value = 0
  }

  return { unread, refresh, start, stop, readAll }
})
