// Delta tables, lineage and raw/ folders: what the DeltaLake Manage page shows, and what the SQL editor
// completes.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { ApiError, useConnectionStore } from './connection'
import type { DeltaTableInfo, FolderInfo, LineageRecord, OverviewRow, TableDetails } from '@/types/protocol'
import { buildGraph } from '@/protocol/lineage'

export const useTablesStore = defineStore('tables', () => {
  const connection = useConnectionStore()

  const tables = ref<DeltaTableInfo[]>([])
  /** The original's DeltaLake Overview rows (TableName, Parent, Query, Loc). */
  const overview = ref<OverviewRow[]>([])
  const lineage = ref<LineageRecord[]>([])
  const loaded = ref(false)
  const loading = ref(false)
  const error = ref<string | null>(null)

  const folders = ref<FolderInfo[]>([])
  /** Whether the server lists raw/ folders (GET /api/folders); null until asked. */
  const foldersAvailable = ref<boolean | null>(null)

  const details = ref<Record<string, TableDetails>>({})

  const graph = computed(() => buildGraph(tables.value, lineage.value))
  /** DuckDB tables and views made by queries (not Delta tables): completion offers them by name. */
  const derivedTables = computed(() => lineage.value.filter((r) => !r.gone).map((r) => r.table))

  /** Refreshes the registry with `checktable`, the original's request. */
  async function refresh(): Promise<void> {
    loading.value = true
    try {
      const reply = await connection.request({ request_to: 'duck', request_endpoint: 'checktable', request_args: {} }, { timeout: 30_000 })
      const data = reply.data ?? {}
      tables.value = data.tables ?? []
      lineage.value = data.lineage ?? []
      overview.value = (data.table?.items as unknown as OverviewRow[] | undefined) ?? []
      error.value = null
      loaded.value = true
      // Details cached before this refresh may be of older versions.
      for (const table of tables.value) {
        if (details.value[table.name] && details.value[table.name].version !== table.version) delete details.value[table.name]
      }
    } catch (e) {
      error.value = (e as Error).message
    } finally {
      loading.value = false
    }
  }

  async function loadFolders(): Promise<void> {
    try {
      const answer = await connection.api<{ folders: FolderInfo[] }>('/api/folders')
      folders.value = answer.folders ?? []
      foldersAvailable.value = true
    } catch (e) {
      // An older server has no folder list: the form takes free text then.
      if (e instanceof ApiError && e.status === 404) foldersAvailable.value = false
      folders.value = []
    }
  }

  /** One table's schema, protocol, history and lineage (GET /api/tables/{name}), cached per version. */
  async function loadDetails(name: string, force = false): Promise<TableDetails> {
    const cached = details.value[name]
    if (cached && !force) return cached
    const answer = await connection.api<TableDetails>('/api/tables/' + encodeURIComponent(name))
    details.value[name] = answer
    return answer
  }

  /** Column names of a Delta table, for completion; empty when it cannot be read. */
  async function columnsOf(name: string): Promise<{ name: string; type: string }[]> {
    try {
      return (await loadDetails(name)).schema
    } catch {
      return []
    }
  }

  return {
    tables,
    overview,
    lineage,
    loaded,
    loading,
    error,
    folders,
    foldersAvailable,
    details,
    graph,
    derivedTables,
    refresh,
    loadFolders,
    loadDetails,
    columnsOf,
  }
})
