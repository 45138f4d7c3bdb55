// Query history: the last queries run from this browser, kept in IndexedDB and bounded.
import { defineStore } from 'pinia'
import { ref } from 'vue'

export interface HistoryEntry {
  id?: number
  sql: string
  /** When it ran (epoch ms). */
  at: number
  state: 'done' | 'failed' | 'cancelled'
  ms: number | null
  rows: number | null
  /** Delta versions read, as for a permalink. */
  versions?: Record<string, number>
}

export interface HistoryBackend {
  /** Newest first. */
  list(limit: number): Promise<HistoryEntry[]>
  add(entry: HistoryEntry): Promise<number>
  remove(id: number): Promise<void>
  /** Deletes the oldest entries beyond `keep`. */
  trim(keep: number): Promise<void>
  clear(): Promise<void>
}

/** At most this many queries are kept. */
export const HISTORY_LIMIT = 200

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

export function indexedDbHistory(name = 'deltaduck'): HistoryBackend {
  let db: Promise<IDBDatabase> | null = null
  const open = () =>
    (db ??= new Promise((resolve, reject) => {
      const request = indexedDB.open(name, 1)
      request.onupgradeneeded = () => request.result.createObjectStore('history', { keyPath: 'id', autoIncrement: true })
      request.onsuccess = () => resolve(request.result)
      request.onerror = () => reject(request.error)
    }))
  const store = async (mode: IDBTransactionMode) => (await open()).transaction('history', mode).objectStore('history')
  return {
    async list(limit) {
      const entries: HistoryEntry[] = []
      const cursorRequest = (await store('readonly')).openCursor(null, 'prev')
      return new Promise((resolve, reject) => {
        cursorRequest.onsuccess = () => {
          const cursor = cursorRequest.result
          if (!cursor || entries.length >= limit) return resolve(entries)
          entries.push(cursor.value as HistoryEntry)
          cursor.continue()
        }
        cursorRequest.onerror = () => reject(cursorRequest.error)
      })
    },
    async add(entry) {
      return Number(await promised((await store('readwrite')).add(entry)))
    },
    async remove(id) {
      await promised((await store('readwrite')).delete(id))
    },
    async trim(keep) {
      const objects = await store('readwrite')
      let excess = (await promised(objects.count())) - keep
      if (excess <= 0) return
      const cursorRequest = objects.openCursor(null, 'next')
      await new Promise<void>((resolve, reject) => {
        cursorRequest.onsuccess = () => {
          const cursor = cursorRequest.result
          if (!cursor || excess-- <= 0) return resolve()
          cursor.delete()
          cursor.continue()
        }
        cursorRequest.onerror = () => reject(cursorRequest.error)
      })
    },
    async clear() {
      await promised((await store('readwrite')).clear())
    },
  }
}

/** History in memory only (a browser without IndexedDB, and unit tests). */
export function memoryHistory(): HistoryBackend {
  let entries: HistoryEntry[] = []
  let next = 1
  return {
    async list(limit) {
      return entries.slice(-limit).reverse().map((e) => ({ ...e }))
    },
    async add(entry) {
      const id = next++
      entries.push({ ...entry, id })
      return id
    },
    async remove(id) {
      entries = entries.filter((e) => e.id !== id)
    },
    async trim(keep) {
      entries = entries.slice(Math.max(0, entries.length - keep))
    },
    async clear() {
      entries = []
    },
  }
}

let backendFactory: () => HistoryBackend = () => (typeof indexedDB === 'undefined' ? memoryHistory() : indexedDbHistory())

/** Tests choose the backend before the store is first used. */
export function setHistoryBackend(factory: () => HistoryBackend): void {
  backendFactory = factory
}

export const useHistoryStore = defineStore('history', () => {
  const backend = backendFactory()
  const entries = ref<HistoryEntry[]>([])
  const loaded = ref(false)

  async function load(): Promise<void> {
    try {
      entries.value = await backend.list(HISTORY_LIMIT)
    } catch {
      entries.value = []
    }
    loaded.value = true
  }

  /** Adds a query run; running the same SQL again moves it to the top instead of repeating it. */
  async function record(entry: HistoryEntry): Promise<void> {
    if (!loaded.value) await load()
    try {
      for (const same of entries.value.filter((e) => e.sql === entry.sql && e.id !== undefined)) await backend.remove(same.id!)
      await backend.add(entry)
      await backend.trim(HISTORY_LIMIT)
    } catch {
      // A private window may refuse storage: the history is a convenience.
    }
    await load()
  }

  async function clear(): Promise<void> {
    await backend.clear()
    entries.value = []
  }

  return { entries, loaded, load, record, clear }
})
