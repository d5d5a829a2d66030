import type { ZeroStatePublicApi } from './public-api.ts'

declare global {
  interface Window {
    /** The page's programmatic API (src/app/public-api.ts). */
    zerostate: ZeroStatePublicApi
  }
}
