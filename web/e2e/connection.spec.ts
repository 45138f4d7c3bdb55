// The socket against a server of the test's own: reconnecting after the server comes back, and signing in
// when the server asks for its token.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test, expect, shot, typeSql, renderAs } from './fixtures'
import { serve, type Served } from './global-setup'

// The browser itself reports the refused socket while the server is down, and the 401s of a stale sign-in.
test.use({ consoleAllowed: /WebSocket connection to .* failed|status of 401 \(Unauthorized\)/ })

let data: string
let server: Served | null = null
test.beforeEach(() => {
  data = mkdtempSync(join(tmpdir(), 'deltaduck-e2e-own-'))
})
test.afterEach(async () => {
  await server?.stop()
  server = null
  rmSync(data, { recursive: true, force: true })
})

test('the socket reconnects when the server comes back', async ({ page }) => {
  server = await serve(data, join(data, 'serve-1.log'))
  const { url } = server
  await page.goto(url + '/analysis')
  const status = page.getByTestId('connection-status')
  await expect(status).toContainText('Connected')
  await server.stop()
  await expect(status).toContainText(/Offline|Reconnecting/)
  server = await serve(data, join(data, 'serve-2.log'), [], url.replace('http://', ''))
  await expect(status).toContainText('Connected', { timeout: 60_000 })
  await renderAs(page, ['Message'])
  await typeSql(page, 'SELECT 42 AS answer')
  await page.getByRole('button', { name: 'Submit' }).click()
  await expect(page.getByTestId('message-output')).toHaveText('Queried Result Size: 1, 1')
})

test('a server with a token: the page asks for it and carries on', async ({ page }) => {
  server = await serve(data, join(data, 'serve.log'), ['--token', 'e2e-secret'])
  await page.goto(server.url + '/settings')
  // The server's own sign-in page comes first.
  await page.getByPlaceholder('Access token').fill('e2e-secret')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('link', { name: 'Settings' }).click()
  await expect(page.getByTestId('workers-table')).toContainText('duck')
  // The cookie goes stale: the next call is refused and the app asks for the token itself.
  await page.context().clearCookies()
  await expect(page.getByRole('dialog', { name: 'This server needs its access token' })).toBeVisible()
  await page.getByRole('dialog').getByLabel('Access token').fill('wrong')
  await page.getByRole('dialog').getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('dialog')).toContainText("that is not this server's token")
  await page.getByRole('dialog').getByLabel('Access token').fill('e2e-secret')
  await page.getByRole('dialog').getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('dialog')).toBeHidden()
  await expect(page.getByTestId('connection-status')).toContainText('Connected')
  await expect(page.getByTestId('workers-error')).toBeHidden()
  await expect(page.getByTestId('workers-table')).toContainText('delta')
  await shot(page, 'settings-token')
})
