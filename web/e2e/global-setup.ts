// Starts one `deltaduck serve` on a throwaway data directory with the sample climate folder, and the Delta
// table `climate` loaded from it, for all browser tests. The port is the one the server prints when ready.
import { execFileSync, spawn } from 'node:child_process'
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const web = resolve(dirname(fileURLToPath(import.meta.url)), '..')

let binary: string | null = null

/**
 * The server binary the tests run: a copy of DELTADUCK_BINARY (default build/deltaduck), so that a rebuild
 * during the run cannot change the file under a running server. It finds libduckdb by its rpath.
 */
export function binaryPath(): string {
  if (binary) return binary
  // Test workers use the copy global setup made.
  if (process.env.DELTADUCK_E2E_BINARY && existsSync(process.env.DELTADUCK_E2E_BINARY)) return (binary = process.env.DELTADUCK_E2E_BINARY)
  const built = resolve(web, process.env.DELTADUCK_BINARY ?? '../build/deltaduck')
  if (!existsSync(built)) throw new Error(`no deltaduck binary at ${built} (build it, or set DELTADUCK_BINARY)`)
  const copy = join(mkdtempSync(join(tmpdir(), 'deltaduck-e2e-bin-')), 'deltaduck')
  copyFileSync(built, copy)
  process.env.DELTADUCK_E2E_BINARY = copy
  return (binary = copy)
}

export interface Served {
  url: string
  stop: () => Promise<void>
}

/** Runs `deltaduck serve` on a free loopback port; resolves once it prints that it is ready. */
export function serve(data: string, log: string, extra: string[] = [], listen = '127.0.0.1:0'): Promise<Served> {
  const child = spawn(binaryPath(), ['serve', '--data', data, '--listen', listen, '--web', join(web, 'dist'), ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  // Its request log, for a failing test to be read against.
  mkdirSync(dirname(log), { recursive: true })
  const logFile = createWriteStream(log)
  let stderr = ''
  child.stderr.on('data', (chunk) => {
    logFile.write(chunk)
    if (stderr.length < 10_000) stderr += chunk
  })
  child.once('exit', (code, signal) => logFile.end(`deltaduck serve exited: code ${code}, signal ${signal}\n`))
  const stop = () =>
    new Promise<void>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done()
      const force = setTimeout(() => child.kill('SIGKILL'), 15_000)
      child.once('exit', () => {
        clearTimeout(force)
        done()
      })
      child.kill('SIGTERM')
    })
  return new Promise((ready, fail) => {
    let stdout = ''
    const timer = setTimeout(() => {
      void stop()
      fail(new Error(`deltaduck serve did not get ready in 60 s: ${stderr}`))
    }, 60_000)
    child.stdout.on('data', (chunk) => {
      stdout += chunk
      const match = /DeltaDuck ready at (http:\/\/[^\s/]+)\/?/.exec(stdout)
      if (match) {
        clearTimeout(timer)
        ready({ url: match[1], stop })
      }
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      fail(new Error(`deltaduck serve exited (${code}) before it was ready: ${stderr}`))
    })
  })
}

export default async function globalSetup() {
  if (!existsSync(join(web, 'dist', 'index.html'))) throw new Error('web/dist is not built: run scripts/build_web.sh')
  const binary = binaryPath()
  const data = mkdtempSync(join(tmpdir(), 'deltaduck-e2e-'))
  execFileSync(binary, ['sample', '--data', data], { stdio: 'ignore' })
  execFileSync(binary, ['ingest', '--data', data, '--source', 'climate', '--table', 'climate'], { stdio: 'ignore' })
  const server = await serve(data, resolve(web, '../build/e2e/serve.log'))
  process.env.DELTADUCK_E2E_URL = server.url
  process.env.DELTADUCK_E2E_DATA = data
  return async () => {
    await server.stop()
    rmSync(data, { recursive: true, force: true })
    rmSync(dirname(binary), { recursive: true, force: true })
  }
}
