/** Failures of the agent registry service; callers tell them apart by `name`. */
import { nameError } from '../../core/errors.ts'

/** Thrown by publish when the modules given lack one the manifest names (`module` names it), or name one it does not list. */
export class AgentModuleMissingError extends Error {
  static { nameError(this, 'AgentModuleMissingError') }
  readonly module: string

  constructor (module: string, message: string) {
    super(message)
    this.module = module
  }
}

/**
 * Thrown by publish when the registry does not take the manifest: a version
 * this author already published with other content (`version-conflict`:
 * versions are immutable, bump it), one older than every held version
 * (`older`), or no room (`capacity`). `reason` is the registry's.
 */
export class AgentPublishRefusedError extends Error {
  static { nameError(this, 'AgentPublishRefusedError') }
  readonly reason: string

  constructor (reason: string, message: string) {
    super(message)
    this.reason = reason
  }
}

/** Thrown by resolveModule when no peer asked served the agent's entry module; `tried` lists the PeerIds asked. */
export class AgentModuleUnavailableError extends Error {
  static { nameError(this, 'AgentModuleUnavailableError') }
  readonly tried: readonly string[]

  constructor (message: string, tried: readonly string[], options?: ErrorOptions) {
    super(message, options)
    this.tried = tried
  }
}
