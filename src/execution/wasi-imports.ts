/**
 * The `wasi_snapshot_preview1` import object for one run, written for the
 * sandbox: args and environment exactly as the task gave them, the task's
 * deterministic clock and entropy, stdio over memory, the in-memory file
 * system (wasi/), file growth held to the quota, and `errno` answers for the
 * calls that have nothing to act on here (sockets). Any other preview1
 * function a module imports is a stub that ends the run.
 *
 * Layouts and errno values follow WASI preview1
 * (WebAssembly/WASI, legacy/preview1/docs.md).
 */
import { PROVIDED_WASI_FUNCTIONS, WASI_MODULE } from './constants.ts'
import { TaskTimeoutError, UnsupportedWasiCallError } from './errors.ts'
import { moduleInterface } from './module-check.ts'
import type { SeededRandom } from './seeded-random.ts'
import { CLOCK_MONOTONIC, CLOCK_REALTIME, VirtualClock } from './virtual-clock.ts'
import { Errno } from './wasi/abi.ts'
import { FileDescriptor, StdinDescriptor } from './wasi/descriptors.ts'
import type { DescriptorTable } from './wasi/descriptors.ts'
import { fdFunctions } from './wasi/fd-functions.ts'
import type { FileTreeContext } from './wasi/file-tree.ts'
import { GuestMemory } from './wasi/guest-memory.ts'
import { pathFunctions } from './wasi/path-functions.ts'
import type { WorkQuota } from './work-directory.ts'

type WasiFunction = (...args: any[]) => unknown

const ERRNO_SUCCESS = Errno.SUCCESS
const ERRNO_BADF = Errno.BADF
const ERRNO_INVAL = Errno.INVAL

const EVENTTYPE_CLOCK = 0
const EVENTTYPE_FD_READ = 1
const EVENTTYPE_FD_WRITE = 2
const SUBCLOCKFLAGS_ABSTIME = 1
const SUBSCRIPTION_BYTES = 48
const EVENT_BYTES = 32

/** Thrown by `proc_exit` to unwind the module; the runner reads `code`. */
export class ProcExit extends Error {
  readonly code: number

  constructor (code: number) {
    super(`exit with code ${code}`)
    this.code = code
  }
}

export interface WasiImportsContext {
  /** The instance's memory, once instantiated. */
  memory(): WebAssembly.Memory
  /** argv as the module will see it. */
  args: string[]
  /** The environment, as NAME=VALUE strings. */
  env: string[]
  fds: DescriptorTable
  tree: FileTreeContext
  clock: VirtualClock
  random: SeededRandom
  quota: WorkQuota
  /** `performance.now()` past which any WASI call ends the run with `TaskTimeoutError`. */
  deadline: number
  /** Runs first at every call of a function the sandbox provides (the runner reports memory growth there). */
  onCall?(): void
}

const utf8 = new TextEncoder()

/**
 * One function per `wasi_snapshot_preview1` function the module imports.
 * Each first checks the deadline, so a task that keeps calling WASI cannot
 * outlive its limit even where nobody terminates the thread.
 */
export function linkWasiImports (module: WebAssembly.Module, context: WasiImportsContext): Record<string, WasiFunction> {
  const provided = providedFunctions(context)
  const linked: Record<string, WasiFunction> = {}
  for (const { module: from, name, kind } of moduleInterface(module).imports) {
    if (from !== WASI_MODULE || kind !== 'function') continue
    const fn = PROVIDED_WASI_FUNCTIONS.has(name) ? provided[name] : undefined
    linked[name] = fn === undefined
      ? () => { throw new UnsupportedWasiCallError(`Task called ${WASI_MODULE}.${name}, which the sandbox does not provide`, name) }
      : (...callArgs: unknown[]) => {
          context.onCall?.()
          if (performance.now() > context.deadline) throw new TaskTimeoutError('Task ran past its time limit')
          return fn(...callArgs)
        }
  }
  return linked
}

function providedFunctions (context: WasiImportsContext): Record<string, WasiFunction> {
  const { args, env, fds, clock, random, quota } = context
  const memory = new GuestMemory(() => context.memory().buffer as ArrayBuffer)
  const files = { memory, fds, quota, now: () => clock.peek(CLOCK_REALTIME) }
  /** `args_get`/`environ_get`: pointers into one buffer of NUL-terminated UTF-8 strings. */
  const writeStrings = (strings: string[], pointersPtr: number, bufferPtr: number): number => {
    const view = memory.view()
    let at = bufferPtr
    strings.forEach((value, i) => {
      const bytes = utf8.encode(value)
      view.setUint32(pointersPtr + i * 4, at, true)
      memory.bytes(at, bytes.byteLength).set(bytes)
      view.setUint8(at + bytes.byteLength, 0)
      at += bytes.byteLength + 1
    })
    return ERRNO_SUCCESS
  }
  const writeSizes = (strings: string[], countPtr: number, sizePtr: number): number => {
    const view = memory.view()
    view.setUint32(countPtr, strings.length, true)
    view.setUint32(sizePtr, strings.reduce((total, value) => total + utf8.encode(value).byteLength + 1, 0), true)
    return ERRNO_SUCCESS
  }
  /** sock_*: no descriptor here is a socket (spec errno `notsock`); one that is not open is `badf`. */
  const notSocket = (fd: number): number => fds.get(fd) === undefined ? ERRNO_BADF : Errno.NOTSOCK

  return {
    ...fdFunctions(files),
    ...pathFunctions(files, context.tree),
    args_get: (argv: number, buffer: number) => writeStrings(args, argv, buffer),
    args_sizes_get: (countPtr: number, sizePtr: number) => writeSizes(args, countPtr, sizePtr),
    environ_get: (environ: number, buffer: number) => writeStrings(env, environ, buffer),
    environ_sizes_get: (countPtr: number, sizePtr: number) => writeSizes(env, countPtr, sizePtr),
    clock_res_get: (id: number, resolutionPtr: number): number => {
      if (!VirtualClock.isKnown(id)) return ERRNO_INVAL
      memory.view().setBigUint64(resolutionPtr, 1_000n, true)
      return ERRNO_SUCCESS
    },
    clock_time_get: (id: number, _precision: bigint, timePtr: number): number => {
      if (!VirtualClock.isKnown(id)) return ERRNO_INVAL
      memory.view().setBigUint64(timePtr, clock.read(id), true)
      return ERRNO_SUCCESS
    },
    random_get: (buf: number, length: number): number => {
      random.fill(memory.bytes(buf, length))
      return ERRNO_SUCCESS
    },
    sched_yield: (): number => ERRNO_SUCCESS,
    poll_oneoff: (inPtr: number, outPtr: number, count: number, eventCountPtr: number): number =>
      pollOneoff(memory.view(), fds, clock, inPtr, outPtr, count, eventCountPtr),
    proc_exit: (code: number): never => { throw new ProcExit(code) },
    sock_accept: (fd: number) => notSocket(fd),
    sock_recv: (fd: number) => notSocket(fd),
    sock_send: (fd: number) => notSocket(fd),
    sock_shutdown: (fd: number) => notSocket(fd)
  }
}

/**
 * `poll_oneoff(in, out, nsubscriptions, nevents)`. File descriptors are
 * always ready (everything is in memory), so fd subscriptions are answered
 * at once; with only clock subscriptions, virtual time jumps to the earliest
 * deadline and every subscription due then is answered. Nothing waits.
 * (The shim's own version busy-waits on the host clock and ignores `nevents`.)
 */
function pollOneoff (view: DataView, fds: DescriptorTable, clock: VirtualClock, inPtr: number, outPtr: number, count: number, eventCountPtr: number): number {
  if (count === 0) return ERRNO_INVAL
  const events: Array<{ userdata: bigint, error: number, type: number, nbytes: bigint }> = []
  const clocks: Array<{ userdata: bigint, due: bigint | null }> = []
  for (let i = 0; i < count; i++) {
    const at = inPtr + i * SUBSCRIPTION_BYTES
    const userdata = view.getBigUint64(at, true)
    const type = view.getUint8(at + 8)
    if (type === EVENTTYPE_CLOCK) {
      const id = view.getUint32(at + 16, true)
      const timeout = view.getBigUint64(at + 24, true)
      const absolute = (view.getUint16(at + 40, true) & SUBCLOCKFLAGS_ABSTIME) !== 0
      if (!VirtualClock.isKnown(id)) {
        clocks.push({ userdata, due: null })
        continue
      }
      // Deadlines in elapsed-time terms, so clocks of different ids compare.
      const due = absolute ? (id === CLOCK_REALTIME ? timeout - clock.realtimeStartNs : timeout) : clock.elapsedNs + timeout
      clocks.push({ userdata, due })
    } else if (type === EVENTTYPE_FD_READ || type === EVENTTYPE_FD_WRITE) {
      const open = fds.get(view.getUint32(at + 16, true))
      const nbytes = type !== EVENTTYPE_FD_READ
        ? 0n
        : open instanceof FileDescriptor
          ? BigInt(Math.max(0, open.node.byteLength - open.position))
          : open instanceof StdinDescriptor ? BigInt(open.data.byteLength - open.position) : 0n
      events.push({ userdata, error: open === undefined ? ERRNO_BADF : ERRNO_SUCCESS, type, nbytes })
    } else {
      return ERRNO_INVAL
    }
  }
  if (events.length === 0) {
    const invalid = clocks.filter(c => c.due === null)
    if (invalid.length > 0) {
      for (const c of invalid) events.push({ userdata: c.userdata, error: ERRNO_INVAL, type: EVENTTYPE_CLOCK, nbytes: 0n })
    } else {
      const earliest = clocks.reduce((min, c) => (c.due as bigint) < min ? c.due as bigint : min, clocks[0]?.due as bigint)
      clock.advanceTo(CLOCK_MONOTONIC, earliest)
      for (const c of clocks) if (c.due === earliest) events.push({ userdata: c.userdata, error: ERRNO_SUCCESS, type: EVENTTYPE_CLOCK, nbytes: 0n })
    }
  }
  events.forEach((event, i) => {
    const at = outPtr + i * EVENT_BYTES
    for (let b = 0; b < EVENT_BYTES; b++) view.setUint8(at + b, 0)
    view.setBigUint64(at, event.userdata, true)
    view.setUint16(at + 8, event.error, true)
    view.setUint8(at + 10, event.type)
    view.setBigUint64(at + 16, event.nbytes, true)
  })
  view.setUint32(eventCountPtr, events.length, true)
  return ERRNO_SUCCESS
}
