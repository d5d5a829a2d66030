/**
 * The Node side's Logger (src/server/json-logger.ts): JSON lines with level,
 * ISO time, component and message; errors with their name, message, stack and
 * cause; lines below the level are not written; text lines for a terminal;
 * and the settings read from ZEROSTATE_LOG_LEVEL, --log-format and the TTY.
 */
import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { nameError } from '../../../src/core/index.ts'
import { LogSettingError, logSettings, structuredLogger } from '../../../src/server/json-logger.ts'
import type { LogLevel } from '../../../src/server/json-logger.ts'

class RelayRefusedError extends Error {
  static { nameError(this, 'RelayRefusedError') }
  readonly code = 'E_REFUSED'
}

interface Line {
  level: string
  time: string
  pid: number
  component: string
  msg: string
  err?: { name: string, type: string, message: string, stack: string, code?: string }
  details?: unknown[]
}

/** A JSON logger at `level` whose lines are kept, parsed. */
function capture (level: LogLevel, component = 'relay'): { lines: Line[], logger: ReturnType<typeof structuredLogger> } {
  const lines: Line[] = []
  const logger = structuredLogger(component, { level, format: 'json', destination: { write: (chunk: string) => { lines.push(JSON.parse(chunk) as Line) } } })
  return { lines, logger }
}

describe('structuredLogger, JSON lines', () => {
  it('writes one JSON object a line with level, ISO time, pid, component and message', () => {
    const { lines, logger } = capture('debug')
    logger.info('relay listening')
    expect(lines).toHaveLength(1)
    const [line] = lines as [Line]
    expect(line).toMatchObject({ level: 'info', pid: process.pid, component: 'relay', msg: 'relay listening' })
    expect(new Date(line.time).toISOString()).toBe(line.time)
  })

  it('writes only lines at or above its level', () => {
    const levels: LogLevel[] = ['debug', 'info', 'warn', 'error']
    for (const [rank, level] of levels.entries()) {
      const { lines, logger } = capture(level)
      logger.debug('d')
      logger.info('i')
      logger.warn('w')
      logger.error('e')
      expect(lines.map(line => line.level), level).toEqual(levels.slice(rank))
    }
  })

  it('serialises an error with its name, message, stack, fields and cause', () => {
    const { lines, logger } = capture('warn')
    const cause = new TypeError('socket closed')
    const err = new RelayRefusedError('the relay refused the reservation', { cause })
    logger.warn('reserving a slot failed', err)
    const [line] = lines as [Line]
    expect(line.level).toBe('warn')
    expect(line.msg).toBe('reserving a slot failed')
    expect(line.err).toMatchObject({ name: 'RelayRefusedError', code: 'E_REFUSED' })
    expect(line.err?.message).toContain('the relay refused the reservation')
    expect(line.err?.message).toContain('socket closed')
    expect(line.err?.stack).toMatch(/^RelayRefusedError: the relay refused the reservation\n\s+at /)
    expect(line.err?.stack).toContain('caused by: TypeError: socket closed')
  })

  it('keeps what is not an error as details, and a debug line\'s extra arguments', () => {
    const { lines, logger } = capture('debug')
    logger.error('checking a message failed', 'not an Error')
    logger.debug('dropped', { topic: '/zerostate/presence/1.0.0' }, new Error('bad frame'))
    expect(lines[0]).toMatchObject({ level: 'error', details: ['not an Error'] })
    expect(lines[0]?.err).toBeUndefined()
    expect(lines[1]).toMatchObject({ level: 'debug', details: [{ topic: '/zerostate/presence/1.0.0' }], err: { name: 'Error', message: 'bad frame' } })
  })

  it('tags a child\'s lines with its own component, once', () => {
    const chunks: string[] = []
    const logger = structuredLogger('serve', { level: 'info', format: 'json', destination: { write: (chunk: string) => { chunks.push(chunk) } } })
    logger.child('relay').warn('a relay line')
    expect(JSON.parse(chunks[0] as string)).toMatchObject({ component: 'relay', msg: 'a relay line' })
    expect(chunks[0]?.match(/"component"/g)).toHaveLength(1)
  })
})

describe('structuredLogger, text lines', () => {
  it('writes a line a person reads: time, level, [component] message, then the error', async () => {
    let text = ''
    const destination = new Writable({ write (chunk: Buffer, _encoding, done) { text += chunk.toString('utf8'); done() } })
    const logger = structuredLogger('contribute', { level: 'info', format: 'text', colorize: false, destination })
    logger.debug('not shown')
    logger.warn('keeping a receipt failed', new RelayRefusedError('disk full'))
    for (let i = 0; i < 100 && !text.includes('disk full'); i++) await new Promise(resolve => setTimeout(resolve, 10))
    const [first] = text.split('\n')
    expect(first).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] WARN: \[contribute\] keeping a receipt failed$/)
    expect(text).toContain('RelayRefusedError: disk full')
    expect(text).not.toContain('not shown')
    expect(text).not.toContain('{"level"')
  })
})

describe('logSettings', () => {
  it('is text on a terminal and JSON elsewhere, at level info, unless told otherwise', () => {
    expect(logSettings({ env: {}, tty: true })).toEqual({ level: 'info', format: 'text', colorize: true })
    expect(logSettings({ env: {}, tty: false })).toEqual({ level: 'info', format: 'json', colorize: false })
    expect(logSettings({ env: { NO_COLOR: '1' }, tty: true }).colorize).toBe(false)
    expect(logSettings({ env: { ZEROSTATE_LOG_LEVEL: 'debug', ZEROSTATE_LOG_FORMAT: 'json' }, tty: true })).toEqual({ level: 'debug', format: 'json', colorize: false })
    // The flag wins over the environment.
    expect(logSettings({ env: { ZEROSTATE_LOG_FORMAT: 'json' }, format: 'text', tty: false }).format).toBe('text')
  })

  it('refuses a level or format that does not exist, naming the setting', () => {
    const refused = (options: Parameters<typeof logSettings>[0]): Error => {
      try {
        logSettings(options)
      } catch (err) {
        return err as Error
      }
      throw new Error('expected a LogSettingError')
    }
    const level = refused({ env: { ZEROSTATE_LOG_LEVEL: 'verbose' }, tty: false })
    expect(level.name).toBe(LogSettingError.name)
    expect(level.message).toContain('ZEROSTATE_LOG_LEVEL')
    const format = refused({ env: {}, format: 'yaml', tty: false })
    expect(format.name).toBe(LogSettingError.name)
    expect(format.message).toContain('--log-format')
  })
})
