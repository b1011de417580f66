import { beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { nextTick } from 'vue'

// The store runs against a memory localStorage and a fake <html>, as on a phone.
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

describe('the prefs store (适老化)', () => {
  let storage: Storage
  let classes: Set<string>
  let vars: Map<string, string>

  beforeEach(() => {
    vi.resetModules()
    storage = memoryStorage()
    classes = new Set()
    vars = new Map()
    vi.stubGlobal('window', { localStorage: storage })
    vi.stubGlobal('document', {
      documentElement: {
        classList: { toggle: (c: string, on: boolean) => void (on ? classes.add(c) : classes.delete(c)) },
        style: { setProperty: (k: string, v: string) => void vars.set(k, v) },
      },
    })
    setActivePinia(createPinia())
  })

  it('starts at 20px, scales within 18–30px, and remembers mode and size on the device', async () => {
    const { usePrefs } = await import('./prefs')
    const prefs = usePrefs()
    expect(prefs.elder).toBe(false)
    expect(prefs.fontSize).toBe(20)
    expect(vars.get('--linli-elder-font')).toBe('20px')

    prefs.elder = true
    prefs.fontSize = 28
    await nextTick()
    expect(classes.has('elder')).toBe(true)
    expect(vars.get('--linli-elder-font')).toBe('28px')

    // Out of range falls back into it: never below 18px, never above 30px.
    prefs.fontSize = 40
    await nextTick()
    await nextTick()
    expect(prefs.fontSize).toBe(30)
    expect(vars.get('--linli-elder-font')).toBe('30px')
    prefs.fontSize = 12
    await nextTick()
    await nextTick()
    expect(prefs.fontSize).toBe(18)

    // A reload on the same device: the mode and the size are back.
    setActivePinia(createPinia())
    vars.clear()
    const reloaded = usePrefs()
    expect(reloaded.elder).toBe(true)
    expect(reloaded.fontSize).toBe(18)
    expect(vars.get('--linli-elder-font')).toBe('18px')
  })

  it('ignores a stored size that is not a number', async () => {
    storage.setItem('linli.elder-font', 'big')
    const { usePrefs, clampFont } = await import('./prefs')
    expect(usePrefs().fontSize).toBe(20)
    expect(clampFont(23.6)).toBe(24)
  })
})
