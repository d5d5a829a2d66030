import type { Page } from 'playwright-core'
import type { SectionId } from '../../src/ui/routes.ts'

/**
 * Brings a section of the app on screen (src/ui/routes.ts: `#/submit`, …) and
 * waits until its page is shown: only the current section's elements are
 * visible, so a test clicks inside one only after going there.
 */
export async function showSection (page: Page, id: SectionId): Promise<void> {
  await page.evaluate((section) => { location.hash = `#/${section}` }, id)
  await page.getByTestId(`page-${id}`).waitFor({ state: 'visible' })
}
