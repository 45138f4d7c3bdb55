// Loading a raw/ folder or a query into a Delta table (`ingestdata`), with its progress.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { useConnectionStore } from './connection'
import { useTablesStore } from './tables'
import type { IngestMethod, IngestSummary } from '@/types/protocol'

export interface IngestForm {
  /** A folder name under raw/, or a query (the original treats any text containing SELECT as SQL). */
  source: string
  method: IngestMethod
  table: string
  naiveTimestamps?: 'ntz' | 'utc' | null
}

export interface IngestOutcome {
  kind: 'success' | 'error'
  message: string
  summary?: IngestSummary
}

export const useIngestStore = defineStore('ingest', () => {
  const connection = useConnectionStore()
  const tables = useTablesStore()

  const running = ref(false)
  const progress = ref<{ done: number; total: number | null; unit?: string; rows?: number } | null>(null)
  const outcome = ref<IngestOutcome | null>(null)

  /** Percent done, or null while the total is unknown. */
  const percent = computed(() => {
    const p = progress.value
    if (!p || !p.total) return null
    return Math.min(100, (100 * p.done) / p.total)
  })

  async function load(form: IngestForm): Promise<IngestOutcome> {
    running.value = true
    progress.value = null
    outcome.value = null
    const args: Record<string, unknown> = {
      request_folderpath: form.source.trim(),
      request_tablename: form.table.trim(),
      request_method: form.method,
    }
    if (form.naiveTimestamps) args.request_naive_timestamps = form.naiveTimestamps
    try {
      const reply = await connection.request(
        { request_to: 'delta', request_endpoint: 'ingestdata', request_args: args },
        {
          // Long loads send progress; the wait is for silence, not for the whole load.
          timeout: 10 * 60_000,
          onMessage: (message) => {
            if (message.progress) progress.value = message.progress
          },
        },
      )
      outcome.value = { kind: 'success', message: reply.data?.message ?? 'Done', summary: reply.data?.ingest }
    } catch (e) {
      outcome.value = { kind: 'error', message: (e as Error).message }
    } finally {
      running.value = false
    }
    void tables.refresh()
    return outcome.value!
  }

  return { running, progress, percent, outcome, load }
})
