import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

const KEY = 'linli.elder-mode'
const FONT_KEY = 'linli.elder-font'
/** MIIT ageing-friendly guidelines: the base font is at least 18px and scales up to 30px. */
export const ELDER_FONT_MIN = 18
export const ELDER_FONT_MAX = 30
export const ELDER_FONT_DEFAULT = 20

/** 适老化: the elder mode and its font size are remembered per device (localStorage). The mode
 * sets a class on <html> (big touch targets, high contrast, styles.css); the size is a CSS
 * variable on <html> that every elder-mode font size is computed from. */
export const usePrefs = defineStore('prefs', () => {
  const elder = ref(readElder())
  const fontSize = ref(readFontSize())
  function apply(on: boolean): void {
    document.documentElement.classList.toggle('elder', on)
  }
  function applyFont(px: number): void {
    document.documentElement.style.setProperty('--linli-elder-font', `${px}px`)
  }
  apply(elder.value)
  applyFont(fontSize.value)
  watch(elder, (on) => {
    window.localStorage.setItem(KEY, on ? '1' : '0')
    apply(on)
  })
  watch(fontSize, (px) => {
    const size = clampFont(px)
    if (size !== px) {
      fontSize.value = size
      return
    }
    window.localStorage.setItem(FONT_KEY, String(size))
    applyFont(size)
  })
  return { elder, fontSize }
})

/** A size outside 18–30px (or not a number) falls back into the range. */
export function clampFont(px: number): number {
  if (!Number.isFinite(px)) return ELDER_FONT_DEFAULT
  return Math.min(ELDER_FONT_MAX, Math.max(ELDER_FONT_MIN, Math.round(px)))
}

function readElder(): boolean {
  try {
    return window.localStorage.getItem(KEY) === '1'
  } catch {
    return false
  }
}

function readFontSize(): number {
  try {
    const stored = window.localStorage.getItem(FONT_KEY)
    return stored === null ? ELDER_FONT_DEFAULT : clampFont(Number(stored))
  } catch {
    return ELDER_FONT_DEFAULT
  }
}
