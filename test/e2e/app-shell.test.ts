import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Page } from 'playwright-core'
import { SECTIONS, SECTION_IDS } from '../../src/ui/routes.ts'
import type { SectionId } from '../../src/ui/routes.ts'
import { ARTIFACTS, startHarness, waitForDirect, waitOnline } from './harness.ts'
import type { Harness, Peer } from './harness.ts'

const DESKTOP = { width: 1280, height: 900 }
const PHONE = { width: 390, height: 844 }

/** The section whose page is on screen, the page elements shown (exactly one), and the nav link marked current. */
async function onScreen (page: Page): Promise<{ shown: string[], current: string[], hash: string }> {
  return page.evaluate(() => {
    const app = document.querySelector('zs-app')?.shadowRoot
    const shown = Array.from(app?.querySelectorAll<HTMLElement>('.page') ?? []).filter(p => !p.hidden && p.getClientRects().length > 0).map(p => p.dataset.section ?? '')
    const nav = app?.querySelector('zs-nav')?.shadowRoot
    // The links a user can see (the bar's; the More menu's while open) that say they are the current page.
    const current = Array.from(nav?.querySelectorAll<HTMLAnchorElement>('a[aria-current="page"]') ?? [])
      .filter(a => a.getClientRects().length > 0).map(a => a.dataset.section ?? '')
    return { shown, current, hash: location.hash }
  })
}

async function expectSection (page: Page, id: SectionId): Promise<void> {
  await expect.poll(async () => (await onScreen(page)).shown).toEqual([id])
  const { current, hash } = await onScreen(page)
  // Home is also the page with no fragment at all.
  expect(id === 'home' && hash === '' ? '#/home' : hash).toBe(`#/${id}`)
  // On a phone a section under "More" has no visible link while the menu is closed: its "More" button is marked instead.
  if (current.length > 0) expect(current).toEqual([id])
}

/** Clicks the nav link of a section the way a user would: in the bar, or under "More" on a phone. */
async function navigate (page: Page, id: SectionId): Promise<void> {
  const bar = page.locator(`zs-nav ul.bar a[data-section="${id}"]`)
  if (await bar.isVisible()) {
    await bar.click()
    return
  }
  await page.getByTestId('nav-more').click()
  await page.locator(`zs-nav [popover] a[data-section="${id}"]`).click()
}

/** Elements (through shadow roots) whose right edge is past the viewport, widest first: what makes the page scroll sideways. */
async function sideways (page: Page): Promise<{ scrollWidth: number, innerWidth: number, culprits: string[] }> {
  return page.evaluate(() => {
    const culprits: Array<{ right: number, what: string }> = []
    const visit = (root: Document | ShadowRoot, depth: number): void => {
      for (const el of Array.from(root.querySelectorAll('*'))) {
        const box = el.getBoundingClientRect()
        if (box.width > 0 && box.right > innerWidth + 0.5) {
          culprits.push({ right: box.right, what: `${el.tagName.toLowerCase()}${el.id === '' ? '' : `#${el.id}`}.${Array.from(el.classList).join('.')} [${el.getAttribute('data-testid') ?? ''}] w=${Math.round(box.width)} d=${depth}` })
        }
        if (el.shadowRoot !== null && depth < 12) visit(el.shadowRoot, depth + 1)
      }
    }
    visit(document, 0)
    culprits.sort((x, y) => y.right - x.right)
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, culprits: culprits.slice(0, 12).map(c => c.what) }
  })
}

describe('the app shell: sections with their own URLs, a home dashboard, phone and desktop', () => {
  let harness: Harness
  let submitter: Peer
  let executor: Peer

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true })
    harness = await startHarness()
    submitter = await harness.openPeer()
    executor = await harness.openPeer()
    await submitter.page.setViewportSize(DESKTOP)
    await executor.page.setViewportSize(DESKTOP)
  })

  afterAll(async () => {
    await harness?.close()
  })

  it('opens on Home, with empty states that say what to do first', async () => {
    const page = submitter.page
    await expectSection(page, 'home')
    expect(await page.getByTestId('home-recent').textContent()).toMatch(/Nothing submitted yet/)
    expect(await page.getByTestId('home-cpu-share').textContent()).toMatch(/turn on Contribute compute/)
    // Home keeps only on/off and slots; the advanced settings are in Settings, once.
    expect(await page.getByTestId('page-home').locator('[data-testid="price-perMb"]').count()).toBe(0)
    expect(await page.getByTestId('page-settings').locator('[data-testid="price-perMb"]').count()).toBe(1)
    expect(await page.getByTestId('page-settings').locator('[data-testid="skill-tags"]').count()).toBe(1)
  })

  it('shows a real task on both dashboards: served today, earned, mesh size, recent tasks', async () => {
    // The executor sets an asking price in Settings and turns contributing on from Home, both through the UI.
    const ex = executor.page
    await navigate(ex, 'settings')
    await expectSection(ex, 'settings')
    await ex.getByTestId('price-perMb').fill('10')
    await ex.getByTestId('price-perMb').press('Tab')
    await expect.poll(async () => ex.evaluate(() => (document.querySelector('zs-app') as unknown as { state: { prices: { perMb: number } } }).state.prices.perMb)).toBe(10)
    await ex.screenshot({ path: join(ARTIFACTS, 'shell-settings-desktop.png') })
    await navigate(ex, 'home')
    await ex.getByTestId('contribute-toggle').check()
    await expect.poll(async () => ex.evaluate(() => (document.querySelector('zs-app') as unknown as { state: { contributing: boolean } }).state.contributing)).toBe(true)
    await waitForDirect(submitter.page, executor.peerId)
    await expect.poll(async () => submitter.page.evaluate((id) => window.zerostate.cards().find(c => c.peerId === id)?.prices.perMb, executor.peerId), { timeout: 30_000 }).toBe(10)

    // The submitter runs echo from the Submit section.
    const page = submitter.page
    await page.getByTestId('home-submit').click()
    await expectSection(page, 'submit')
    await page.getByTestId('sample-select').selectOption('echo')
    await page.getByTestId('submit').click()
    const card = page.getByTestId('task-card').first()
    await expect.poll(async () => card.getAttribute('data-phase'), { timeout: 60_000 }).toBe('done')
    const taskId = await card.getAttribute('data-task-id')

    // Submitter's Home: the task, linking to Submit; one peer in the mesh, contributing.
    await navigate(page, 'home')
    await expectSection(page, 'home')
    const recent = page.locator(`[data-testid="home-recent-task"][data-task-id="${taskId}"]`)
    await expect.poll(async () => recent.getAttribute('data-phase')).toBe('done')
    expect(await recent.locator('a').getAttribute('href')).toBe('#/submit')
    await expect.poll(async () => page.getByTestId('home-peers').getAttribute('data-peers')).toBe('1')
    expect(await page.getByTestId('home-peers').getAttribute('data-contributing')).toBe('1')

    // Executor's Home: one task served today, paid at its asking price, its slots given.
    await expect.poll(async () => ex.getByTestId('home-served-today').getAttribute('data-count'), { timeout: 30_000 }).toBe('1')
    const charge = await page.evaluate(() => window.zerostate.history()[0]?.receipt.price.charge ?? 0)
    expect(charge).toBeGreaterThan(0)
    await expect.poll(async () => Number(await ex.getByTestId('home-earned').getAttribute('data-micro')), { timeout: 30_000 }).toBe(charge)
    expect(Number(await ex.getByTestId('home-earned-today').getAttribute('data-micro'))).toBe(charge)
    const slots = await ex.evaluate(() => (document.querySelector('zs-app') as unknown as { state: { slots: number } }).state.slots)
    expect(await ex.getByTestId('home-cpu-share').getAttribute('data-contributed')).toBe(String(slots))
    expect(await ex.getByTestId('home-peers').getAttribute('data-peers')).toBe('1')
    // The live throughput chart draws once samples have come in (one a second).
    await expect.poll(async () => ex.locator('[data-testid="home-chart"] zs-metrics .uplot canvas').count(), { timeout: 15_000 }).toBe(1)
    await ex.screenshot({ path: join(ARTIFACTS, 'shell-home-desktop.png') })
  })

  it('reaches every section by its URL and by the nav on a desktop; back, forward and reload keep the section', async () => {
    const page = submitter.page
    await page.setViewportSize(DESKTOP)
    for (const { id } of SECTIONS) {
      await page.goto(`${harness.mesh.url}#/${id}`)
      await expectSection(page, id)
    }
    for (const { id } of [...SECTIONS].reverse()) {
      await navigate(page, id)
      await expectSection(page, id)
    }
    // The walk above ended on Home, after Submit: back twice, forward once.
    await navigate(page, 'ledger')
    await navigate(page, 'metrics')
    await expectSection(page, 'metrics')
    await page.goBack()
    await expectSection(page, 'ledger')
    await page.goBack()
    await expectSection(page, 'home')
    await page.goForward()
    await expectSection(page, 'ledger')
    await page.reload()
    await waitOnline(page)
    await expectSection(page, 'ledger')
    expect(await page.title()).toBe('Ledger · ZeroState')
    // An old or mistyped link opens Home rather than nothing.
    await page.goto(`${harness.mesh.url}#/no-such-section`)
    await expect.poll(async () => (await onScreen(page)).shown).toEqual(['home'])
  })

  it('works at 390×844: a thumb-reachable tab bar, every section reachable, nothing scrolls sideways', async () => {
    const page = submitter.page
    await page.setViewportSize(PHONE)
    await page.goto(`${harness.mesh.url}#/home`)
    await expectSection(page, 'home')
    // The bar sits at the bottom of the screen, every target at least 44 px square.
    const targets = [...await page.locator('zs-nav ul.bar a').all(), page.getByTestId('nav-more')]
    let visible = 0
    for (const target of targets) {
      if (!await target.isVisible()) continue
      visible++
      const box = await target.boundingBox()
      expect(box?.height).toBeGreaterThanOrEqual(44)
      expect(box?.width).toBeGreaterThanOrEqual(44)
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeGreaterThan(PHONE.height - 80)
    }
    expect(visible).toBe(SECTIONS.filter(s => s.primary).length + 1)

    // Task cards with tables of results (five columns of CSV rows; lang-detect's), a receipt and a trace in the
    // Submit section: the widest things the app draws.
    await waitForDirect(page, executor.peerId)
    await navigate(page, 'submit')
    for (const sample of ['lang-detect', 'csv-to-json']) {
      await page.getByTestId('sample-select').selectOption(sample)
      await expect.poll(async () => page.getByTestId('stdin').inputValue()).not.toBe('')
      const cards = page.getByTestId('task-card')
      const before = await cards.count()
      await page.getByTestId('submit').click()
      await expect.poll(async () => cards.count()).toBe(before + 1)
      await expect.poll(async () => cards.first().getAttribute('data-phase'), { timeout: 60_000 }).toBe('done')
      expect(await cards.first().locator('.json-output table').count(), sample).toBe(1)
    }

    for (const id of SECTION_IDS) {
      await navigate(page, id)
      await expectSection(page, id)
      // Let the section lay out (charts size themselves to their box).
      await page.evaluate(async () => { await new Promise(resolve => requestAnimationFrame(() => requestAnimationFrame(resolve))) })
      const measured = await sideways(page)
      expect(measured.scrollWidth, `${id}: ${measured.culprits.join(' | ')}`).toBeLessThanOrEqual(measured.innerWidth)
      // Home as the phone shows it (the first screen); every other section whole.
      const name = id === 'home' ? 'shell-home-phone.png' : id === 'settings' ? 'shell-settings-phone.png' : `shell-${id}-phone.png`
      await page.screenshot({ path: join(ARTIFACTS, name), fullPage: id !== 'home' })
    }
    // The More menu open, for the record.
    await page.getByTestId('nav-more').click()
    await expect.poll(async () => page.getByTestId('nav-more-menu').isVisible()).toBe(true)
    await page.screenshot({ path: join(ARTIFACTS, 'shell-more-phone.png') })
    await page.keyboard.press('Escape')
    await page.setViewportSize(DESKTOP)
  })
})
