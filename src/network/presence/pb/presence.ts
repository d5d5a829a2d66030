import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface PresenceAnnouncement {
  multiaddrs: Uint8Array<ArrayBuffer>[]
  contributing: boolean
  slots: number
  sentAt: bigint
}

export namespace PresenceAnnouncement {
  let _codec: Codec<PresenceAnnouncement>

  export const codec = (): Codec<PresenceAnnouncement> => {
    if (_codec == null) {
      _codec = message<PresenceAnnouncement>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.multiaddrs != null && obj.multiaddrs.length > 0) {
          for (const value of obj.multiaddrs) {
            w.uint32(10)
            w.bytes(value)
          }
        }

        if ((obj.contributing != null && obj.contributing !== false)) {
          w.uint32(16)
          w.bool(obj.contributing)
        }

        if ((obj.slots != null && obj.slots !== 0)) {
          w.uint32(24)
          w.uint32(obj.slots)
        }

        if ((obj.sentAt != null && obj.sentAt !== 0n)) {
          w.uint32(32)
          w.uint64(obj.sentAt)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          multiaddrs: [],
          contributing: false,
          slots: 0,
          sentAt: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs.length === opts.limits.multiaddrs) {
                throw new MaxLengthError('Decode error - repeated field "multiaddrs" had too many elements')
              }

              obj.multiaddrs.push(reader.bytes())
              break
            }
            case 2: {
              obj.contributing = reader.bool()
              break
            }
            case 3: {
              obj.slots = reader.uint32()
              break
            }
            case 4: {
              obj.sentAt = reader.uint64()
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
          multiaddrs: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.multiaddrs != null && obj.multiaddrs === opts.limits.multiaddrs) {
                throw new MaxLengthError('Streaming decode error - repeated field "multiaddrs" had too many elements')
              }

              yield {
                field: `${prefix}.multiaddrs[]`,
                index: obj.multiaddrs,
                value: reader.bytes()
              }

              obj.multiaddrs++

              break
            }
            case 2: {
              yield {
                field: `${prefix}.contributing`,
                value: reader.bool()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.slots`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.sentAt`,
                value: reader.uint64()
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

  export interface PresenceAnnouncementMultiaddrsFieldEvent {
    field: '$.multiaddrs[]'
    index: number
    value: Uint8Array<ArrayBuffer>
  }

  export interface PresenceAnnouncementContributingFieldEvent {
    field: '$.contributing'
    value: boolean
  }

  export interface PresenceAnnouncementSlotsFieldEvent {
    field: '$.slots'
    value: number
  }

  export interface PresenceAnnouncementSentAtFieldEvent {
    field: '$.sentAt'
    value: bigint
  }

  export function encode (obj: Partial<PresenceAnnouncement>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, PresenceAnnouncement.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceAnnouncement>): PresenceAnnouncement {
    return decodeMessage(buf, PresenceAnnouncement.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PresenceAnnouncement>): Generator<PresenceAnnouncementMultiaddrsFieldEvent | PresenceAnnouncementContributingFieldEvent | PresenceAnnouncementSlotsFieldEvent | PresenceAnnouncementSentAtFieldEvent> {
    return streamMessage(buf, PresenceAnnouncement.codec(), opts)
  }
}
