// The test fixture: the page of the server global-setup started, failing on any console error or warning,
// and screenshots saved under build/e2e/ at the repository root.
import { test as base, expect, type Page } from '@playwright/test'
import { mkdirSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const SHOTS = resolve(dirname(fileURLToPath(import.meta.url)), '../../build/e2e')
mkdirSync(SHOTS, { recursive: true })

export const test = base.extend<{ consoleAllowed: RegExp | null }>({
  /** Console messages a test provokes on purpose (the browser's own report of a refused request). */
  consoleAllowed: [null, { option: true }],
  baseURL: async ({}, use) => {
    await use(process.env.DELTADUCK_E2E_URL)
  },
  page: async ({ page, consoleAllowed }, use) => {
    const problems: string[] = []
    page.on('console', (message) => {
      const text = `${message.type()}: ${message.text()} (${message.location().url})`
      if ((message.type() === 'error' || message.type() === 'warning') && !consoleAllowed?.test(text)) problems.push(text)
    })
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
    await use(page)
    expect(problems, 'console errors or warnings').toEqual([])
  },
})

export { expect }

/**
 * Saves a screenshot of the whole page as build/e2e/<name>.png. The viewport grows to the page's height
 * for it, so the fixed sidebar and app bar are drawn as a user sees them, not cut at the first screen.
 */
export async function shot(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize()!
  const height = await page.evaluate(() => document.documentElement.scrollHeight)
  if (height > viewport.height) await page.setViewportSize({ width: viewport.width, height: Math.min(height, 6000) })
  await page.screenshot({ path: join(SHOTS, `${name}.png`) })
  if (height > viewport.height) await page.setViewportSize(viewport)
}

/** Replaces the SQL editor's text. */
export async function typeSql(page: Page, sql: string): Promise<void> {
  const editor = page.getByRole('textbox', { name: 'SQL Query' })
  await editor.click()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.press('Delete')
  // Inserted as text, not typed: an Enter in the text must not accept a completion.
  await page.keyboard.insertText(sql)
  await page.keyboard.press('Escape')
}

/** Sets the "Render Query As" kinds. */
export async function renderAs(page: Page, kinds: ('Message' | 'Chart' | 'Table')[]): Promise<void> {
  for (const kind of ['Message', 'Chart', 'Table'] as const) {
    const box = page.getByRole('checkbox', { name: kind, exact: true })
    if ((await box.isChecked()) !== kinds.includes(kind)) await box.click()
  }
}

/** Loads a raw/ folder into a Delta table through the REST API (a test's own table). */
export async function ingestApi(baseURL: string, folder: string, table: string, method: string): Promise<void> {
  const start = await fetch(`${baseURL}/api/ingest`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ request_folderpath: folder, request_tablename: table, request_method: method }),
  })
  expect(start.status).toBe(202)
  const { job_id } = (await start.json()) as { job_id: string }
  await expect
    .poll(async () => ((await (await fetch(`${baseURL}/api/jobs/${job_id}`)).json()) as { state: string }).state, { timeout: 120_000 })
    .toBe('done')
}
