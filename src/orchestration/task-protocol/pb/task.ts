import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface EnvEntry {
  name: string
  value: string
}

export namespace EnvEntry {
  let _codec: Codec<EnvEntry>

  export const codec = (): Codec<EnvEntry> => {
    if (_codec == null) {
      _codec = message<EnvEntry>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(10)
          w.string(obj.name)
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
          name: '',
          value: ''
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
                field: `${prefix}.name`,
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

  export interface EnvEntryNameFieldEvent {
    field: '$.name'
    value: string
  }

  export interface EnvEntryValueFieldEvent {
    field: '$.value'
    value: string
  }

  export function encode (obj: Partial<EnvEntry>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, EnvEntry.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EnvEntry>): EnvEntry {
    return decodeMessage(buf, EnvEntry.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EnvEntry>): Generator<EnvEntryNameFieldEvent | EnvEntryValueFieldEvent> {
    return streamMessage(buf, EnvEntry.codec(), opts)
  }
}

export interface TaskFile {
  path: string
  data: Uint8Array<ArrayBuffer>
}

export namespace TaskFile {
  let _codec: Codec<TaskFile>

  export const codec = (): Codec<TaskFile> => {
    if (_codec == null) {
      _codec = message<TaskFile>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.path != null && obj.path !== '')) {
          w.uint32(10)
          w.string(obj.path)
        }

        if ((obj.data != null && obj.data.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.data)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          path: '',
          data: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.path = reader.string()
              break
            }
            case 2: {
              obj.data = reader.bytes()
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
                field: `${prefix}.path`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.data`,
                value: reader.bytes()
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

  export interface TaskFilePathFieldEvent {
    field: '$.path'
    value: string
  }

  export interface TaskFileDataFieldEvent {
    field: '$.data'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<TaskFile>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskFile.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskFile>): TaskFile {
    return decodeMessage(buf, TaskFile.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskFile>): Generator<TaskFilePathFieldEvent | TaskFileDataFieldEvent> {
    return streamMessage(buf, TaskFile.codec(), opts)
  }
}

export interface TaskOffer {
  taskId: string
  moduleHash: Uint8Array<ArrayBuffer>
  moduleSize: number
  stdin: Uint8Array<ArrayBuffer>
  args: string[]
  timeoutMs: number
  memoryLimitBytes: number
  env: EnvEntry[]
  files: TaskFile[]
  seed: Uint8Array<ArrayBuffer>
  fuel: bigint
  maxTotalPrice: bigint
  traceparent?: string
}

export namespace TaskOffer {
  let _codec: Codec<TaskOffer>

  export const codec = (): Codec<TaskOffer> => {
    if (_codec == null) {
      _codec = message<TaskOffer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.taskId != null && obj.taskId !== '')) {
          w.uint32(10)
          w.string(obj.taskId)
        }

        if ((obj.moduleHash != null && obj.moduleHash.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.moduleHash)
        }

        if ((obj.moduleSize != null && obj.moduleSize !== 0)) {
          w.uint32(24)
          w.uint32(obj.moduleSize)
        }

        if ((obj.stdin != null && obj.stdin.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.stdin)
        }

        if (obj.args != null && obj.args.length > 0) {
          for (const value of obj.args) {
            w.uint32(42)
            w.string(value)
          }
        }

        if ((obj.timeoutMs != null && obj.timeoutMs !== 0)) {
          w.uint32(48)
          w.uint32(obj.timeoutMs)
        }

        if ((obj.memoryLimitBytes != null && obj.memoryLimitBytes !== 0)) {
          w.uint32(56)
          w.uint32(obj.memoryLimitBytes)
        }

        if (obj.env != null && obj.env.length > 0) {
          for (const value of obj.env) {
            w.uint32(66)
            EnvEntry.codec().encode(value, w)
          }
        }

        if (obj.files != null && obj.files.length > 0) {
          for (const value of obj.files) {
            w.uint32(74)
            TaskFile.codec().encode(value, w)
          }
        }

        if ((obj.seed != null && obj.seed.byteLength > 0)) {
          w.uint32(82)
          w.bytes(obj.seed)
        }

        if ((obj.fuel != null && obj.fuel !== 0n)) {
          w.uint32(88)
          w.uint64(obj.fuel)
        }

        if ((obj.maxTotalPrice != null && obj.maxTotalPrice !== 0n)) {
          w.uint32(96)
          w.uint64(obj.maxTotalPrice)
        }

        if (obj.traceparent != null) {
          w.uint32(106)
          w.string(obj.traceparent)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          taskId: '',
          moduleHash: uint8ArrayAlloc(0),
          moduleSize: 0,
          stdin: uint8ArrayAlloc(0),
          args: [],
          timeoutMs: 0,
          memoryLimitBytes: 0,
          env: [],
          files: [],
          seed: uint8ArrayAlloc(0),
          fuel: 0n,
          maxTotalPrice: 0n
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.taskId = reader.string()
              break
            }
            case 2: {
              obj.moduleHash = reader.bytes()
              break
            }
            case 3: {
              obj.moduleSize = reader.uint32()
              break
            }
            case 4: {
              obj.stdin = reader.bytes()
              break
            }
            case 5: {
              if (opts.limits?.args != null && obj.args.length === opts.limits.args) {
                throw new MaxLengthError('Decode error - repeated field "args" had too many elements')
              }

              obj.args.push(reader.string())
              break
            }
            case 6: {
              obj.timeoutMs = reader.uint32()
              break
            }
            case 7: {
              obj.memoryLimitBytes = reader.uint32()
              break
            }
            case 8: {
              if (opts.limits?.env != null && obj.env.length === opts.limits.env) {
                throw new MaxLengthError('Decode error - repeated field "env" had too many elements')
              }

              obj.env.push(EnvEntry.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.env$
              }))
              break
            }
            case 9: {
              if (opts.limits?.files != null && obj.files.length === opts.limits.files) {
                throw new MaxLengthError('Decode error - repeated field "files" had too many elements')
              }

              obj.files.push(TaskFile.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.files$
              }))
              break
            }
            case 10: {
              obj.seed = reader.bytes()
              break
            }
            case 11: {
              obj.fuel = reader.uint64()
              break
            }
            case 12: {
              obj.maxTotalPrice = reader.uint64()
              break
            }
            case 13: {
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
          args: 0,
          env: 0,
          files: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.taskId`,
                value: reader.string()
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.moduleHash`,
                value: reader.bytes()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.moduleSize`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.stdin`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              if (opts.limits?.args != null && obj.args === opts.limits.args) {
                throw new MaxLengthError('Streaming decode error - repeated field "args" had too many elements')
              }

              yield {
                field: `${prefix}.args[]`,
                index: obj.args,
                value: reader.string()
              }

              obj.args++

              break
            }
            case 6: {
              yield {
                field: `${prefix}.timeoutMs`,
                value: reader.uint32()
              }
              break
            }
            case 7: {
              yield {
                field: `${prefix}.memoryLimitBytes`,
                value: reader.uint32()
              }
              break
            }
            case 8: {
              if (opts.limits?.env != null && obj.env === opts.limits.env) {
                throw new MaxLengthError('Streaming decode error - repeated field "env" had too many elements')
              }

              for (const evt of EnvEntry.codec().stream(reader, reader.uint32(), `${prefix}.env[]`, {
                limits: opts.limits?.env$
              })) {
                yield {
                  ...evt,
                  index: obj.env
                }
              }

              obj.env++

              break
            }
            case 9: {
              if (opts.limits?.files != null && obj.files === opts.limits.files) {
                throw new MaxLengthError('Streaming decode error - repeated field "files" had too many elements')
              }

              for (const evt of TaskFile.codec().stream(reader, reader.uint32(), `${prefix}.files[]`, {
                limits: opts.limits?.files$
              })) {
                yield {
                  ...evt,
                  index: obj.files
                }
              }

              obj.files++

              break
            }
            case 10: {
              yield {
                field: `${prefix}.seed`,
                value: reader.bytes()
              }
              break
            }
            case 11: {
              yield {
                field: `${prefix}.fuel`,
                value: reader.uint64()
              }
              break
            }
            case 12: {
              yield {
                field: `${prefix}.maxTotalPrice`,
                value: reader.uint64()
              }
              break
            }
            case 13: {
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

  export interface TaskOfferTaskIdFieldEvent {
    field: '$.taskId'
    value: string
  }

  export interface TaskOfferModuleHashFieldEvent {
    field: '$.moduleHash'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskOfferModuleSizeFieldEvent {
    field: '$.moduleSize'
    value: number
  }

  export interface TaskOfferStdinFieldEvent {
    field: '$.stdin'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskOfferArgsFieldEvent {
    field: '$.args[]'
    index: number
    value: string
  }

  export interface TaskOfferTimeoutMsFieldEvent {
    field: '$.timeoutMs'
    value: number
  }

  export interface TaskOfferMemoryLimitBytesFieldEvent {
    field: '$.memoryLimitBytes'
    value: number
  }

  export interface TaskOfferEnvNameFieldEvent {
    field: '$.env[].name'
    value: string
    index: number
  }

  export interface TaskOfferEnvValueFieldEvent {
    field: '$.env[].value'
    value: string
    index: number
  }

  export interface TaskOfferFilesPathFieldEvent {
    field: '$.files[].path'
    value: string
    index: number
  }

  export interface TaskOfferFilesDataFieldEvent {
    field: '$.files[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface TaskOfferSeedFieldEvent {
    field: '$.seed'
    value: Uint8Array<ArrayBuffer>
  }

  export interface TaskOfferFuelFieldEvent {
    field: '$.fuel'
    value: bigint
  }

  export interface TaskOfferMaxTotalPriceFieldEvent {
    field: '$.maxTotalPrice'
    value: bigint
  }

  export interface TaskOfferTraceparentFieldEvent {
    field: '$.traceparent'
    value: string
  }

  export function encode (obj: Partial<TaskOffer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskOffer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskOffer>): TaskOffer {
    return decodeMessage(buf, TaskOffer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskOffer>): Generator<TaskOfferTaskIdFieldEvent | TaskOfferModuleHashFieldEvent | TaskOfferModuleSizeFieldEvent | TaskOfferStdinFieldEvent | TaskOfferArgsFieldEvent | TaskOfferTimeoutMsFieldEvent | TaskOfferMemoryLimitBytesFieldEvent | TaskOfferEnvNameFieldEvent | TaskOfferEnvValueFieldEvent | TaskOfferFilesPathFieldEvent | TaskOfferFilesDataFieldEvent | TaskOfferSeedFieldEvent | TaskOfferFuelFieldEvent | TaskOfferMaxTotalPriceFieldEvent | TaskOfferTraceparentFieldEvent> {
    return streamMessage(buf, TaskOffer.codec(), opts)
  }
}

export interface ModuleTransfer {
  module: Uint8Array<ArrayBuffer>
}

export namespace ModuleTransfer {
  let _codec: Codec<ModuleTransfer>

  export const codec = (): Codec<ModuleTransfer> => {
    if (_codec == null) {
      _codec = message<ModuleTransfer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.module != null && obj.module.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.module)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          module: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.module = reader.bytes()
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
                field: `${prefix}.module`,
                value: reader.bytes()
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

  export interface ModuleTransferModuleFieldEvent {
    field: '$.module'
    value: Uint8Array<ArrayBuffer>
  }

  export function encode (obj: Partial<ModuleTransfer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ModuleTransfer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModuleTransfer>): ModuleTransfer {
    return decodeMessage(buf, ModuleTransfer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ModuleTransfer>): Generator<ModuleTransferModuleFieldEvent> {
    return streamMessage(buf, ModuleTransfer.codec(), opts)
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

export interface ExecutorMessage {
  type: ExecutorMessage.Type
  startedAt?: bigint
  elapsedMs?: number
  stdout?: Uint8Array<ArrayBuffer>
  stderr?: Uint8Array<ArrayBuffer>
  files: TaskFile[]
  receipt?: string
  errorName?: string
  errorMessage?: string
  spans: Span[]
}

export namespace ExecutorMessage {
  export enum Type {
    NEED_MODULE = 'NEED_MODULE',
    ACCEPTED = 'ACCEPTED',
    STARTED = 'STARTED',
    HEARTBEAT = 'HEARTBEAT',
    RESULT = 'RESULT',
    FAILURE = 'FAILURE'
  }

  enum __TypeValues {
    NEED_MODULE = 0,
    ACCEPTED = 1,
    STARTED = 2,
    HEARTBEAT = 3,
    RESULT = 4,
    FAILURE = 5
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<ExecutorMessage>

  export const codec = (): Codec<ExecutorMessage> => {
    if (_codec == null) {
      _codec = message<ExecutorMessage>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          ExecutorMessage.Type.codec().encode(obj.type, w)
        }

        if (obj.startedAt != null) {
          w.uint32(16)
          w.uint64(obj.startedAt)
        }

        if (obj.elapsedMs != null) {
          w.uint32(24)
          w.uint32(obj.elapsedMs)
        }

        if (obj.stdout != null) {
          w.uint32(34)
          w.bytes(obj.stdout)
        }

        if (obj.stderr != null) {
          w.uint32(42)
          w.bytes(obj.stderr)
        }

        if (obj.files != null && obj.files.length > 0) {
          for (const value of obj.files) {
            w.uint32(82)
            TaskFile.codec().encode(value, w)
          }
        }

        if (obj.receipt != null) {
          w.uint32(58)
          w.string(obj.receipt)
        }

        if (obj.errorName != null) {
          w.uint32(66)
          w.string(obj.errorName)
        }

        if (obj.errorMessage != null) {
          w.uint32(74)
          w.string(obj.errorMessage)
        }

        if (obj.spans != null && obj.spans.length > 0) {
          for (const value of obj.spans) {
            w.uint32(90)
            Span.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.NEED_MODULE,
          files: [],
          spans: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = ExecutorMessage.Type.codec().decode(reader)
              break
            }
            case 2: {
              obj.startedAt = reader.uint64()
              break
            }
            case 3: {
              obj.elapsedMs = reader.uint32()
              break
            }
            case 4: {
              obj.stdout = reader.bytes()
              break
            }
            case 5: {
              obj.stderr = reader.bytes()
              break
            }
            case 10: {
              if (opts.limits?.files != null && obj.files.length === opts.limits.files) {
                throw new MaxLengthError('Decode error - repeated field "files" had too many elements')
              }

              obj.files.push(TaskFile.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.files$
              }))
              break
            }
            case 7: {
              obj.receipt = reader.string()
              break
            }
            case 8: {
              obj.errorName = reader.string()
              break
            }
            case 9: {
              obj.errorMessage = reader.string()
              break
            }
            case 11: {
              if (opts.limits?.spans != null && obj.spans.length === opts.limits.spans) {
                throw new MaxLengthError('Decode error - repeated field "spans" had too many elements')
              }

              obj.spans.push(Span.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.spans$
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
          files: 0,
          spans: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              yield {
                field: `${prefix}.type`,
                value: ExecutorMessage.Type.codec().decode(reader)
              }
              break
            }
            case 2: {
              yield {
                field: `${prefix}.startedAt`,
                value: reader.uint64()
              }
              break
            }
            case 3: {
              yield {
                field: `${prefix}.elapsedMs`,
                value: reader.uint32()
              }
              break
            }
            case 4: {
              yield {
                field: `${prefix}.stdout`,
                value: reader.bytes()
              }
              break
            }
            case 5: {
              yield {
                field: `${prefix}.stderr`,
                value: reader.bytes()
              }
              break
            }
            case 10: {
              if (opts.limits?.files != null && obj.files === opts.limits.files) {
                throw new MaxLengthError('Streaming decode error - repeated field "files" had too many elements')
              }

              for (const evt of TaskFile.codec().stream(reader, reader.uint32(), `${prefix}.files[]`, {
                limits: opts.limits?.files$
              })) {
                yield {
                  ...evt,
                  index: obj.files
                }
              }

              obj.files++

              break
            }
            case 7: {
              yield {
                field: `${prefix}.receipt`,
                value: reader.string()
              }
              break
            }
            case 8: {
              yield {
                field: `${prefix}.errorName`,
                value: reader.string()
              }
              break
            }
            case 9: {
              yield {
                field: `${prefix}.errorMessage`,
                value: reader.string()
              }
              break
            }
            case 11: {
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

  export interface ExecutorMessageTypeFieldEvent {
    field: '$.type'
    value: ExecutorMessage.Type
  }

  export interface ExecutorMessageStartedAtFieldEvent {
    field: '$.startedAt'
    value: bigint
  }

  export interface ExecutorMessageElapsedMsFieldEvent {
    field: '$.elapsedMs'
    value: number
  }

  export interface ExecutorMessageStdoutFieldEvent {
    field: '$.stdout'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ExecutorMessageStderrFieldEvent {
    field: '$.stderr'
    value: Uint8Array<ArrayBuffer>
  }

  export interface ExecutorMessageFilesPathFieldEvent {
    field: '$.files[].path'
    value: string
    index: number
  }

  export interface ExecutorMessageFilesDataFieldEvent {
    field: '$.files[].data'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ExecutorMessageReceiptFieldEvent {
    field: '$.receipt'
    value: string
  }

  export interface ExecutorMessageErrorNameFieldEvent {
    field: '$.errorName'
    value: string
  }

  export interface ExecutorMessageErrorMessageFieldEvent {
    field: '$.errorMessage'
    value: string
  }

  export interface ExecutorMessageSpansNameFieldEvent {
    field: '$.spans[].name'
    value: string
    index: number
  }

  export interface ExecutorMessageSpansSpanIdFieldEvent {
    field: '$.spans[].spanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ExecutorMessageSpansParentSpanIdFieldEvent {
    field: '$.spans[].parentSpanId'
    value: Uint8Array<ArrayBuffer>
    index: number
  }

  export interface ExecutorMessageSpansStartUsFieldEvent {
    field: '$.spans[].startUs'
    value: bigint
    index: number
  }

  export interface ExecutorMessageSpansEndUsFieldEvent {
    field: '$.spans[].endUs'
    value: bigint
    index: number
  }

  export interface ExecutorMessageSpansAttributesKeyFieldEvent {
    field: '$.spans[].attributes[].key'
    value: string
    index: number
  }

  export interface ExecutorMessageSpansAttributesValueFieldEvent {
    field: '$.spans[].attributes[].value'
    value: string
    index: number
  }

  export interface ExecutorMessageSpansErrorFieldEvent {
    field: '$.spans[].error'
    value: string
    index: number
  }

  export function encode (obj: Partial<ExecutorMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ExecutorMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExecutorMessage>): ExecutorMessage {
    return decodeMessage(buf, ExecutorMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExecutorMessage>): Generator<ExecutorMessageTypeFieldEvent | ExecutorMessageStartedAtFieldEvent | ExecutorMessageElapsedMsFieldEvent | ExecutorMessageStdoutFieldEvent | ExecutorMessageStderrFieldEvent | ExecutorMessageFilesPathFieldEvent | ExecutorMessageFilesDataFieldEvent | ExecutorMessageReceiptFieldEvent | ExecutorMessageErrorNameFieldEvent | ExecutorMessageErrorMessageFieldEvent | ExecutorMessageSpansNameFieldEvent | ExecutorMessageSpansSpanIdFieldEvent | ExecutorMessageSpansParentSpanIdFieldEvent | ExecutorMessageSpansStartUsFieldEvent | ExecutorMessageSpansEndUsFieldEvent | ExecutorMessageSpansAttributesKeyFieldEvent | ExecutorMessageSpansAttributesValueFieldEvent | ExecutorMessageSpansErrorFieldEvent> {
    return streamMessage(buf, ExecutorMessage.codec(), opts)
  }
}
