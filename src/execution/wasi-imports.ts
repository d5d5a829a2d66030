/**
 * The `wasi_snapshot_preview1` import object for one run: the shim's
 * functions, with the host's clock and entropy replaced by the task's
 * deterministic ones, file growth held to the quota, and a stub for every
 * preview1 function the sandbox does not implement.
 *
 * Layouts and errno values follow WASI preview1
 * (WebAssembly/WASI, legacy/preview1/docs.md).
 */
import { OpenFile } from '@bjorn3/browser_wasi_shim'
import type { WASI } from '@bjorn3/browser_wasi_shim'
import { PROVIDED_WASI_FUNCTIONS, WASI_MODULE } from './constants.ts'
import { TaskTimeoutError, UnsupportedWasiCallError } from './errors.ts'
import type { SeededRandom } from './seeded-random.ts'
import { CLOCK_MONOTONIC, CLOCK_REALTIME, VirtualClock } from './virtual-clock.ts'
import type { WorkQuota } from './work-directory.ts'

type WasiFunction = (...args: any[]) => unknown

const ERRNO_SUCCESS = 0
const ERRNO_BADF = 8
const ERRNO_INVAL = 28

const OFLAGS_CREAT = 1
const EVENTTYPE_CLOCK = 0
const EVENTTYPE_FD_READ = 1
const EVENTTYPE_FD_WRITE = 2
const SUBCLOCKFLAGS_ABSTIME = 1
const SUBSCRIPTION_BYTES = 48
const EVENT_BYTES = 32

export interface WasiImportsContext {
  wasi: WASI
  /** argv as the module will see it. */
  args: string[]
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
  for (const { module: from, name, kind } of WebAssembly.Module.imports(module)) {
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
  const { wasi, args, clock, random, quota } = context
  const shim = wasi.wasiImport
  const memory = (): ArrayBuffer => wasi.inst.exports.memory.buffer as ArrayBuffer
  const call = (name: string, callArgs: unknown[]): unknown => (shim[name] as WasiFunction)(...callArgs)
  /** The open file behind `fd`, when it is a writable one in /work. */
  const writableFile = (fd: number): OpenFile | undefined => {
    const open = wasi.fds[fd]
    return open instanceof OpenFile && !open.file.readonly ? open : undefined
  }
  /** Sum of `buf_len` over an iovec array (preview1 `ciovec`: buf u32, buf_len u32). */
  const iovecBytes = (iovs: number, count: number): number => {
    const view = new DataView(memory())
    let total = 0
    for (let i = 0; i < count; i++) total += view.getUint32(iovs + i * 8 + 4, true)
    return total
  }

  return {
    ...shim,
    // The shim (0.4.2) sizes argv by UTF-16 length while args_get writes UTF-8,
    // so a non-ASCII argument would overflow the module's buffer.
    args_sizes_get: (argcPtr: number, bufSizePtr: number): number => {
      const view = new DataView(memory())
      view.setUint32(argcPtr, args.length, true)
      view.setUint32(bufSizePtr, args.reduce((total, arg) => total + utf8.encode(arg).byteLength + 1, 0), true)
      return ERRNO_SUCCESS
    },
    clock_res_get: (id: number, resolutionPtr: number): number => {
      if (!VirtualClock.isKnown(id)) return ERRNO_INVAL
      new DataView(memory()).setBigUint64(resolutionPtr, 1_000n, true)
      return ERRNO_SUCCESS
    },
    clock_time_get: (id: number, _precision: bigint, timePtr: number): number => {
      if (!VirtualClock.isKnown(id)) return ERRNO_INVAL
      new DataView(memory()).setBigUint64(timePtr, clock.read(id), true)
      return ERRNO_SUCCESS
    },
    random_get: (buf: number, length: number): number => {
      random.fill(new Uint8Array(memory(), buf, length))
      return ERRNO_SUCCESS
    },
    sched_yield: (): number => ERRNO_SUCCESS,
    poll_oneoff: (inPtr: number, outPtr: number, count: number, eventCountPtr: number): number =>
      pollOneoff(new DataView(memory()), wasi, clock, inPtr, outPtr, count, eventCountPtr),

    fd_write: (fd: number, iovs: number, iovsLength: number, nwrittenPtr: number): unknown => {
      const open = writableFile(fd)
      if (open !== undefined) quota.growFile(open.file.data.byteLength, Number(open.file_pos) + iovecBytes(iovs, iovsLength))
      return call('fd_write', [fd, iovs, iovsLength, nwrittenPtr])
    },
    fd_pwrite: (fd: number, iovs: number, iovsLength: number, offset: bigint, nwrittenPtr: number): unknown => {
      const open = writableFile(fd)
      if (open !== undefined) quota.growFile(open.file.data.byteLength, Number(offset) + iovecBytes(iovs, iovsLength))
      return call('fd_pwrite', [fd, iovs, iovsLength, offset, nwrittenPtr])
    },
    fd_allocate: (fd: number, offset: bigint, length: bigint): unknown => {
      const open = writableFile(fd)
      if (open !== undefined) quota.growFile(open.file.data.byteLength, Number(offset + length))
      return call('fd_allocate', [fd, offset, length])
    },
    fd_filestat_set_size: (fd: number, size: bigint): unknown => {
      const open = writableFile(fd)
      if (open !== undefined) quota.growFile(open.file.data.byteLength, Number(size))
      return call('fd_filestat_set_size', [fd, size])
    },
    path_open: (...callArgs: unknown[]): unknown => {
      if (((callArgs[4] as number) & OFLAGS_CREAT) !== 0) quota.addEntry()
      return call('path_open', callArgs)
    },
    path_create_directory: (...callArgs: unknown[]): unknown => {
      quota.addEntry()
      return call('path_create_directory', callArgs)
    },
    path_link: (...callArgs: unknown[]): unknown => {
      quota.addEntry()
      return call('path_link', callArgs)
    }
  }
}

/**
 * `poll_oneoff(in, out, nsubscriptions, nevents)`. File descriptors are
 * always ready (everything is in memory), so fd subscriptions are answered
 * at once; with only clock subscriptions, virtual time jumps to the earliest
 * deadline and every subscription due then is answered. Nothing waits.
 * (The shim's own version busy-waits on the host clock and ignores `nevents`.)
 */
function pollOneoff (view: DataView, wasi: WASI, clock: VirtualClock, inPtr: number, outPtr: number, count: number, eventCountPtr: number): number {
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
      const open = wasi.fds[view.getUint32(at + 16, true)]
      const nbytes = type === EVENTTYPE_FD_READ && open instanceof OpenFile
        ? BigInt(Math.max(0, open.file.data.byteLength - Number(open.file_pos)))
        : 0n
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
