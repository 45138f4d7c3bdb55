// The first load: under 1 MB of compressed JavaScript, nothing from another host.
import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test, expect } from './fixtures'

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../dist')

test('the first page loads under 1 MB of compressed JS, all from its own server', async ({ page, baseURL }, info) => {
  const scripts = new Set<string>()
  const foreign: string[] = []
  page.on('request', (request) => {
    const url = new URL(request.url())
    if (url.origin !== baseURL && !url.protocol.startsWith('data')) foreign.push(request.url())
    if (request.resourceType() === 'script') scripts.add(url.pathname)
  })
  await page.goto('/manage')
  // Measured in the page, every frame, from the start of the navigation.
  const interactive = await page.waitForFunction(
    () => {
      const load = [...document.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Load')
      const tables = document.querySelector('[data-testid="overview-table"]')?.textContent?.includes('=(^)climate')
      const connected = document.querySelector('[data-testid="connection-status"]')?.textContent?.includes('Connected')
      return load && tables && connected ? Math.round(performance.now()) : 0
    },
    undefined,
    { polling: 'raf', timeout: 30_000 },
  )
  const ms = await interactive.jsonValue()
  await expect(page.getByTestId('lineage-graph')).toBeVisible()
  await page.waitForLoadState('networkidle')
  let bytes = 0
  for (const path of scripts) bytes += gzipSync(readFileSync(join(dist, path))).length
  info.annotations.push({ type: 'first load', description: `${scripts.size} scripts, ${(bytes / 1024).toFixed(0)} KiB gzip; form, tables and connection ready ${ms} ms after navigation start` })
  console.log(`first load: ${scripts.size} scripts, ${(bytes / 1024).toFixed(0)} KiB of gzip-compressed JS; form, tables and connection ready ${ms} ms after navigation start`)
  expect(foreign).toEqual([])
  expect(bytes).toBeLessThan(1024 * 1024)
})
