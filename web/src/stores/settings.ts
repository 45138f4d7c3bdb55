// Settings: the theme, the DuckDB connection (`duckconnect`) and the workers behind the server.
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'
import { useConnectionStore } from './connection'
import type { WorkerInfo } from '@/types/protocol'

export type ThemeName = 'dark' | 'light'

const THEME_KEY = 'deltaduck.theme'
const CONN_KEY = 'deltaduck.connString'

export const useSettingsStore = defineStore('settings', () => {
  const connection = useConnectionStore()

  const stored = globalThis.localStorage?.getItem(THEME_KEY)
  const theme = ref<ThemeName>(stored === 'light' ? 'light' : 'dark')
  watch(theme, (name) => globalThis.localStorage?.setItem(THEME_KEY, name))

  const connString = ref(globalThis.localStorage?.getItem(CONN_KEY) ?? ':memory:')
  const connecting = ref(false)
  const connectOutcome = ref<{ kind: 'success' | 'error'; message: string } | null>(null)

  const workers = ref<WorkerInfo[]>([])
  const workersError = ref<string | null>(null)
  const workersAt = ref<number | null>(null)

  /** Sends `duckconnect`: the database the duck workers use from now on. */
  async function connect(): Promise<void> {
    connecting.value = true
    connectOutcome.value = null
    try {
      const reply = await connection.request(
        { request_to: 'duck', request_endpoint: 'duckconnect', request_args: { conn_string: connString.value.trim() } },
        { timeout: 60_000 },
      )
      connectOutcome.value = { kind: 'success', message: reply.data?.message ?? 'Connected!' }
      globalThis.localStorage?.setItem(CONN_KEY, connString.value.trim())
    } catch (e) {
      connectOutcome.value = { kind: 'error', message: (e as Error).message }
    } finally {
      connecting.value = false
    }
  }

  async function loadWorkers(): Promise<void> {
    try {
      const answer = await connection.api<{ workers: WorkerInfo[] }>('/api/workers')
      workers.value = answer.workers ?? []
      workersError.value = null
      workersAt.value = Date.now()
    } catch (e) {
      workersError.value = (e as Error).message
    }
  }

  return { theme, connString, connecting, connectOutcome, connect, workers, workersError, workersAt, loadWorkers }
})
