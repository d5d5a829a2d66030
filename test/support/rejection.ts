/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection (promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise
  } catch (err) {
    return err as Error & Record<string, unknown>
  }
  throw new Error('expected a rejection')
}
