import { test, expect, shot, typeSql, renderAs } from './fixtures'

test('a query shows its message, a drawn chart and its rows', async ({ page }) => {
  await page.goto('/analysis')
  await typeSql(page, 'SELECT * FROM =(^)climate')
  await renderAs(page, ['Message', 'Chart', 'Table'])
  await page.getByRole('button', { name: 'Submit' }).click()

  await expect(page.getByTestId('message-output')).toHaveText(/Queried Result Size: \d+, 15/)
  const rows = Number((await page.getByTestId('message-output').textContent())!.match(/Size: (\d+)/)![1])
  expect(rows).toBeGreaterThanOrEqual(50_000)

  // The chart is drawn: series lines of thousands of points in the SVG, and the notice of the downsampling
  // with the true row count.
  const chart = page.getByTestId('result-chart')
  const palette = ['#07ee7a', '#e86620', '#4fc3f7', '#ffd54f', '#ba68c8', '#f06292', '#81c784', '#90a4ae', '#ff8a65', '#9575cd']
  await expect
    .poll(() =>
      chart.locator('svg path[fill="none"]').evaluateAll(
        (paths, colours) => paths.filter((p) => colours.includes(p.getAttribute('stroke') ?? '') && (p.getAttribute('d') ?? '').length > 1000).length,
        palette,
      ),
    )
    .toBeGreaterThanOrEqual(2)
  expect(Number(await chart.getAttribute('data-points'))).toBeGreaterThan(100)
  await expect(page.getByTestId('chart-notice')).toContainText(`from ${rows.toLocaleString('en-US')} rows`)

  // The table: names with spaces and dots intact, numbers right-aligned, the whole result counted.
  const table = page.getByRole('grid', { name: 'Table Output' })
  await expect(table.getByRole('columnheader', { name: /^Date Time/ })).toBeVisible()
  await expect(table.getByRole('columnheader', { name: /^T \(degC\)/ })).toBeVisible()
  await expect(page.getByTestId('table-summary')).toHaveText(`${rows.toLocaleString('en-US')} rows · 15 columns`)
  const first = table.locator('[data-row="0"]')
  await expect(first.getByRole('gridcell').first()).toHaveText(/^\d{4}-\d{2}-\d{2}/)
  const temperature = first.getByRole('gridcell').nth(2)
  await expect(temperature).toHaveText(/^-?\d+(\.\d+)?$/)
  await expect(temperature).toHaveCSS('justify-content', 'flex-end')
  await shot(page, 'analysis')
})

test('the table scrolls through a whole held result to row 50,000', async ({ page }) => {
  await page.goto('/analysis')
  await typeSql(page, 'SELECT i, i * 2 AS "twice.i", CASE WHEN i % 2 = 0 THEN NULL ELSE \'odd\' END AS "odd or null" FROM range(200000) t(i)')
  await renderAs(page, ['Message', 'Table'])
  await page.getByRole('button', { name: 'Submit' }).click()

  await expect(page.getByTestId('table-summary')).toHaveText('200,000 rows · 3 columns')
  const table = page.getByRole('grid', { name: 'Table Output' })
  await expect(table.getByRole('columnheader', { name: /^twice\.i/ })).toBeVisible()
  // Scroll the grid itself down to row 50,000 (the rows are fetched from the server as they come into view).
  await table.evaluate((el, row) => {
    const height = Number(el.getAttribute('data-row-height'))
    const body = el.clientHeight - 36
    const real = 200_000 * height - body
    const virtual = el.scrollHeight - el.clientHeight
    el.scrollTop = Math.ceil((row * height * virtual) / real)
  }, 50_000)
  const row = table.locator('[data-row="50000"]')
  await expect(row.getByRole('gridcell').nth(0)).toHaveText('50000')
  await expect(row.getByRole('gridcell').nth(1)).toHaveText('100000')
  await expect(row.getByRole('gridcell').nth(2)).toHaveText('NULL')
  await expect(row.locator('.dd-null')).toHaveCount(1)
  await expect(table.locator('[data-row="50001"]').getByRole('gridcell').nth(2)).toHaveText('odd')
  await shot(page, 'analysis-scroll-50000')

  // The whole held result downloads as CSV: a header and every row.
  const csv = await page.request.get((await page.getByRole('link', { name: 'CSV' }).getAttribute('href'))!)
  expect(csv.status()).toBe(200)
  const lines = (await csv.text()).trimEnd().split('\n')
  expect(lines).toHaveLength(200_001)
  expect(lines[0]).toBe('i,twice.i,odd or null')

  // Sorting 200,000 rows runs the query again sorted on the server: descending puts the last row first.
  await table.getByRole('button', { name: /^i, BIGINT/ }).click()
  await expect(table.getByRole('columnheader', { name: /^i, BIGINT/ })).toHaveAttribute('aria-sort', 'ascending')
  await table.getByRole('button', { name: /^i, BIGINT/ }).click()
  await expect(table.getByRole('columnheader', { name: /^i, BIGINT/ })).toHaveAttribute('aria-sort', 'descending')
  await expect(table.locator('[data-row="0"]').getByRole('gridcell').first()).toHaveText('199999')
  await expect(page.getByTestId('table-summary')).toHaveText('200,000 rows · 3 columns')
})

test("bad SQL shows DuckDB's own error", async ({ page }) => {
  await page.goto('/analysis')
  await typeSql(page, 'SELEC 1')
  await page.getByRole('button', { name: 'Submit' }).click()
  const alert = page.getByTestId('query-error')
  await expect(alert).toContainText('Parser Error: syntax error at or near "SELEC"')
  await expect(page.getByTestId('run-state')).toHaveText('Failed')
  await shot(page, 'analysis-error')
})

test('Ctrl+Enter runs the statement under the cursor; completion offers Delta tables', async ({ page }) => {
  await page.goto('/analysis')
  await renderAs(page, ['Message', 'Table'])
  await typeSql(page, 'SELECT 1 AS first_one;\nSELECT 2 AS second_one;')
  // The cursor is at the end, after the second statement.
  await page.keyboard.press('ControlOrMeta+Enter')
  const table = page.getByRole('grid', { name: 'Table Output' })
  await expect(table.getByRole('columnheader', { name: /^second_one/ })).toBeVisible()
  await expect(table.getByRole('columnheader', { name: /^first_one/ })).toHaveCount(0)

  await typeSql(page, 'SELECT * FROM ')
  await page.keyboard.type('=(^)cl')
  await page.getByRole('option', { name: /=\(\^\)climate/ }).click()
  await expect(page.getByRole('textbox', { name: 'SQL Query' })).toHaveText('SELECT * FROM =(^)climate')

  // Format keeps the Delta reference as written.
  await typeSql(page, 'select "T (degC)" as t from =(^)climate@0 where t > 0')
  await page.getByRole('button', { name: 'Format' }).click()
  await expect
    .poll(() => page.getByRole('textbox', { name: 'SQL Query' }).innerText())
    .toBe('SELECT\n  "T (degC)" AS t\nFROM\n  =(^)climate@0\nWHERE\n  t > 0')

  // The history has the statement that ran.
  await page.getByRole('button', { name: 'History' }).click()
  await expect(page.getByRole('list', { name: 'Query history' })).toContainText('SELECT 2 AS second_one')
  await shot(page, 'analysis-history')
})
