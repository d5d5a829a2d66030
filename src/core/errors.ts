/**
 * How every error class in the project gets its name.
 */

/** An error class (any constructor whose instances are Errors). */
export type ErrorClass = abstract new (...args: never[]) => Error

/**
 * Gives an error class a `name` that survives minification, for use in a
 * static block:
 *
 * ```ts
 * export class FooError extends Error {
 *   static { nameError(this, 'FooError') }
 * }
 * ```
 *
 * Afterwards `FooError.name === 'FooError'`, and every instance's `err.name`,
 * `String(err)` and stack header say 'FooError', as they do for built-in
 * errors: the name lives on `FooError.prototype`, not on each instance.
 *
 * Why not a class field? The minified production build renames classes
 * (`class e extends Error`), so `FooError.name` from `Function.name` is not
 * stable, yet errors cross workers and the wire as plain objects and
 * are told apart by name. js-libp2p declares `static name = 'FooError'`, but
 * this project compiles with `useDefineForClassFields: false` (lit's
 * decorators need [[Set]] semantics), under which TypeScript forbids a static
 * `name` (TS2699): assigning to a function's read-only `name` would throw at
 * run time. An instance field (`name = 'FooError'`) leaves `FooError.name`
 * unstable and costs a property per instance. `Object.defineProperty` is
 * neither assignment nor a class field, so it works under either semantics.
 *
 * The class's `name` is read-only, like any function's; the prototype's is
 * writable, like `Error.prototype.name`, so code that sets `err.name` on an
 * instance (a worker's error revived by the pool, RemoteTaskError naming the remote
 * class) still can. A subclass of a named class calls this again with its own
 * name; otherwise its instances would report the parent's.
 */
export function nameError (errorClass: ErrorClass, name: string): void {
  Object.defineProperty(errorClass, 'name', { value: name, writable: false, enumerable: false, configurable: true })
  Object.defineProperty(errorClass.prototype, 'name', { value: name, writable: true, enumerable: false, configurable: true })
}
