import { test, expect, shot, typeSql, renderAs } from './fixtures'

test('a phone-sized screen: the menu opens, a query runs, nothing overflows', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  await page.goto('/manage')
  await expect(page.getByTestId('overview-table')).toContainText('=(^)climate')
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  await shot(page, 'mobile-manage')
  await page.getByRole('button', { name: 'Open the page menu' }).click()
  await page.getByRole('link', { name: 'DuckDB Analysis' }).click()
  await expect(page.getByRole('heading', { name: 'DuckDB Analysis' })).toBeVisible()
  await renderAs(page, ['Message', 'Chart', 'Table'])
  await typeSql(page, '=(^)quack')
  await page.getByRole('button', { name: 'Submit' }).click()
  await expect(page.getByRole('grid', { name: 'Table Output' }).getByRole('columnheader', { name: /^Data One/ })).toBeVisible()
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390)
  await shot(page, 'mobile-analysis')
})

test('the sidebar folds to a rail and every page is reachable by keyboard', async ({ page }) => {
  await page.goto('/manage')
  await page.getByRole('button', { name: 'Fold the sidebar to a rail' }).click()
  await expect(page.getByRole('button', { name: 'Expand the sidebar' })).toBeVisible()
  await expect(page.locator('.v-navigation-drawer')).toHaveCSS('width', '56px')
  // Tab from the top reaches the pages, then the load form's controls, each by its label.
  const reached: string[] = []
  for (let i = 0; i < 30 && !reached.includes('Load'); i++) {
    await page.keyboard.press('Tab')
    reached.push(await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null
      return el?.getAttribute('aria-label') || (el?.labels?.[0]?.textContent ?? '') || el?.textContent?.trim() || ''
    }))
  }
  for (const name of ['DeltaLake Manage', 'DuckDB Analysis', 'Settings', 'CSV Folder Path or DuckDB Query', 'Process', 'Table Name', 'Load']) {
    expect(reached.some((r) => r.includes(name)), `${name} in ${JSON.stringify(reached)}`).toBe(true)
  }
  await page.keyboard.press('Shift+Tab')
  await page.getByRole('link', { name: 'Settings' }).focus()
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/\/settings$/)
  await shot(page, 'rail-settings')
})
