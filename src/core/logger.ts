/**
 * The Logger port: where a component reports what it chose not to fail for
 * (a gossip message that did not verify, a publication nobody heard, a save
 * that failed) instead of swallowing it. Components take a Logger in their
 * Components and default to `noopLogger`; the composition root passes a real
 * one (the browser console, JSON lines on a server).
 */
export interface Logger {
  /** Detail that helps while debugging; off by default in a real logger. */
  debug(message: string, ...details: unknown[]): void
  /** Something failed and was handled by going on without it; `error` says what. */
  warn(message: string, error?: unknown): void
  /** A component is now unable to do its work. */
  error(message: string, error?: unknown): void
}

/** Says nothing: the default of every component that was given no logger. */
export const noopLogger: Logger = {
  debug () {},
  warn () {},
  error () {}
}

/** Logs through `console` with a `[name]` prefix; `debug` only when `verbose`. */
export function consoleLogger (name: string, options: { verbose?: boolean } = {}): Logger {
  const prefix = `[${name}]`
  return {
    debug (message, ...details) {
      if (options.verbose === true) console.debug(prefix, message, ...details)
    },
    warn (message, error) {
      console.warn(prefix, message, ...(error === undefined ? [] : [error]))
    },
    error (message, error) {
      console.error(prefix, message, ...(error === undefined ? [] : [error]))
    }
  }
}

/** A rejection handler that reports `err` as a warning with `context`: `promise.catch(warnOn(log, 'publishing the card'))`. */
export function warnOn (logger: Logger, context: string): (err: unknown) => void {
  return (err: unknown) => { logger.warn(context, err) }
}
