// Shapes of the wire protocol of `deltaduck serve` (README: "The duck worker's endpoints", "The dashboard server").

export type Role = 'duck' | 'delta'
export type RenderKind = 'Message' | 'Chart' | 'Table'
export type IngestMethod = 'overwrite' | 'append' | 'create' | 'ignore'

/** A JSON value as the server encodes query results (docs/values.md). */
export type Cell = string | number | boolean | null | Cell[] | { [key: string]: Cell }

export interface Request {
  request_to: Role
  request_endpoint: string
  request_args?: Record<string, unknown>
  request_id?: string
}

export interface ErrorInfo {
  type: string
  message: string
  detail?: string
}

export interface Column {
  name: string
  key: string
  type: string
}

export interface TablePayload {
  headers: { text: string; value: string }[]
  items: Record<string, Cell>[]
  columns?: Column[]
  row_count?: number | null
  rows_shown?: number
  truncated?: boolean
}

export interface ChartPayload {
  labels: (number | string)[]
  datasets: { label: string; data: (number | string | null)[]; backgroundColor?: string; borderColor?: string }[]
  x?: { name: string | null; type: string; data: (number | string | null)[] }
  series?: { name: string; type: string; data: (number | string | null)[] }[]
  downsampled?: { method: string; from_rows: number; points: number } | null
}

export interface IngestSummary {
  table: string
  version: number
  files: number
  rows: number
  bytes: number
  input_bytes?: number
  seconds?: number
  skipped?: boolean
}

export interface DeltaTableInfo {
  name: string
  version: number
  rows: number
  bytes: number
  files: number
  last_change: string
}

export interface LineageParent {
  kind: string
  name: string
  version?: number | null
}

export interface LineageRecord {
  table: string
  kind: string
  query: string
  location: string
  parents: LineageParent[]
  changed_at?: string
  gone?: boolean
}

export interface OverviewRow {
  TableName: string
  Parent: string
  Query: string
  Loc: string
}

export interface ReplyData {
  message?: string
  table?: TablePayload
  chart?: ChartPayload
  result_id?: string
  delta_versions?: Record<string, number>
  warnings?: string[]
  ingest?: IngestSummary
  tables?: DeltaTableInfo[]
  lineage?: LineageRecord[]
  pipeline?: unknown
}

export interface JobStatus {
  job_id: string
  state: 'running' | 'done' | 'failed' | 'cancelled'
  elapsed_ms?: number
  progress?: number | null
  request_id?: string
  endpoint?: string
  role?: string
}

export interface HeldInfo {
  result_id: string
  row_count?: number
  complete: boolean
  error?: ErrorInfo
}

/** Any message the server sends on /ws. */
export interface Message {
  respond_to?: string
  request_id?: string | null
  job_id?: string
  response_contents?: RenderKind[]
  data?: ReplyData
  error?: ErrorInfo
  job?: JobStatus
  progress?: { done: number; total: number | null; unit?: string; rows?: number }
  held?: HeldInfo
}

export interface TableHistoryEntry {
  version: number
  timestamp: number
  operation: string
  parameters?: Record<string, string>
  metrics?: Record<string, string>
}

export interface TableDetails {
  name: string
  version: number
  bytes: number
  files: number
  schema: { name: string; type: string; nullable: boolean }[]
  history: TableHistoryEntry[]
  lineage: LineageRecord[]
  partition_columns: string[]
  protocol: { min_reader_version: number; min_writer_version: number; reader_features?: string[]; writer_features?: string[] }
}

export interface WorkerInfo {
  id: string
  role: string
  status: string
  transport: string
  /** Requests answered since the gateway started (embedded and HTTP workers). */
  handled?: number
  /** Requests running now (cluster workers). */
  in_flight?: number
  /** Where it runs and when it last said it is alive (workers registered in PostgreSQL). */
  host?: string
  address?: string
  last_heartbeat?: string
}

export interface FolderInfo {
  name: string
  files?: number
  bytes?: number
}
