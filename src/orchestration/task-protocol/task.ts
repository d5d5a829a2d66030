import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface TaskOffer {
  taskId: string
  moduleHash: Uint8Array<ArrayBuffer>
  moduleSize: number
  stdin: Uint8Array<ArrayBuffer>
  args: string[]
  timeoutMs: number
  memoryLimitBytes: number
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
          memoryLimitBytes: 0
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
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      }, function * (reader, length, prefix, opts = {}) {
        const obj = {
          args: 0
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

  export function encode (obj: Partial<TaskOffer>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, TaskOffer.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskOffer>): TaskOffer {
    return decodeMessage(buf, TaskOffer.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TaskOffer>): Generator<TaskOfferTaskIdFieldEvent | TaskOfferModuleHashFieldEvent | TaskOfferModuleSizeFieldEvent | TaskOfferStdinFieldEvent | TaskOfferArgsFieldEvent | TaskOfferTimeoutMsFieldEvent | TaskOfferMemoryLimitBytesFieldEvent> {
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

export interface ExecutorMessage {
  type: ExecutorMessage.Type
  startedAt?: bigint
  elapsedMs?: number
  stdout?: Uint8Array<ArrayBuffer>
  stderr?: Uint8Array<ArrayBuffer>
  exitCode?: number
  receipt?: string
  errorName?: string
  errorMessage?: string
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

        if (obj.exitCode != null) {
          w.uint32(48)
          w.sint32(obj.exitCode)
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

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.NEED_MODULE
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
            case 6: {
              obj.exitCode = reader.sint32()
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
            case 6: {
              yield {
                field: `${prefix}.exitCode`,
                value: reader.sint32()
              }
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

  export interface ExecutorMessageExitCodeFieldEvent {
    field: '$.exitCode'
    value: number
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

  export function encode (obj: Partial<ExecutorMessage>): Uint8Array<ArrayBuffer> {
    return encodeMessage(obj, ExecutorMessage.codec())
  }

  export function decode (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExecutorMessage>): ExecutorMessage {
    return decodeMessage(buf, ExecutorMessage.codec(), opts)
  }

  export function stream (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ExecutorMessage>): Generator<ExecutorMessageTypeFieldEvent | ExecutorMessageStartedAtFieldEvent | ExecutorMessageElapsedMsFieldEvent | ExecutorMessageStdoutFieldEvent | ExecutorMessageStderrFieldEvent | ExecutorMessageExitCodeFieldEvent | ExecutorMessageReceiptFieldEvent | ExecutorMessageErrorNameFieldEvent | ExecutorMessageErrorMessageFieldEvent> {
    return streamMessage(buf, ExecutorMessage.codec(), opts)
  }
}
