/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection (promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (err) {
    return err as Error & Record<string, unknown>
  }
  throw new Error('expected a rejection')
}

/** The error `fn` throws, with its `field` when it names one; fails the test if it returns. */
export function thrown (fn: () => unknown): { name: string, field?: string } {
  try {
    fn()
  } catch (err) {
    return { name: (err as Error).name, field: (err as { field?: string }).field }
  }
  throw new Error('expected a throw')
}
