import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

const KEY = 'linli.elder-mode'

/** 适老化: the elder mode is remembered per device (localStorage), and sets a class on <html>
 * that raises the base font to 20px and the touch targets to 56px (styles.css). */
export const usePrefs = defineStore('prefs', () => {
  const elder = ref(readElder())
  function apply(on: boolean): void {
    document.documentElement.classList.toggle('elder', on)
  }
  apply(elder.value)
  watch(elder, (on) => {
    window.localStorage.setItem(KEY, on ? '1' : '0')
    apply(on)
  })
  return { elder }
})

function readElder(): boolean {
  try {
    return window.localStorage.getItem(KEY) === '1'
  } catch {
    return false
  }
}
