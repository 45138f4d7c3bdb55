import { availableParallelism } from 'node:os'
import { test, expect, shot, typeSql, renderAs } from './fixtures'

// Work DuckDB cannot shortcut: hours for LONG; seconds for SECONDS, whatever the number of cores it spreads over.
const LONG = 'SELECT count(*) AS hits FROM range(1000000000000) t(i) WHERE hash(i) % 7 = 0'
const SECONDS = `SELECT count(*) AS hits FROM range(${200_000_000 * availableParallelism()}) t(i) WHERE hash(i) % 7 = 0`

test('a long query can be cancelled', async ({ page }) => {
  await page.goto('/analysis')
  await renderAs(page, ['Message', 'Table'])
  await typeSql(page, LONG)
  await page.getByRole('button', { name: 'Submit' }).click()
  await expect(page.getByTestId('run-state')).toHaveText('Running')
  // Elapsed time ticks while it runs.
  await expect(page.getByTestId('run-elapsed')).not.toHaveText(/^0\.0/)
  await page.getByRole('button', { name: 'Cancel' }).click()
  await expect(page.getByTestId('run-state')).toHaveText('Cancelled')
  await expect(page.getByTestId('query-error')).toContainText('Interrupted')
  await shot(page, 'analysis-cancelled')
})

test('a query running in the background survives a page reload', async ({ page }) => {
  await page.goto('/analysis')
  await renderAs(page, ['Message', 'Table'])
  await typeSql(page, SECONDS)
  await page.getByRole('button', { name: 'Submit' }).click()
  await expect(page.getByTestId('run-state')).toHaveText('Running')
  await page.reload()
  // The reloaded page attaches to the job again and gets its answer, running or already done.
  await expect(page.getByTestId('run-state')).toHaveText(/re-attached after reload/)
  await expect(page.getByTestId('run-state')).toHaveText('Done (re-attached after reload)', { timeout: 110_000 })
  await expect(page.getByTestId('message-output')).toHaveText('Queried Result Size: 1, 1')
  const cell = page.getByRole('grid', { name: 'Table Output' }).locator('[data-row="0"]').getByRole('gridcell')
  await expect(cell).toHaveText(/^\d+$/)
  // About one in seven of the rows.
  expect(Number(await cell.textContent())).toBeGreaterThan(20_000_000 * availableParallelism())
  await shot(page, 'analysis-reattached')
})
