import { defineConfig } from 'vite'
import { VitePWA } from 'vite-plugin-pwa'

// `--mode test-hooks` builds the app with the misbehaviour of src/app/test-hooks.ts
// into dist-test-hooks/, for the end-to-end tests of witnesses; every other build leaves it out.
export default defineConfig(({ mode }) => ({
  define: {
    __ZEROSTATE_TEST_HOOKS__: JSON.stringify(mode === 'test-hooks')
  },
  build: {
    target: 'es2023',
    outDir: mode === 'test-hooks' ? 'dist-test-hooks' : 'dist',
    emptyOutDir: true
  },
  worker: {
    format: 'es'
  },
  plugins: [
    // Service worker precaching the app shell so an installed ZeroState opens offline.
    // Registered by src/ui/register-sw.ts; the manifest is public/manifest.webmanifest.
    VitePWA({
      registerType: 'autoUpdate',
      injectRegister: null,
      manifest: false,
      workbox: {
        globPatterns: ['**/*.{js,css,html,wasm,png,webmanifest}', 'samples/**/*.{json,jpg,jpeg,csv,txt}'],
        // /config.json carries the relay addresses of whichever server served the page:
        // it must always come from the network, never from the precache.
        globIgnores: ['**/node_modules/**/*', 'config.json'],
        navigateFallback: 'index.html',
        navigateFallbackDenylist: [/^\/config\.json$/, /^\/samples\//],
        // The libp2p bundle and sample modules are larger than Workbox's 2 MiB default.
        maximumFileSizeToCacheInBytes: 10 * 1024 * 1024
      }
    })
  ]
}))
