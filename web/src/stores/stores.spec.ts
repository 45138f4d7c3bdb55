import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { FakeWebSocket } from '@/testing/FakeWebSocket'
import { HISTORY_LIMIT, memoryHistory, setHistoryBackend, useHistoryStore } from './history'
import { useConnectionStore, socketUrl } from './connection'
import { useQueryStore } from './query'
import { useTablesStore } from './tables'
import { useIngestStore } from './ingest'

/** Lets pending promises and their reactions run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

function server() {
  const socket = FakeWebSocket.last
  return {
    socket,
    last: () => socket.requests.at(-1)!,
    find: (endpoint: string) => socket.requests.filter((r) => r.request_endpoint === endpoint),
    reply: (message: unknown) => socket.reply(message),
  }
}

beforeEach(() => {
  FakeWebSocket.reset()
  vi.stubGlobal('WebSocket', FakeWebSocket)
  setHistoryBackend(memoryHistory)
  localStorage.clear()
  sessionStorage.clear()
  setActivePinia(createPinia())
})
afterEach(() => {
  useConnectionStore().close()
  vi.unstubAllGlobals()
})

describe('connection store', () => {
  it("opens the socket at the page's own origin", () => {
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws')
    expect(socketUrl({ protocol: 'https:', host: 'duck.example:443' })).toBe('wss://duck.example:443/ws')
    useConnectionStore()
    expect(FakeWebSocket.last.url).toBe(socketUrl(window.location))
  })
})

describe('query store', () => {
  it('runs a query as a background job holding its result, and takes the held count', async () => {
    const connection = useConnectionStore()
    const query = useQueryStore()
    FakeWebSocket.last.accept()
    expect(connection.status).toBe('OPEN')
    query.contents = ['Message', 'Table']
    query.render = 10
    const submitted = query.submit('SELECT * FROM =(^)climate')
    const s = server()
    const sent = s.last()
    expect(sent).toMatchObject({
      request_to: 'duck',
      request_endpoint: 'querydata',
      request_args: { request_query: 'SELECT * FROM =(^)climate', request_contents: ['Message', 'Table'], request_render: 10, keep: true, background: true },
    })
    const id = sent.request_id
    s.reply({ respond_to: 'duck', request_id: id, job: { job_id: 'j1', state: 'running' } })
    await submitted
    expect(query.run!.jobId).toBe('j1')
    expect(JSON.parse(sessionStorage.getItem('deltaduck.query.job')!)).toMatchObject({ jobId: 'j1', requestId: id })

    s.reply({
      job_id: 'j1',
      respond_to: 'duck',
      request_id: id,
      data: {
        result_id: 'h1',
        message: 'Queried Result Size: at least 4096, 2',
        delta_versions: { climate: 4 },
        table: {
          headers: [{ text: 'index', value: 'index' }, { text: 'T (degC)', value: 't_degc' }, { text: 'x', value: 'x' }],
          items: [{ index: 0, t_degc: 1.5, x: null }],
          columns: [
            { name: 'T (degC)', key: 't_degc', type: 'DOUBLE' },
            { name: 'x', key: 'x', type: 'VARCHAR' },
          ],
          row_count: null,
          rows_shown: 1,
          truncated: true,
        },
      },
    })
    expect(query.run!.message).toBe('Queried Result Size: at least 4096, 2')
    expect(query.table).toMatchObject({ resultId: 'h1', complete: false, atLeast: 4096, rowCount: 1 })
    expect(query.run!.state).toBe('running')

    s.reply({ job_id: 'j1', respond_to: 'duck', request_id: id, held: { result_id: 'h1', row_count: 200000, complete: true } })
    expect(query.table).toMatchObject({ complete: true, rowCount: 200000 })
    s.reply({ respond_to: 'duck', request_id: id, job: { job_id: 'j1', state: 'done', elapsed_ms: 1234 } })
    expect(query.run).toMatchObject({ state: 'done', serverMs: 1234, versions: { climate: 4 } })
    expect(sessionStorage.getItem('deltaduck.query.job')).toBeNull()
    expect(query.permalink).toEqual({ sql: 'SELECT * FROM =(^)climate', versions: { climate: 4 } })
    await settle()
    const history = useHistoryStore()
    await settle()
    expect(history.entries[0]).toMatchObject({ sql: 'SELECT * FROM =(^)climate', state: 'done', rows: 200000, ms: 1234 })
  })

  it("shows DuckDB's error, and cancels by job id", async () => {
    const query = useQueryStore()
    FakeWebSocket.last.accept()
    void query.submit('SELECT count(*) FROM range(1000000000000)')
    const s = server()
    const id = s.last().request_id
    s.reply({ request_id: id, job: { job_id: 'j2', state: 'running' } })
    await settle()
    void query.cancel()
    expect(s.last()).toMatchObject({ request_endpoint: 'cancel', request_args: { job_id: 'j2' } })
    expect(query.run!.cancelling).toBe(true)
    s.reply({ job_id: 'j2', request_id: id, error: { type: 'Interrupted', message: 'Interrupted: the query was cancelled' } })
    expect(query.run).toMatchObject({ state: 'cancelled', error: { type: 'Interrupted' } })
  })

  it('attaches again after a reload to the job it was running, and gets the replayed answer', async () => {
    sessionStorage.setItem(
      'deltaduck.query.job',
      JSON.stringify({ requestId: 'q-old', jobId: 'j3', sql: 'SELECT 42 AS answer', sent: 'SELECT 42 AS answer', contents: ['Message'], render: 10, startedAt: 0 }),
    )
    const query = useQueryStore()
    FakeWebSocket.last.accept()
    const resumed = query.resume()
    const s = server()
    expect(s.last()).toMatchObject({ request_endpoint: 'attach', request_args: { job_id: 'j3' } })
    expect(query.run).toMatchObject({ reattached: true, state: 'running', requestId: 'q-old' })
    // The job ended meanwhile: its status, then its answer again under the request id it was sent with.
    s.reply({ request_id: s.last().request_id, job: { job_id: 'j3', state: 'done', elapsed_ms: 900 } })
    s.reply({ job_id: 'j3', request_id: 'q-old', data: { message: 'Queried Result Size: 1, 1' } })
    await resumed
    expect(query.run).toMatchObject({ state: 'done', message: 'Queried Result Size: 1, 1', serverMs: 900 })
  })

  it('attaches the new socket to the running job after a reconnect', async () => {
    vi.useFakeTimers()
    try {
      const query = useQueryStore()
      FakeWebSocket.last.accept()
      void query.submit('SELECT count(*) FROM range(100000000000)')
      const first = server()
      const id = first.last().request_id
      first.reply({ request_id: id, job: { job_id: 'j5', state: 'running' } })
      await vi.advanceTimersByTimeAsync(0)
      first.socket.drop()
      await vi.advanceTimersByTimeAsync(11_000)
      expect(FakeWebSocket.instances).toHaveLength(2)
      FakeWebSocket.last.accept()
      await vi.advanceTimersByTimeAsync(0)
      const second = server()
      expect(second.find('attach')).toEqual([expect.objectContaining({ request_args: { job_id: 'j5' } })])
      second.reply({ request_id: second.find('attach')[0].request_id, job: { job_id: 'j5', state: 'running', elapsed_ms: 12_000 } })
      // The answer reaches the new socket under the request id the query was sent with.
      second.reply({ job_id: 'j5', request_id: id, data: { message: 'Queried Result Size: 1, 1' } })
      second.reply({ request_id: id, job: { job_id: 'j5', state: 'done', elapsed_ms: 13_000 } })
      expect(query.run).toMatchObject({ state: 'done', message: 'Queried Result Size: 1, 1', serverMs: 13_000 })
    } finally {
      vi.useRealTimers()
    }
  })

  it('a job the server no longer knows ends the re-attached run with a reason', async () => {
    sessionStorage.setItem('deltaduck.query.job', JSON.stringify({ requestId: 'q-gone', jobId: 'j9', sql: 'SELECT 1', sent: 'SELECT 1', contents: ['Message'], render: 10, startedAt: 0 }))
    const query = useQueryStore()
    FakeWebSocket.last.accept()
    const resumed = query.resume()
    const s = server()
    s.reply({ request_id: s.last().request_id, error: { type: 'NotFound', message: 'no background job j9' } })
    await resumed
    expect(query.run).toMatchObject({ state: 'failed', error: { type: 'NotFound' } })
    expect(query.run!.error!.message).toContain('no background job j9')
    expect(sessionStorage.getItem('deltaduck.query.job')).toBeNull()
  })

  it('sorts a small whole result in the browser, NULLs last', async () => {
    const query = useQueryStore()
    FakeWebSocket.last.accept()
    query.contents = ['Table']
    void query.submit('SELECT * FROM t')
    const s = server()
    const id = s.last().request_id
    s.reply({ request_id: id, job: { job_id: 'j4', state: 'running' } })
    const table = { headers: [{ text: 'index', value: 'index' }, { text: 'n', value: 'n' }], columns: [{ name: 'n', key: 'n', type: 'INTEGER' }] }
    s.reply({ job_id: 'j4', request_id: id, data: { result_id: 'h4', table: { ...table, items: [{ index: 0, n: 2 }, { index: 1, n: null }, { index: 2, n: 1 }], row_count: 3 } } })
    const sorting = query.sortBy('n', true)
    await settle()
    expect(s.last()).toMatchObject({ request_endpoint: 'fetchrows', request_args: { result_id: 'h4', offset: 0, limit: 3 } })
    s.reply({ request_id: s.last().request_id, data: { table: { ...table, items: [{ index: 0, n: 2 }, { index: 1, n: null }, { index: 2, n: 1 }] } } })
    await sorting
    expect(query.table!.localRows!.map((r) => r.n)).toEqual([2, 1, null])
    expect(query.table!.sort).toEqual({ key: 'n', descending: true })
    await query.sortBy(null)
    expect(query.table!.localRows).toBeNull()
  })

  it('runs a permalink at its versions', async () => {
    const query = useQueryStore()
    FakeWebSocket.last.accept()
    void query.submit('', { sql: 'SELECT count(*) FROM =(^)perm', versions: { perm: 0 } })
    expect(server().last().request_args.request_query).toBe('SELECT count(*) FROM =(^)perm@0')
    expect(query.run!.sql).toBe('SELECT count(*) FROM =(^)perm')
  })
})

describe('tables and ingest stores', () => {
  it('reads the registry from checktable', async () => {
    const tables = useTablesStore()
    FakeWebSocket.last.accept()
    const refreshed = tables.refresh()
    const s = server()
    expect(s.last()).toMatchObject({ request_to: 'duck', request_endpoint: 'checktable' })
    s.reply({
      request_id: s.last().request_id,
      data: {
        message: '_directory_list updated',
        table: { headers: [], items: [{ TableName: '=(^)climate', Parent: '', Query: '', Loc: '' }] },
        tables: [{ name: 'climate', version: 2, rows: 5, bytes: 10, files: 1, last_change: '2026-01-01T00:00:00Z' }],
        lineage: [{ table: 't', kind: 'table', query: 'CREATE TABLE t AS SELECT * FROM =(^)climate', location: 'w', parents: [{ kind: 'delta', name: '=(^)climate', version: 2 }] }],
      },
    })
    await refreshed
    expect(tables.tables.map((t) => t.name)).toEqual(['climate'])
    expect(tables.overview[0].TableName).toBe('=(^)climate')
    expect(tables.derivedTables).toEqual(['t'])
    expect(tables.graph.edges).toHaveLength(1)
  })

  it('loads a folder with progress, then says what the server said', async () => {
    const ingest = useIngestStore()
    FakeWebSocket.last.accept()
    const loading = ingest.load({ source: ' climate ', method: 'append', table: 'climate', naiveTimestamps: 'utc' })
    const s = server()
    const sent = s.last()
    expect(sent).toMatchObject({
      request_to: 'delta',
      request_endpoint: 'ingestdata',
      request_args: { request_folderpath: 'climate', request_tablename: 'climate', request_method: 'append', request_naive_timestamps: 'utc' },
    })
    s.reply({ request_id: sent.request_id, progress: { done: 25, total: 100, unit: 'bytes' } })
    expect(ingest.running).toBe(true)
    expect(ingest.percent).toBe(25)
    s.reply({ request_id: sent.request_id, data: { message: 'DeltaLake stored as climate', ingest: { table: 'climate', version: 1, files: 1, rows: 5, bytes: 10 } } })
    await loading
    expect(ingest.outcome).toMatchObject({ kind: 'success', message: 'DeltaLake stored as climate', summary: { version: 1 } })
    expect(ingest.running).toBe(false)
  })
})

describe('history store', () => {
  it('keeps the newest queries, bounded, the same SQL once', async () => {
    const history = useHistoryStore()
    for (let i = 0; i < HISTORY_LIMIT + 5; i++) await history.record({ sql: `SELECT ${i}`, at: i, state: 'done', ms: 1, rows: 1 })
    await history.record({ sql: 'SELECT 10', at: 999, state: 'failed', ms: null, rows: null })
    expect(history.entries).toHaveLength(HISTORY_LIMIT)
    expect(history.entries[0]).toMatchObject({ sql: 'SELECT 10', state: 'failed' })
    expect(history.entries.filter((e) => e.sql === 'SELECT 10')).toHaveLength(1)
    // 0–4 fell off the end; SELECT 10 moved to the top rather than taking a second place.
    expect(history.entries.at(-1)!.sql).toBe('SELECT 5')
    await history.clear()
    expect(history.entries).toEqual([])
  })
})
