import { test, expect, shot, typeSql, renderAs } from './fixtures'

test('the climate folder loads through the form and is listed', async ({ page }) => {
  await page.goto('/manage')
  // The combobox lists the folders of raw/.
  const source = page.getByRole('combobox', { name: 'CSV Folder Path or DuckDB Query' })
  await source.click()
  await page.getByRole('option', { name: /^climate/ }).click()
  const table = page.getByRole('textbox', { name: 'Table Name' })
  await expect(table).toHaveValue('climate')
  await table.fill('climate_form')
  // The select opens from the keyboard.
  await page.getByRole('combobox', { name: 'Process' }).focus()
  await page.keyboard.press('Enter')
  await page.getByRole('option', { name: 'overwrite' }).click()
  await page.getByRole('button', { name: 'Load' }).click()

  const response = page.getByTestId('delta-response')
  await expect(response.getByRole('alert')).toContainText('DeltaLake stored as climate_form', { timeout: 90_000 })
  await expect(response).toContainText(/version 0 · [\d,]+ rows/)

  const overview = page.getByTestId('overview-table')
  const row = overview.getByRole('row').filter({ hasText: '=(^)climate_form' })
  await expect(row).toBeVisible()
  const rows = Number((await row.getByRole('cell').nth(2).textContent())!.replace(/,/g, ''))
  expect(rows).toBeGreaterThanOrEqual(50_000)
  await shot(page, 'manage')
})

test('CREATE TABLE from a Delta table adds a lineage row and a graph edge', async ({ page }) => {
  await page.goto('/analysis')
  await renderAs(page, ['Message'])
  await typeSql(page, 'CREATE OR REPLACE TABLE t AS SELECT * FROM =(^)climate')
  await page.getByRole('button', { name: 'Submit' }).click()
  await expect(page.getByTestId('message-output')).toHaveText('CREATE OK')

  await page.getByRole('link', { name: 'DeltaLake Manage' }).click()
  const lineage = page.getByTestId('lineage-table')
  const row = lineage.getByRole('row').filter({ hasText: /=\(\^\)climate@\d+/ }).filter({ hasText: 'CREATE OR REPLACE TABLE t AS' })
  await expect(row.getByRole('cell').first()).toHaveText('t')

  // The graph: the new table is the focus, with its parent and the version it read on the edge.
  const graph = page.getByTestId('lineage-graph')
  await expect(graph).toHaveAttribute('aria-label', /=\(\^\)climate@\d+ → t/)
  await expect(graph.locator('svg text').filter({ hasText: /^v\d+ →$/ })).toHaveCount(1)
  await expect(page.getByTestId('lineage-edge').filter({ hasText: /=\(\^\)climate@\d+ → t/ })).toBeVisible()
  await shot(page, 'manage-lineage')
})

test('a table shows its schema, history and rows at a version', async ({ page }) => {
  await page.goto('/manage')
  await page.getByRole('button', { name: 'Details of climate', exact: true }).click()
  const dialog = page.getByRole('dialog')
  await expect(dialog.getByRole('table', { name: 'Schema' })).toContainText('T (degC)')
  await dialog.getByRole('tab', { name: 'History' }).click()
  await expect(dialog.getByRole('table', { name: 'History' }).getByRole('row').nth(1)).toContainText('WRITE')
  await dialog.getByRole('tab', { name: 'Preview' }).click()
  await dialog.getByRole('button', { name: 'Show rows' }).click()
  await expect(dialog).toContainText(/Queried Result Size: (at least )?\d+, 15/)
  await expect(dialog.getByRole('table', { name: /Rows of climate at version 0/ }).getByRole('row')).toHaveCount(101)
  await shot(page, 'manage-table-detail')
  await dialog.getByRole('button', { name: 'Close' }).click()
  await expect(dialog).toBeHidden()
})
