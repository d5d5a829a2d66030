/** Protocol id and limits of /zerostate/echo/1.0.0. */

/** Round-trip measurement: length-prefixed messages echoed back until the stream closes. */
export const ECHO_PROTOCOL = '/zerostate/echo/1.0.0'

/** The largest message echoed. */
export const MAX_ECHO_BYTES = 64 * 1024

/** A silent echo stream is closed after this long. */
export const ECHO_TIMEOUT_MS = 10_000

/** Echo streams served at once over all connections. */
export const MAX_INBOUND_ECHO_STREAMS = 16
