// Rows of a result held on the server, fetched in windows (`fetchrows`) as the table scrolls to them, with a
// bounded cache. Rows the browser already has (the first answer, or a small result sorted here) are used as is.
import { ref, watch, type Ref } from 'vue'
import type { Row, TableSource } from '@/stores/query'

export interface HeldRowsOptions {
  /** Rows per window. */
  window?: number
  /** Windows kept; the least recently used go first. */
  maxWindows?: number
}

export function useHeldRows(
  source: Ref<TableSource | null>,
  fetchWindow: (resultId: string, offset: number, limit: number) => Promise<Row[]>,
  options: HeldRowsOptions = {},
) {
  const size = options.window ?? 500
  const maxWindows = options.maxWindows ?? 40
  /** Bumped when a window arrives, so rows read through `row()` update. */
  const version = ref(0)
  const error = ref<string | null>(null)
  const loading = ref(0)

  let cache = new Map<number, Row[]>()
  let pending = new Set<number>()
  let generation = -1

  function reset() {
    cache = new Map()
    pending = new Set()
    error.value = null
    version.value++
  }

  watch(
    () => source.value?.generation,
    (now) => {
      if (now !== generation) {
        generation = now ?? -1
        reset()
      }
    },
    { immediate: true },
  )

  function touch(index: number, rows: Row[]) {
    cache.delete(index)
    cache.set(index, rows)
    while (cache.size > maxWindows) cache.delete(cache.keys().next().value!)
  }

  /** The row at a position, or undefined while it is being fetched. */
  function row(i: number): Row | undefined {
    void version.value
    const s = source.value
    if (!s) return undefined
    if (s.localRows) return s.localRows[i]
    if (i < s.firstRows.length) return s.firstRows[i]
    const w = Math.floor(i / size)
    return cache.get(w)?.[i - w * size]
  }

  /** Fetches the windows covering rows [first, last] that are not here yet. */
  function ensure(first: number, last: number) {
    const s = source.value
    if (!s || s.localRows || !s.resultId) return
    // While the result is still being stored, only the rows answered so far can be shown.
    const end = Math.min(last, (s.complete ? s.rowCount : s.firstRows.length) - 1)
    const resultId = s.resultId
    const mine = generation
    for (let w = Math.floor(Math.max(0, first) / size); w * size <= end; w++) {
      if ((w + 1) * size <= s.firstRows.length || cache.has(w) || pending.has(w)) continue
      pending.add(w)
      loading.value++
      fetchWindow(resultId, w * size, size)
        .then((rows) => {
          if (mine !== generation) return
          touch(w, rows)
          version.value++
        })
        .catch((e: Error) => {
          if (mine === generation) error.value = e.message
        })
        .finally(() => {
          pending.delete(w)
          loading.value--
        })
    }
  }

  return { row, ensure, version, error, loading }
}
