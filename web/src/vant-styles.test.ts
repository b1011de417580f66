import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

// Every Vant component a screen imports has its style in vant-styles.ts (the app no longer loads
// the whole library's stylesheet, so a missing one would render unstyled).
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return sources(path)
    return /\.(vue|ts)$/.test(name) && !name.endsWith('.test.ts') ? [path] : []
  })
}

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c, i: number) => (i ? '-' : '') + c.toLowerCase())

describe('vant styles', () => {
  it('covers every Vant component the app imports', () => {
    const used = new Set<string>()
    for (const file of sources('src')) {
      for (const match of readFileSync(file, 'utf8').matchAll(/import\s*\{([^}]+)\}\s*from\s*'vant'/g)) {
        for (const part of match[1].split(',')) {
          const name = part.trim()
          if (/^[A-Z]/.test(name)) used.add(kebab(name))
          // showToast, showConfirmDialog, showImagePreview: the component behind the function.
          const shown = /^show(?:Confirm|Success|Fail|Loading)?([A-Z]\w*)$/.exec(name)
          if (shown) used.add(kebab(shown[1]))
        }
      }
    }
    const styled = readFileSync('src/vant-styles.ts', 'utf8')
    const missing = [...used].filter((c) => !styled.includes(`'vant/es/${c}/style/index'`))
    expect(used.size).toBeGreaterThan(10)
    expect(missing).toEqual([])
  })
})
