import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface ForwardHeader {
  target: string
  origin: string
  hopsLeft: number
  visited: string[]
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

  export function encode (obj: Partial<ForwardHeader>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ForwardHeader.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardHeader>): ForwardHeader {
    return decodeMessage(buf, ForwardHeader.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ForwardHeader>): Generator<ForwardHeaderTargetFieldEvent | ForwardHeaderOriginFieldEvent | ForwardHeaderHopsLeftFieldEvent | ForwardHeaderVisitedFieldEvent> {
    return streamMessage(buf, ForwardHeader.codec(), opts)
  }
}
