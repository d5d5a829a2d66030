/** The ways mesh figures fail; callers tell them apart by `name`. */
import { nameError } from '../../core/errors.ts'

/** Thrown when a value is not well-formed version 1 mesh figures; `field` names the first offending field. */
export class InvalidMeshFiguresError extends Error {
  static { nameError(this, 'InvalidMeshFiguresError') }
  readonly field: string

  constructor (field: string, message: string) {
    super(`mesh figures field ${field}: ${message}`)
    this.field = field
  }
}

/** Thrown when mesh figures' canonical form is longer than MAX_MESH_FIGURES_BYTES. */
export class MeshFiguresTooLargeError extends Error {
  static { nameError(this, 'MeshFiguresTooLargeError') }
}

/** Thrown when the figures' `publicKey` is not their peer's, or when asked to sign as someone else. */
export class MeshFiguresKeyMismatchError extends Error {
  static { nameError(this, 'MeshFiguresKeyMismatchError') }
}

/** Thrown when the figures' signature does not verify. */
export class MeshFiguresSignatureError extends Error {
  static { nameError(this, 'MeshFiguresSignatureError') }
}

/** Thrown when figures arrive on gossip from another peer than the one that signed them. */
export class MeshFiguresSenderMismatchError extends Error {
  static { nameError(this, 'MeshFiguresSenderMismatchError') }
}

/** Thrown when the figures' `at` is further ahead of the verifier's clock than MAX_MESH_FIGURES_CLOCK_SKEW_MS. */
export class MeshFiguresNotYetValidError extends Error {
  static { nameError(this, 'MeshFiguresNotYetValidError') }
}

/** Thrown when the figures' `at` is older than MAX_MESH_FIGURES_AGE_MS when they arrive. */
export class MeshFiguresStaleError extends Error {
  static { nameError(this, 'MeshFiguresStaleError') }
}

/** Thrown when a MeshFiguresBoard or MeshFiguresTally option is out of range. */
export class InvalidMeshFiguresOptionsError extends RangeError {
  static { nameError(this, 'InvalidMeshFiguresOptionsError') }
}
