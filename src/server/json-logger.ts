/**
 * The Logger port (core/logger.ts) on the Node side: structured log lines
 * with levels through pino, for `zerostate serve`, `relay` and `contribute`
 * (docs/metrics.md, "Logs"). The browser keeps `consoleLogger`.
 *
 * JSON lines (the default when stderr is not a terminal) carry `level`
 * (`debug`, `info`, `warn`, `error`), `time` (ISO 8601, UTC), `pid`,
 * `component` (`relay`, `serve`, `contribute`…), `msg`, and for a failure
 * `err`: its `name`, `message` and `stack` (pino's standard serializer: the
 * `cause` chain folded into both, enumerable fields such as `code` kept).
 * Text lines (pino-pretty, the default on a terminal) are for a person.
 *
 * @example
 * ```ts
 * const settings = logSettings({ env: process.env, format: values['log-format'], tty: process.stderr.isTTY })
 * const logger = structuredLogger('relay', settings)
 * logger.warn('publishing the card failed', err)
 * ```
 */
import { pino } from 'pino'
import type { DestinationStream, Logger as PinoLogger } from 'pino'
import PinoPretty from 'pino-pretty'
import { nameError } from '../core/index.ts'
import type { Logger } from '../core/index.ts'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type LogFormat = 'json' | 'text'

export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error']
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text']

/**
 * `info` by default: the port's components log only what went wrong (`warn`,
 * `error`) or detail (`debug`); `info` adds the processes' own lifecycle lines
 * (listening, stopping), which an operator wants in a service's journal.
 */
export const DEFAULT_LOG_LEVEL: LogLevel = 'info'

/** The environment variable naming the level. */
export const LOG_LEVEL_ENV = 'ZEROSTATE_LOG_LEVEL'
/** The environment variable naming the format (the `--log-format` flag wins). */
export const LOG_FORMAT_ENV = 'ZEROSTATE_LOG_FORMAT'

/** Thrown when ZEROSTATE_LOG_LEVEL, ZEROSTATE_LOG_FORMAT or `--log-format` names a level or format that does not exist. */
export class LogSettingError extends RangeError {
  static { nameError(this, 'LogSettingError') }
}

export interface LogSettings {
  level: LogLevel
  format: LogFormat
  /** Colour in text lines (a terminal without NO_COLOR). */
  colorize: boolean
}

/**
 * The settings of a command: the level from ZEROSTATE_LOG_LEVEL (default
 * DEFAULT_LOG_LEVEL); the format from `--log-format`, else ZEROSTATE_LOG_FORMAT,
 * else `text` on a terminal and `json` elsewhere (a service manager, a pipe, a
 * container: where lines are collected and parsed). Throws LogSettingError.
 */
export function logSettings (options: { env: Record<string, string | undefined>, format?: string, tty: boolean }): LogSettings {
  const level = options.env[LOG_LEVEL_ENV] ?? DEFAULT_LOG_LEVEL
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new LogSettingError(`${LOG_LEVEL_ENV} must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`)
  }
  const format = options.format ?? options.env[LOG_FORMAT_ENV] ?? (options.tty ? 'text' : 'json')
  if (!(LOG_FORMATS as readonly string[]).includes(format)) {
    throw new LogSettingError(`--log-format (or ${LOG_FORMAT_ENV}) must be one of ${LOG_FORMATS.join(', ')}, got "${format}"`)
  }
  const noColor = options.env.NO_COLOR !== undefined && options.env.NO_COLOR !== ''
  return { level: level as LogLevel, format: format as LogFormat, colorize: options.tty && !noColor && format === 'text' }
}

export interface StructuredLoggerInit extends Partial<LogSettings> {
  /** Where lines go; default stderr, written synchronously so that nothing is lost when the process exits. */
  destination?: NodeJS.WritableStream | DestinationStream
}

/** The Logger port plus what a process logs of its own: `info` lines, and a child per component. */
export interface StructuredLogger extends Logger {
  info(message: string, ...details: unknown[]): void
  /** The same destination and level, lines tagged with `component`. */
  child(component: string): StructuredLogger
}

/** A failure as pino's standard serializer gives it, with the class's own `name` (core/errors.ts nameError) beside `type`. */
function serializeError (value: unknown): Record<string, unknown> {
  if (!(value instanceof Error)) return { message: String(value) }
  return { ...pino.stdSerializers.err(value), name: value.name }
}

/** The fields a call's extra arguments become: the first Error is `err`, anything else is kept under `details`. */
function fields (details: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const rest: unknown[] = []
  for (const detail of details) {
    if (detail === undefined) continue
    if (detail instanceof Error && out.err === undefined) out.err = detail
    else rest.push(detail instanceof Error ? serializeError(detail) : detail)
  }
  if (rest.length > 0) out.details = rest
  return out
}

/** A Logger over `root` for `component`; its children are made from `root`, so that a line names one component, not a chain. */
function wrap (root: PinoLogger, component: string): StructuredLogger {
  const log = root.child({ component })
  const at = (level: LogLevel) => (message: string, ...details: unknown[]): void => {
    if (!log.isLevelEnabled(level)) return
    log[level](fields(details), message)
  }
  return {
    debug: at('debug'),
    info: at('info'),
    warn: (message, error) => { at('warn')(message, error) },
    error: (message, error) => { at('error')(message, error) },
    child: name => wrap(root, name)
  }
}

/** A Logger for `component` writing JSON or text lines at or above `level` (docs/metrics.md, "Logs"). */
export function structuredLogger (component: string, init: StructuredLoggerInit = {}): StructuredLogger {
  const level = init.level ?? DEFAULT_LOG_LEVEL
  const format = init.format ?? 'json'
  const options = {
    level,
    base: { pid: process.pid },
    serializers: { err: serializeError }
  }
  const log = format === 'json'
    ? pino({
      ...options,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label: string) => ({ level: label }) }
    }, init.destination ?? pino.destination({ dest: 2, sync: true }))
    : pino(options, PinoPretty({
      destination: init.destination ?? 2,
      sync: true,
      colorize: init.colorize ?? false,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,component',
      messageFormat: '[{component}] {msg}'
    }))
  return wrap(log, component)
}
