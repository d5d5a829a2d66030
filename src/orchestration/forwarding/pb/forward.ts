import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ForwardHeader {
  target: string
  origin: string
  hopsLeft: number
  visited: string[]
  traceparent?: string
}

export namespace ForwardHeader {
  let _codec: Codec<ForwardHeader>

  export const codec = (): Codec<ForwardHeader> => {
    if (_codec == null) {
      _codec = message<ForwardHeader>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.target != null && obj.target !== '')) {
          w.uint32(10)
          w.string(obj.target)
        }

        if ((obj.origin != null && obj.origin !== '')) {
          w.uint32(18)
          w.string(obj.origin)
        }

        if ((obj.hopsLeft != null && obj.hopsLeft !== 0)) {
          w.uint32(24)
          w.uint32(obj.hopsLeft)
        }

        if (obj.visited != null && obj.visited.length > 0) {
          for (const value of obj.visited) {
            w.uint32(34)
            w.string(value)
          }
        }

        if (obj.traceparent != null) {
          w.uint32(42)
          w.string(obj.traceparent)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          target: '',
          origin: '',
          hopsLeft: 0,
          visited: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.target = reader.string()
              break
            }
            case 2: {
              obj.origin = reader.string()
              break
            }
            case 3: {
              obj.hopsLeft = reader.uint32()
              break
            }
            case 4: {
              if (opts.limits?.visited != null && obj.visited.length === opts.limits.visited) {
                throw new MaxLengthError('Decode error - repeated field "visited" had too many elements')
              }

              obj.visited.push(reader.string())
              break
            }
            case 5: {
              obj.traceparent = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          visited: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.target`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.origin`,
                value: reader.string()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.hopsLeft`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              if (opts.limits?.visited != null && obj.visited === opts.limits.visited) {
                throw new MaxLengthError('Streaming decode error - repeated field "visited" had too many elements')
              }

              yield {
                field: `${prefix}.visited[]`,
                index: obj.visited,
                value: reader.string()
              }

              obj.visited++

              break
            }
            case 5: {
              yield {
                field: `${prefix}.traceparent`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ForwardHeaderTargetFieldEvent {
    field: '$.target'
    value: string
  }

  export interface ForwardHeaderOriginFieldEvent {
    field: '$.origin'
    value: string
  }

  export interface ForwardHeaderHopsLeftFieldEvent {
    field: '$.hopsLeft'
    value: number
  }

  export interface ForwardHeaderVisitedFieldEvent {
    field: '$.visited[]'
    index: number
    value: string
  }

  export interface ForwardHeaderTraceparentFieldEvent {
    field: '$.traceparent'
    value: string
  }

  export function encode (obj: Partial<ForwardHeader>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ForwardHeader.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardHeader>): ForwardHeader {
    return decodeMessage(buf, ForwardHeader.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardHeader>): Generator<ForwardHeaderTargetFieldEvent | ForwardHeaderOriginFieldEvent | ForwardHeaderHopsLeftFieldEvent | ForwardHeaderVisitedFieldEvent | ForwardHeaderTraceparentFieldEvent> {
    return streamMessage(buf, ForwardHeader.codec(), opts)
  }
}

export interface SpanAttribute {
  key: string
  value: string
}

export namespace SpanAttribute {
  let _codec: Codec<SpanAttribute>

  export const codec = (): Codec<SpanAttribute> => {
    if (_codec == null) {
      _codec = message<SpanAttribute>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.key != null && obj.key !== '')) {
          w.uint32(10)
          w.string(obj.key)
        }

        if ((obj.value != null && obj.value !== '')) {
          w.uint32(18)
          w.string(obj.value)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          key: '',
          value: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.key = reader.string()
              break
            }
            case 2: {
              obj.value = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.key`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.value`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SpanAttributeKeyFieldEvent {
    field: '$.key'
    value: string
  }

  export interface SpanAttributeValueFieldEvent {
    field: '$.value'
    value: string
  }

  export function encode (obj: Partial<SpanAttribute>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, SpanAttribute.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SpanAttribute>): SpanAttribute {
    return decodeMessage(buf, SpanAttribute.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SpanAttribute>): Generator<SpanAttributeKeyFieldEvent | SpanAttributeValueFieldEvent> {
    return streamMessage(buf, SpanAttribute.codec(), opts)
  }
}

export interface Span {
  name: string
  spanId: Uint8Array<ArrayBuffer>
  parentSpanId: Uint8Array<ArrayBuffer>
  startUs: bigint
  endUs: bigint
  attributes: SpanAttribute[]
  error?: string
}

export namespace Span {
  let _codec: Codec<Span>

  export const codec = (): Codec<Span> => {
    if (_codec == null) {
      _codec = message<Span>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
        }

        if ((obj.spanId != null && obj.spanId.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.spanId)
        }

        if ((obj.parentSpanId != null && obj.parentSpanId.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.parentSpanId)
        }

        if ((obj.startUs != null && obj.startUs !== 0n)) {
          w.uint32(32)
          w.uint64(obj.startUs)
        }

        if ((obj.endUs != null && obj.endUs !== 0n)) {
          w.uint32(40)
          w.uint64(obj.endUs)
        }

        if (obj.attributes != null && obj.attributes.length > 0) {
          for (const value of obj.attributes) {
            w.uint32(50)
            SpanAttribute.codec().encode(value, w)
          }
        }

        if (obj.error != null) {
          w.uint32(58)
          w.string(obj.error)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          name: '',
          spanId: uint8ArrayAlloc(0),
          parentSpanId: uint8ArrayAlloc(0),
          startUs: 0n,
          endUs: 0n,
          attributes: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.name = reader.string()
              break
            }
            case 2: {
              obj.spanId = reader.bytes()
              break
            }
            case 3: {
              obj.parentSpanId = reader.bytes()
              break
            }
            case 4: {
              obj.startUs = reader.uint64()
              break
            }
            case 5: {
              obj.endUs = reader.uint64()
              break
            }
            case 6: {
              if (opts.limits?.attributes != null && obj.attributes.length === opts.limits.attributes) {
                throw new MaxLengthError('Decode error - repeated field "attributes" had too many elements')
              }

              obj.attributes.push(SpanAttribute.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.attributes$
              }))
              break
            }
            case 7: {
              obj.error = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          attributes: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.name`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.spanId`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.parentSpanId`,
                value: reader.bytes()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.startUs`,
                value: reader.uint64()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.endUs`,
                value: reader.uint64()
              }
              break
            }
            case 6: {
              if (opts.limits?.attributes != null && obj.attributes === opts.limits.attributes) {
                throw new MaxLengthError('Streaming decode error - repeated field "attributes" had too many elements')
              }

              for (const evt of SpanAttribute.codec().stream(reader, reader.uint32(), `${prefix}.attributes[]`, {
                limits: opts.limits?.attributes$
              })) {
                yield {
                  ...evt,
                  index: obj.attributes
                }
              }

              obj.attributes++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.error`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface SpanNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface SpanSpanIdFieldEvent {
    field: '$.spanId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SpanParentSpanIdFieldEvent {
    field: '$.parentSpanId'
    value: Uint8Array<ArrayBuffer>
  }

  export interface SpanStartUsFieldEvent {
    field: '$.startUs'
    value: bigint
  }

  export interface SpanEndUsFieldEvent {
    field: '$.endUs'
    value: bigint
  }

  export interface SpanAttributesKeyFieldEvent {
    field: '$.attributes[].key'
    value: string
    index: number
  }

  export interface SpanAttributesValueFieldEvent {
    field: '$.attributes[].value'
    value: string
    index: number
  }

  export interface SpanErrorFieldEvent {
    field: '$.error'
    value: string
  }

  export function encode (obj: Partial<Span>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Span.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Span>): Span {
    return decodeMessage(buf, Span.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Span>): Generator<SpanNameFieldEvent | SpanSpanIdFieldEvent | SpanParentSpanIdFieldEvent | SpanStartUsFieldEvent | SpanEndUsFieldEvent | SpanAttributesKeyFieldEvent | SpanAttributesValueFieldEvent | SpanErrorFieldEvent> {
    return streamMessage(buf, Span.codec(), opts)
  }
}

export interface ForwardTrailer {
  spans: Span[]
  peer: string
}

export namespace ForwardTrailer {
  let _codec: Codec<ForwardTrailer>

  export const codec = (): Codec<ForwardTrailer> => {
    if (_codec == null) {
      _codec = message<ForwardTrailer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.spans != null && obj.spans.length > 0) {
          for (const value of obj.spans) {
            w.uint32(10)
            Span.codec().encode(value, w)
          }
        }

        if ((obj.peer != null && obj.peer !== '')) {
          w.uint32(18)
          w.string(obj.peer)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          spans: [],
          peer: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.spans != null && obj.spans.length === opts.limits.spans) {
                throw new MaxLengthError('Decode error - repeated field "spans" had too many elements')
              }

              obj.spans.push(Span.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.spans$
              }))
              break
            }
            case 2: {
              obj.peer = reader.string()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          spans: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.spans != null && obj.spans === opts.limits.spans) {
                throw new MaxLengthError('Streaming decode error - repeated field "spans" had too many elements')
              }

              for (const evt of Span.codec().stream(reader, reader.uint32(), `${prefix}.spans[]`, {
                limits: opts.limits?.spans$
              })) {
                yield {
                  ...evt,
                  index: obj.spans
                }
              }

              obj.spans++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.peer`,
                value: reader.string()
              }
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }
      })
    }

    return _codec
  }

  export interface ForwardTrailerSpansNameFieldEvent {
    field: '$.spans[].name'
    value: string
    index: number
  }

  export interface ForwardTrailerSpansSpanIdFieldEvent {
    field: '$.spans[].spanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ForwardTrailerSpansParentSpanIdFieldEvent {
    field: '$.spans[].parentSpanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ForwardTrailerSpansStartUsFieldEvent {
    field: '$.spans[].startUs'
    value: bigint
    index: number
  }

  export interface ForwardTrailerSpansEndUsFieldEvent {
    field: '$.spans[].endUs'
    value: bigint
    index: number
  }

  export interface ForwardTrailerSpansAttributesKeyFieldEvent {
    field: '$.spans[].attributes[].key'
    value: string
    index: number
  }

  export interface ForwardTrailerSpansAttributesValueFieldEvent {
    field: '$.spans[].attributes[].value'
    value: string
    index: number
  }

  export interface ForwardTrailerSpansErrorFieldEvent {
    field: '$.spans[].error'
    value: string
    index: number
  }

  export interface ForwardTrailerPeerFieldEvent {
    field: '$.peer'
    value: string
  }

  export function encode (obj: Partial<ForwardTrailer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ForwardTrailer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardTrailer>): ForwardTrailer {
    return decodeMessage(buf, ForwardTrailer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardTrailer>): Generator<ForwardTrailerSpansNameFieldEvent | ForwardTrailerSpansSpanIdFieldEvent | ForwardTrailerSpansParentSpanIdFieldEvent | ForwardTrailerSpansStartUsFieldEvent | ForwardTrailerSpansEndUsFieldEvent | ForwardTrailerSpansAttributesKeyFieldEvent | ForwardTrailerSpansAttributesValueFieldEvent | ForwardTrailerSpansErrorFieldEvent | ForwardTrailerPeerFieldEvent> {
    return streamMessage(buf, ForwardTrailer.codec(), opts)
  }
}
