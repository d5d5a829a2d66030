/**
 * Foundations shared by every layer: byte encodings, SHA-256
 * and RFC 8785 canonical JSON, a per-key lock, a seeded PRNG, and the Logger
 * and Metrics ports. No I/O, no clock, no randomness that was not seeded.
 */
export {
  InvalidBase64UrlError, InvalidHexError, InvalidUtf8Error,
  base64UrlToBytes, bytesToBase64Url, bytesToHex, bytesToUtf8, hexToBytes, isWellFormedString, utf8ToBytes
} from './encoding.ts'
export { assertBytes } from './bytes.ts'
export { nameError } from './errors.ts'
export type { ErrorClass } from './errors.ts'
export { ModuleHashMismatchError, assertSha256Hex, isSha256Hex, sha256Hex, sha256HexAsync } from './hash.ts'
export { CircularJsonError, LoneSurrogateError, NonFiniteNumberError, UnsupportedJsonValueError, canonicalize } from './canonical-json.ts'
export { KeyedLock } from './keyed-lock.ts'
export { mulberry32 } from './mulberry32.ts'
export { sleep, withTimeout } from './abort.ts'
export { Debounced } from './debounce.ts'
export { consoleLogger, noopLogger, warnOn } from './logger.ts'
export type { Logger } from './logger.ts'
export { InvalidMetricError, LATENCY_BUCKETS_SECONDS, checkMetricOptions, checkMetricValue, noopMetrics, seriesKey } from './metrics.ts'
export type { Counter, Gauge, Histogram, HistogramOptions, MetricLabels, MetricOptions, Metrics } from './metrics.ts'
