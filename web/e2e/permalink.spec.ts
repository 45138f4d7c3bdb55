import { test, expect, shot, typeSql, renderAs, ingestApi } from './fixtures'

test('a permalink gives the old answer after an append, and diffs against the latest', async ({ page, baseURL }) => {
  await ingestApi(baseURL!, 'climate', 'perm', 'overwrite')
  await page.goto('/analysis')
  await renderAs(page, ['Message', 'Table'])
  await typeSql(page, 'SELECT count(*) AS n FROM =(^)perm')
  await page.getByRole('button', { name: 'Submit' }).click()
  const cell = page.getByRole('grid', { name: 'Table Output' }).locator('[data-row="0"]').getByRole('gridcell')
  await expect(cell).toHaveText(/^\d+$/)
  const before = Number(await cell.textContent())
  const link = await page.getByRole('textbox', { name: 'Permalink' }).inputValue()
  expect(link).toContain('at=perm%400')

  await ingestApi(baseURL!, 'climate', 'perm', 'append')

  await page.goto(link)
  await expect(page.getByTestId('permalink-banner')).toContainText('=(^)perm@0')
  await expect(page.getByTestId('run-state')).toHaveText('Done')
  await expect(cell).toHaveText(String(before))

  await page.getByRole('button', { name: 'Diff against latest' }).click()
  const diff = page.getByTestId('diff-view')
  await expect(diff).toContainText('perm@1')
  const changes = diff.getByRole('table', { name: 'Rows added or removed since the permalink' })
  await expect(changes.getByRole('row').filter({ hasText: 'removed' })).toContainText(String(before))
  await expect(changes.getByRole('row').filter({ hasText: 'added' })).toContainText(String(2 * before))
  await shot(page, 'analysis-permalink-diff')
})
