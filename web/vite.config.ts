/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'

// Served by the gateway at / (same origin as the API); `npm run dev` proxies the API to a
// running `make run` on :8000.
// Vant's icon font is inlined as woff2 and names a CDN copy as a fallback: drop the fallback, so
// the built app never reaches outside its own origin.
function noCdnFonts(): Plugin {
  return {
    name: 'linli-no-cdn-fonts',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('/vant/') || !id.endsWith('.css')) return null
      return code.replace(/,\s*url\(\/\/at\.alicdn\.com\/[^)]*\)\s*format\("woff"\)/g, '')
    },
  }
}

export default defineConfig({
  plugins: [vue(), noCdnFonts()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    // Inline nothing from a CDN: every asset is bundled (intranets, mainland networks).
    assetsInlineLimit: 4096,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:8000',
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // The test files share a worker's modules instead of importing Vue, Pinia and the app again
    // each (isolated: 9.9 CPU s for the 17 files, of which 10 s of imports in a loaded run;
    // shared: 3.5). What one file stubs (window, document, fetch) is restored after each test.
    isolate: false,
    unstubGlobals: true,
  },
})
