import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface Estimates {
  entries: Estimates.Entry[]
}

export namespace Estimates {
  export interface Entry {
    dest: string
    ms: number
  }

  export namespace Entry {
    let _codec: Codec<Entry>

    export const codec = (): Codec<Entry> => {
      if (_codec == null) {
        _codec = message<Entry>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.dest != null && obj.dest !== '')) {
            w.uint32(10)
            w.string(obj.dest)
          }

          if ((obj.ms != null && obj.ms !== 0)) {
            w.uint32(17)
            w.double(obj.ms)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            dest: '',
            ms: 0
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.dest = reader.string()
                break
              }
              case 2: {
                obj.ms = reader.double()
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
                  field: `${prefix}.dest`,
                  value: reader.string()
                }
                break
              }
              case 2: {
                yield {
                  field: `${prefix}.ms`,
                  value: reader.double()
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

    export interface EntryDestFieldEvent {
      field: '$.dest'
      value: string
    }

    export interface EntryMsFieldEvent {
      field: '$.ms'
      value: number
    }

    export function encode (obj: Partial<Entry>): Uint8Array<ArrayBuffer> {
      return encodeMessage(obj, Entry.codec())
    }

    export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Entry {
      return decodeMessage(buf, Entry.codec(), opts)
    }

    export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Entry>): Generator<EntryDestFieldEvent | EntryMsFieldEvent> {
      return streamMessage(buf, Entry.codec(), opts)
    }
  }

  let _codec: Codec<Estimates>

  export const codec = (): Codec<Estimates> => {
    if (_codec == null) {
      _codec = message<Estimates>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.entries != null && obj.entries.length > 0) {
          for (const value of obj.entries) {
            w.uint32(10)
            Estimates.Entry.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements')
              }

              obj.entries.push(Estimates.Entry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
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
          entries: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements')
              }

              for (const evt of Estimates.Entry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                limits: opts.limits?.entries$
              })) {
                yield {
                  ...evt,
                  index: obj.entries
                }
              }

              obj.entries++

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

  export interface EstimatesEntriesDestFieldEvent {
    field: '$.entries[].dest'
    value: string
    index: number
  }

  export interface EstimatesEntriesMsFieldEvent {
    field: '$.entries[].ms'
    value: number
    index: number
  }

  export function encode (obj: Partial<Estimates>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, Estimates.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Estimates>): Estimates {
    return decodeMessage(buf, Estimates.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Estimates>): Generator<EstimatesEntriesDestFieldEvent | EstimatesEntriesMsFieldEvent> {
    return streamMessage(buf, Estimates.codec(), opts)
  }
}
