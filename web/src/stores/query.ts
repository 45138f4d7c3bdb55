// Running SQL from the DuckDB Analysis page: one query at a time, as a background job that outlives a page
// reload; its answer (message, chart, the first rows), the whole result held on the server for the table,
// sorting, permalinks and the diff of a permalink against the latest versions.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { RequestError, useConnectionStore } from './connection'
import { useHistoryStore } from './history'
import { useTablesStore } from './tables'
import type { Cell, ChartPayload, ErrorInfo, Message, RenderKind, TablePayload } from '@/types/protocol'
import { newRequestId } from '@/composables/useSocket'
import { parseSizeMessage, sortRows, tableColumns, type TableColumn } from '@/protocol/table'
import { asSubquery, latestRefNames } from '@/protocol/sql'
import { pinnedSql, type Permalink } from '@/protocol/permalink'

export type RunState = 'running' | 'done' | 'failed' | 'cancelled'
export type Row = Record<string, Cell>

export interface QueryRun {
  requestId: string
  jobId: string | null
  /** The SQL as written (a permalink's unpinned text). */
  sql: string
  /** The SQL sent (with `@N` versions when it came from a permalink). */
  sent: string
  contents: RenderKind[]
  render: number
  state: RunState
  cancelling: boolean
  /** Re-attached after a page reload. */
  reattached: boolean
  startedAt: number
  finishedAt: number | null
  /** The server's own measure of the run. */
  serverMs: number | null
  /** DuckDB's progress, 0–100, while it runs (null when it does not know). */
  progress: number | null
  answered: boolean
  message?: string
  chart?: ChartPayload
  warnings?: string[]
  error?: ErrorInfo
  /** Delta table → version the query read. */
  versions: Record<string, number>
  /** The versions were looked up after the answer (the server did not name them). */
  versionsLookedUp: boolean
  /** A permalink this run reproduces. */
  permalink: Permalink | null
}

/** The rows the Table Output scrolls through. */
export interface TableSource {
  /** Changes whenever the rows behind the source change (a new result, a new order). */
  generation: number
  resultId: string | null
  columns: TableColumn[]
  /** Rows known to exist: the whole result once held, else what was answered so far. */
  rowCount: number
  /** Whether every row is stored on the server (rowCount is final). */
  complete: boolean
  /** A lower bound of the rows while the result is still being stored. */
  atLeast: number | null
  firstRows: Row[]
  /** All rows in this browser (small results sorted here). */
  localRows: Row[] | null
  sort: { key: string; descending: boolean } | null
  sorting: boolean
  error: string | null
  heldError: string | null
}

export interface DiffState {
  running: boolean
  error: string | null
  oldRows: number | null
  latestRows: number | null
  latestVersions: Record<string, number>
  changes: { columns: TableColumn[]; rows: Row[]; count: number | null } | null
}

/** Results up to this many rows are sorted in the browser; larger ones by running the query sorted. */
export const LOCAL_SORT_LIMIT = 10_000
/** Rows per fetchrows window (the server allows up to 10,000). */
export const WINDOW = 500

const JOB_KEY = 'deltaduck.query.job'
const SQL_KEY = 'deltaduck.query.sql'
const PREFS_KEY = 'deltaduck.query.prefs'

function readJson<T>(storage: Storage | undefined, key: string): T | null {
  try {
    const text = storage?.getItem(key)
    return text ? (JSON.parse(text) as T) : null
  } catch {
    return null
  }
}

function errorInfo(e: unknown): ErrorInfo {
  if (e instanceof RequestError) return { type: e.type, message: e.message }
  return { type: 'Error', message: (e as Error)?.message ?? String(e) }
}

export const useQueryStore = defineStore('query', () => {
  const connection = useConnectionStore()
  const tables = useTablesStore()
  const history = useHistoryStore()

  const prefs = readJson<{ contents: RenderKind[]; render: number }>(globalThis.localStorage, PREFS_KEY)
  const sql = ref<string>(globalThis.localStorage?.getItem(SQL_KEY) ?? 'SELECT * FROM =(^)climate')
  const contents = ref<RenderKind[]>(prefs?.contents ?? ['Message', 'Chart', 'Table'])
  const render = ref<number>(prefs?.render ?? 1000)
  watch(sql, (text) => globalThis.localStorage?.setItem(SQL_KEY, text))
  watch([contents, render], () => globalThis.localStorage?.setItem(PREFS_KEY, JSON.stringify({ contents: contents.value, render: render.value })), {
    deep: true,
  })

  const run = ref<QueryRun | null>(null)
  const table = ref<TableSource | null>(null)
  const diff = ref<DiffState | null>(null)
  /** The answer before sorting (restored when the sort is cleared). */
  const unsorted = shallowRef<Pick<TableSource, 'resultId' | 'rowCount' | 'complete' | 'atLeast' | 'firstRows'> | null>(null)

  let stopListening: (() => void) | null = null
  let poller: ReturnType<typeof setInterval> | null = null
  let recorded = false
  let generation = 0

  const running = computed(() => run.value?.state === 'running')
  /** Whether a run is still the current one (a later submit replaces it). */
  const isCurrent = (r: QueryRun) => run.value === r

  /** The permalink of the current answer: its SQL and the Delta versions it read. */
  const permalink = computed<Permalink | null>(() => {
    const r = run.value
    if (!r || r.state !== 'done') return null
    return { sql: r.sql, versions: { ...r.versions } }
  })

  function stopPolling() {
    if (poller) clearInterval(poller)
    poller = null
  }

  function startPolling() {
    stopPolling()
    poller = setInterval(async () => {
      const r = run.value
      if (!r || r.state !== 'running' || !r.jobId) return stopPolling()
      try {
        const reply = await connection.request(
          { request_to: 'duck', request_endpoint: 'jobstatus', request_args: { job_id: r.jobId } },
          { timeout: 10_000 },
        )
        if (run.value === r && reply.job && r.state === 'running') {
          r.progress = reply.job.progress ?? null
          r.serverMs = reply.job.elapsed_ms ?? r.serverMs
        }
      } catch {
        // A missed status is not a failure of the query.
      }
    }, 1000)
  }

  function persistJob(r: QueryRun) {
    const saved = { requestId: r.requestId, jobId: r.jobId, sql: r.sql, sent: r.sent, contents: r.contents, render: r.render, startedAt: r.startedAt, permalink: r.permalink }
    globalThis.sessionStorage?.setItem(JOB_KEY, JSON.stringify(saved))
  }

  function newTable(payload: TablePayload, resultId: string | null): TableSource {
    const columns = tableColumns(payload)
    const rowCount = payload.row_count ?? null
    const firstRows = payload.items as Row[]
    return {
      generation: ++generation,
      resultId,
      columns,
      rowCount: rowCount ?? firstRows.length,
      complete: rowCount !== null,
      atLeast: rowCount === null ? (parseSizeMessage(run.value?.message)?.rows ?? firstRows.length) : null,
      firstRows,
      localRows: resultId ? null : firstRows,
      sort: null,
      sorting: false,
      error: null,
      heldError: null,
    }
  }

  async function lookUpVersions(r: QueryRun) {
    const names = latestRefNames(r.sent)
    if (!names.length) return
    await tables.refresh()
    for (const name of names) {
      const table = tables.tables.find((t) => t.name.toLowerCase() === name.toLowerCase())
      if (table && r.versions[name] === undefined) r.versions[name] = table.version
    }
    r.versionsLookedUp = true
  }

  function maybeRecord(r: QueryRun) {
    if (recorded || r.state === 'running' || !r.answered) return
    recorded = true
    void history.record({
      sql: r.sql,
      at: r.startedAt,
      state: r.state,
      ms: r.serverMs ?? (r.finishedAt ? r.finishedAt - r.startedAt : null),
      rows: table.value?.complete ? table.value.rowCount : (parseSizeMessage(r.message)?.rows ?? null),
      versions: Object.keys(r.versions).length ? { ...r.versions } : undefined,
    })
  }

  function finish(r: QueryRun, state: RunState, serverMs?: number) {
    if (r.state !== 'running') return
    r.state = state
    r.finishedAt = Date.now()
    if (serverMs !== undefined) r.serverMs = serverMs
    r.progress = state === 'done' ? 100 : r.progress
    stopPolling()
    globalThis.sessionStorage?.removeItem(JOB_KEY)
    maybeRecord(r)
  }

  function applyAnswer(r: QueryRun, message: Message) {
    r.answered = true
    if (message.error) {
      r.error = message.error
      finish(r, message.error.type === 'Interrupted' ? 'cancelled' : 'failed')
      maybeRecord(r)
      return
    }
    const data = message.data ?? {}
    r.message = data.message
    r.chart = data.chart
    r.warnings = data.warnings
    // Versions pinned by the SQL itself (a permalink) are what it read too.
    for (const [name, version] of Object.entries(r.permalink?.versions ?? {})) r.versions[name] = version
    Object.assign(r.versions, data.delta_versions ?? {})
    if (!data.delta_versions && latestRefNames(r.sent).length) void lookUpVersions(r)
    if (data.table && r.contents.includes('Table')) {
      table.value = newTable(data.table, data.result_id ?? null)
      unsorted.value = null
    } else {
      table.value = null
    }
    maybeRecord(r)
  }

  function applyHeld(message: Message) {
    const t = table.value
    const held = message.held!
    if (!t || t.resultId !== held.result_id) return
    if (held.complete) {
      t.rowCount = held.row_count ?? t.rowCount
      t.complete = true
      t.atLeast = null
      t.generation = ++generation
    } else {
      t.heldError = held.error?.message ?? 'the result could not be held on the server'
    }
  }

  /** Every message about the run: the job's status, the answer, the held result. */
  function onRunMessage(r: QueryRun, message: Message) {
    if (!isCurrent(r)) return
    if (message.held) return applyHeld(message)
    if (message.progress) return
    if (message.job && !message.data && !message.error) {
      const job = message.job
      if (job.job_id && !r.jobId) r.jobId = job.job_id
      if (job.elapsed_ms !== undefined) r.serverMs = job.elapsed_ms
      if (job.state === 'running') {
        if (job.progress !== undefined) r.progress = job.progress
      } else {
        finish(r, job.state === 'done' ? 'done' : job.state === 'cancelled' ? 'cancelled' : 'failed', job.elapsed_ms)
      }
      return
    }
    applyAnswer(r, message)
  }

  function begin(r: QueryRun) {
    stopListening?.()
    stopPolling()
    recorded = false
    run.value = r
    table.value = null
    unsorted.value = null
    const live = run.value
    stopListening = connection.listen(r.requestId, (message) => onRunMessage(live, message))
    return live
  }

  /** Runs SQL (the editor's, a statement of it, or a permalink's pinned text). */
  async function submit(text: string, link: Permalink | null = null): Promise<void> {
    const source = link ? link.sql : text
    const sent = link ? pinnedSql(link) : text
    if (!sent.trim()) return
    if (running.value) await cancel()
    const r = begin({
      requestId: newRequestId('q'),
      jobId: null,
      sql: source,
      sent,
      contents: [...contents.value],
      render: render.value,
      state: 'running',
      cancelling: false,
      reattached: false,
      startedAt: Date.now(),
      finishedAt: null,
      serverMs: null,
      progress: null,
      answered: false,
      versions: {},
      versionsLookedUp: false,
      permalink: link,
    })
    const keep = r.contents.includes('Table')
    try {
      const ack = await connection.request(
        {
          request_to: 'duck',
          request_endpoint: 'querydata',
          request_id: r.requestId,
          request_args: { request_query: sent, request_contents: r.contents, request_render: r.render, keep, background: true },
        },
        { timeout: 30_000 },
      )
      if (!isCurrent(r)) return
      r.jobId = ack.job?.job_id ?? null
      if (r.state === 'running') {
        persistJob(r)
        startPolling()
        // Cancel was pressed before the job had an id.
        if (r.cancelling) {
          r.cancelling = false
          await cancel()
        }
      }
    } catch (e) {
      if (!isCurrent(r)) return
      r.error = errorInfo(e)
      r.answered = true
      finish(r, 'failed')
    }
  }

  /** After a page reload: attaches to the query that was running (its answer is replayed if it ended). */
  async function resume(): Promise<void> {
    const saved = readJson<Pick<QueryRun, 'requestId' | 'jobId' | 'sql' | 'sent' | 'contents' | 'render' | 'startedAt' | 'permalink'>>(
      globalThis.sessionStorage,
      JOB_KEY,
    )
    if (!saved?.jobId || run.value) return
    const r = begin({
      ...saved,
      permalink: saved.permalink ?? null,
      state: 'running',
      cancelling: false,
      reattached: true,
      finishedAt: null,
      serverMs: null,
      progress: null,
      answered: false,
      versions: {},
      versionsLookedUp: false,
    })
    await attach(r)
  }

  /** Subscribes this socket to the run's job: its status now, and its answer (replayed if it already ended). */
  async function attach(r: QueryRun): Promise<void> {
    try {
      const reply = await connection.request(
        { request_to: 'duck', request_endpoint: 'attach', request_args: { job_id: r.jobId } },
        { timeout: 30_000 },
      )
      if (!isCurrent(r)) return
      if (reply.job) {
        r.serverMs = reply.job.elapsed_ms ?? null
        r.startedAt = Date.now() - (reply.job.elapsed_ms ?? 0)
        if (reply.job.state === 'running') startPolling()
        else finish(r, reply.job.state === 'done' ? 'done' : reply.job.state === 'cancelled' ? 'cancelled' : 'failed', reply.job.elapsed_ms)
      }
    } catch (e) {
      if (!isCurrent(r)) return
      // The connection went while attaching: the next one attaches again.
      if (e instanceof RequestError && e.type === 'Disconnected') {
        detached = true
        return
      }
      globalThis.sessionStorage?.removeItem(JOB_KEY)
      r.error = { type: errorInfo(e).type, message: `The running query cannot be re-attached: ${errorInfo(e).message}` }
      r.answered = true
      finish(r, 'failed')
    }
  }

  // A background job outlives the socket, but its messages go to the sockets attached to it: after a
  // reconnect, attach the new one.
  let detached = false
  watch(
    () => connection.status,
    (status) => {
      const r = run.value
      if (status === 'CLOSED' && r?.state === 'running' && r.jobId) detached = true
      else if (status === 'OPEN' && detached) {
        detached = false
        if (r?.state === 'running' && r.jobId) void attach(r)
      }
    },
  )

  async function cancel(): Promise<void> {
    const r = run.value
    if (!r || r.state !== 'running') return
    r.cancelling = true
    if (!r.jobId) return
    try {
      await connection.request({ request_to: 'duck', request_endpoint: 'cancel', request_args: { job_id: r.jobId } }, { timeout: 10_000 })
    } catch (e) {
      // It ended meanwhile: its own answer says how.
      if (!(e instanceof RequestError && e.type === 'NotFound')) r.error = errorInfo(e)
    }
  }

  /** A window of a held result (`fetchrows`); `index` is the row number in the result. */
  async function fetchWindow(resultId: string, offset: number, limit: number): Promise<Row[]> {
    const reply = await connection.request(
      { request_to: 'duck', request_endpoint: 'fetchrows', request_args: { result_id: resultId, offset, limit } },
      { timeout: 60_000 },
    )
    return (reply.data?.table?.items ?? []) as Row[]
  }

  /** Sorts the Table Output by a column (null: the query's own order). */
  async function sortBy(key: string | null, descending = false): Promise<void> {
    const t = table.value
    const r = run.value
    if (!t || !r) return
    t.error = null
    if (key === null) {
      if (unsorted.value) Object.assign(t, unsorted.value)
      if (t.resultId) t.localRows = null
      t.sort = null
      t.generation = ++generation
      unsorted.value = null
      return
    }
    const column = t.columns.find((c) => c.key === key)
    if (!column) return
    if (!unsorted.value) unsorted.value = { resultId: t.resultId, rowCount: t.rowCount, complete: t.complete, atLeast: t.atLeast, firstRows: t.firstRows }
    const base = unsorted.value
    t.sorting = true
    try {
      if (!base.resultId || (base.complete && base.rowCount <= LOCAL_SORT_LIMIT)) {
        const all = base.resultId ? (t.localRows && t.localRows.length === base.rowCount ? t.localRows : await fetchWindow(base.resultId, 0, Math.max(1, base.rowCount))) : base.firstRows
        t.localRows = sortRows(all, column, descending)
        t.resultId = base.resultId
        t.rowCount = t.localRows.length
      } else {
        const sub = asSubquery(r.sent)
        if (!sub) throw new Error('Sorting a result this large runs the query again, sorted: that needs a single SELECT statement.')
        const ordinal = t.columns.indexOf(column) + 1
        const sorted = `SELECT * FROM (${sub}) AS dd_sorted ORDER BY ${ordinal} ${descending ? 'DESC' : 'ASC'} NULLS LAST`
        const reply = await connection.request(
          {
            request_to: 'duck',
            request_endpoint: 'querydata',
            request_args: { request_query: sorted, request_contents: ['Table'], request_render: WINDOW, keep: true },
          },
          { timeout: 5 * 60_000 },
        )
        const payload = reply.data!.table!
        t.resultId = reply.data!.result_id ?? null
        t.firstRows = payload.items as Row[]
        t.localRows = null
        // The sorted result holds the same rows: its count is the one already known.
        t.rowCount = base.rowCount
        t.complete = base.complete
      }
      t.sort = { key, descending }
      t.generation = ++generation
    } catch (e) {
      t.error = errorInfo(e).message
    } finally {
      t.sorting = false
    }
  }

  /** Runs a permalink's query at its versions and at the latest ones, and the rows that differ. */
  async function diffAgainstLatest(link: Permalink): Promise<void> {
    const state: DiffState = { running: true, error: null, oldRows: null, latestRows: null, latestVersions: {}, changes: null }
    diff.value = state
    const live = diff.value
    const old = asSubquery(pinnedSql(link))
    const latest = asSubquery(link.sql)
    if (!old || !latest) {
      live.running = false
      live.error = 'Only a single SELECT statement can be compared.'
      return
    }
    const ask = (query: string, kinds: RenderKind[], rows: number) =>
      connection.request(
        { request_to: 'duck', request_endpoint: 'querydata', request_args: { request_query: query, request_contents: kinds, request_render: rows } },
        { timeout: 5 * 60_000 },
      )
    const ctes = `WITH dd_old AS (${old}), dd_latest AS (${latest})`
    try {
      const [counts, changes] = await Promise.all([
        ask(`${ctes} SELECT (SELECT count(*) FROM dd_old) AS old_rows, (SELECT count(*) FROM dd_latest) AS latest_rows`, ['Table'], 1),
        ask(
          `${ctes} SELECT 'removed' AS "change", * FROM (SELECT * FROM dd_old EXCEPT ALL SELECT * FROM dd_latest) ` +
            `UNION ALL SELECT 'added' AS "change", * FROM (SELECT * FROM dd_latest EXCEPT ALL SELECT * FROM dd_old)`,
          ['Message', 'Table'],
          1000,
        ),
      ])
      const row = counts.data?.table?.items?.[0] ?? {}
      live.oldRows = Number(row.old_rows)
      live.latestRows = Number(row.latest_rows)
      // Both sides read the same tables, so the answer's versions cannot tell them apart: ask the registry.
      await tables.refresh()
      const versions: Record<string, number> = {}
      for (const name of latestRefNames(link.sql)) {
        const known = tables.tables.find((t) => t.name.toLowerCase() === name.toLowerCase())
        if (known) versions[name] = known.version
      }
      live.latestVersions = versions
      const payload = changes.data!.table!
      live.changes = {
        columns: tableColumns(payload),
        rows: payload.items as Row[],
        count: payload.row_count ?? parseSizeMessage(changes.data?.message)?.rows ?? null,
      }
    } catch (e) {
      live.error = errorInfo(e).message
    } finally {
      live.running = false
    }
  }

  function closeDiff() {
    diff.value = null
  }

  return {
    sql,
    contents,
    render,
    run,
    table,
    diff,
    running,
    permalink,
    submit,
    resume,
    cancel,
    fetchWindow,
    sortBy,
    diffAgainstLatest,
    closeDiff,
  }
})
