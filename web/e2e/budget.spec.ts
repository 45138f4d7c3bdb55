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
  const started = Date.now()
  await page.goto('/manage')
  await expect(page.getByTestId('overview-table')).toContainText('=(^)climate')
  await expect(page.getByTestId('lineage-graph')).toBeVisible()
  const interactive = Date.now() - started
  await page.waitForLoadState('networkidle')
  let bytes = 0
  for (const path of scripts) bytes += gzipSync(readFileSync(join(dist, path))).length
  info.annotations.push({ type: 'first load', description: `${scripts.size} scripts, ${(bytes / 1024).toFixed(0)} KiB gzip; tables and graph shown after ${interactive} ms` })
  console.log(`first load: ${scripts.size} scripts, ${(bytes / 1024).toFixed(0)} KiB of gzip-compressed JS; tables and graph shown after ${interactive} ms`)
  expect(foreign).toEqual([])
  expect(bytes).toBeLessThan(1024 * 1024)
})
