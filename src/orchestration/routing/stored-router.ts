/**
 * The Q-router a peer keeps across reloads: restored from the store at
 * start (reset, with a message, when the saved table is unusable) and written
 * back a moment after it learns something.
 */
import { Debounced, noopLogger, warnOn } from '../../core/index.ts'
import type { Logger } from '../../core/index.ts'
import type { StateStore } from '../../storage/index.ts'
import { QRouter } from './q-router.ts'
import type { QRouterOptions } from './q-router.ts'

export interface StoredRouterComponents {
  store: StateStore
  logger?: Logger
}

export interface StoredRouterInit {
  /** The router's randomness and clock. Default: Math.random and Date.now. */
  clock?: Pick<QRouterOptions, 'random' | 'now'>
  /** The table changed (learnt, seeded, forwarded through). */
  onChange?(): void
  /** The saved table could not be used and was reset; says why. */
  onReset?(message: string): void
}

/** How long after a change the table is written (changes in between make one write). */
const SAVE_DELAY_MS = 2000

export class StoredRouter {
  private routerValue: QRouter
  private readonly components: StoredRouterComponents
  private readonly init: StoredRouterInit
  private readonly clock: Pick<QRouterOptions, 'random' | 'now'>
  private readonly logger: Logger
  private readonly saving: Debounced
  private started = false

  constructor (components: StoredRouterComponents, init: StoredRouterInit = {}) {
    this.components = components
    this.init = init
    this.clock = init.clock ?? { random: Math.random, now: Date.now }
    this.logger = components.logger ?? noopLogger
    this.saving = new Debounced(() => { this.save() }, SAVE_DELAY_MS)
    this.routerValue = new QRouter(this.clock)
  }

  /** The router: replaced once, by the restored one, during start(). */
  get router (): QRouter {
    return this.routerValue
  }

  /** Restores what was kept. Safe to call twice. */
  async start (): Promise<void> {
    if (this.started) return
    this.started = true
    const { store } = this.components
    try {
      const saved = await store.loadState('q-router')
      if (saved !== undefined) this.routerValue = QRouter.fromJSON(saved, this.clock)
    } catch (err) {
      await store.deleteState('q-router')
      this.init.onReset?.(`the saved routing table was unusable and has been reset (${(err as Error).message})`)
    }
  }

  /** Writes what is pending now. Safe to call twice. */
  stop (): void {
    this.started = false
    this.saving.flush()
  }

  /** Learns that reaching `destination` through `via` took `elapsedMs` (a task, or a forwarded hop). */
  record (destination: string, via: string, elapsedMs: number): void {
    this.routerValue.update(destination, via, elapsedMs, 0)
    this.changed()
  }

  /** Something else (a forwarder, a warm start) updated the router: tell and keep it. */
  changed (): void {
    this.init.onChange?.()
    this.saving.schedule()
  }

  private save (): void {
    this.components.store.saveState('q-router', this.routerValue.toJSON()).catch(warnOn(this.logger, 'saving the routing table'))
  }
}
