import { test, expect, shot } from './fixtures'

test('settings: live workers, Connect, and the theme', async ({ page }) => {
  await page.goto('/settings')
  const workers = page.getByTestId('workers-table')
  await expect(workers.getByRole('row').filter({ hasText: 'duck' })).toContainText('up')
  await expect(workers.getByRole('row').filter({ hasText: 'delta' })).toContainText('inproc')
  await expect(page.getByText('mode: inproc')).toBeVisible()

  const conn = page.getByRole('textbox', { name: 'Duck DB Connection String' })
  await conn.fill(':memory:')
  await page.getByRole('button', { name: 'Connect' }).click()
  await expect(page.getByTestId('connect-outcome')).toHaveText('Connected!')
  await shot(page, 'settings')

  await page.getByRole('radio', { name: 'Light' }).check()
  await expect(page.locator('.v-application')).toHaveCSS('background-color', 'rgb(246, 243, 249)')
  await shot(page, 'settings-light')
  await page.getByRole('radio', { name: 'Dark' }).check()
  await expect(page.locator('.v-application')).toHaveCSS('background-color', 'rgb(38, 30, 47)')
})
