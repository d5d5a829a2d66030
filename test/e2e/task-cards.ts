import type { Locator, Page } from 'playwright-core'
import { expect } from 'vitest'

/**
 * Clicks the Submit section's "Run on the mesh" and returns the card of the
 * task it submitted, found by that task's id: the one `window.zerostate.tasks()`
 * lists that it did not list before the click. Not "the first card": the list
 * is redrawn at most ten times a second (src/app/view-model.ts), so the first
 * card may still be an older task's, and the next redraw may put another older
 * one (a task submitted just before, not yet drawn) above it — in session 17 a
 * test took such a card, the previous test's last task, for its own.
 */
export async function submitFromForm (page: Page, timeoutMs = 10_000): Promise<Locator> {
  const before = await page.evaluate(() => window.zerostate.tasks().map(task => task.taskId))
  await page.getByTestId('submit').click()
  let taskId: string | undefined
  await expect.poll(async () => {
    taskId = await page.evaluate(known => window.zerostate.tasks().find(task => !known.includes(task.taskId))?.taskId, before)
    return taskId
  }, { timeout: timeoutMs, message: 'the task the form submitted' }).toBeDefined()
  const card = page.locator(`zs-task-card[data-task-id="${taskId}"]`)
  await card.waitFor({ state: 'attached', timeout: timeoutMs })
  return card
}
