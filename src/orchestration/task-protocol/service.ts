/**
 * The executor's side of /zerostate/task/1.0.0 as a service: a TaskExecutor
 * whose stream handler is registered while started.
 */
import type { Logger } from '../../core/index.ts'
import type { ProtocolRegistrar } from '../../network/components.ts'
import { ProtocolHandler } from '../../network/protocol-handler.ts'
import { MAX_INBOUND_TASK_STREAMS, TASK_PROTOCOL } from './constants.ts'
import { TaskExecutor } from './executor.ts'
import type { TaskExecutorComponents, TaskExecutorInit } from './executor.ts'

export interface TaskExecutorServiceInit extends TaskExecutorInit {
  /** Tasks offered at once over all connections. Default MAX_INBOUND_TASK_STREAMS. */
  maxInboundStreams?: number
}

export interface TaskExecutorServiceComponents extends TaskExecutorComponents {
  registrar: ProtocolRegistrar
  logger?: Logger
}

export interface TaskExecutorService {
  /** The executor, also for forwarded tasks and bid quotes. */
  readonly executor: TaskExecutor
  start(): Promise<void>
  stop(): Promise<void>
}

class DefaultTaskExecutorService implements TaskExecutorService {
  readonly executor: TaskExecutor
  private readonly handler: ProtocolHandler

  constructor (components: TaskExecutorServiceComponents, init: TaskExecutorServiceInit) {
    this.executor = new TaskExecutor(components, init)
    this.handler = new ProtocolHandler(components.registrar, TASK_PROTOCOL, async (stream, connection) => this.executor.handle(stream, connection), {
      maxInboundStreams: init.maxInboundStreams ?? MAX_INBOUND_TASK_STREAMS
    })
  }

  async start (): Promise<void> {
    await this.handler.start()
  }

  async stop (): Promise<void> {
    await this.handler.stop()
  }
}

export function taskExecutorService (init: TaskExecutorServiceInit): (components: TaskExecutorServiceComponents) => TaskExecutorService {
  return components => new DefaultTaskExecutorService(components, init)
}
