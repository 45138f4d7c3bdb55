// The querydata / fetchrows `data.table` payload as the Table Output shows it.
import type { Cell, Column, TablePayload } from '@/types/protocol'

export interface TableColumn {
  /** Key of the column's values in each item (distinct, free of dots; see the server's answer.cpp). */
  key: string
  /** The column's name as the query gave it (dots and spaces intact). */
  name: string
  type: string
  numeric: boolean
  /** Width in pixels for the virtual table. */
  width: number
}

const NUMERIC = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|REAL|DECIMAL|NUMERIC|BIGNUM|VARINT)\b/i

export function isNumericType(type: string): boolean {
  return NUMERIC.test(type.trim())
}

/** Columns of a table payload, in order, without the row number (`index`) the server puts first. */
export function tableColumns(payload: Pick<TablePayload, 'headers' | 'columns'>): TableColumn[] {
  const columns: Column[] =
    payload.columns ??
    payload.headers.filter((h, i) => !(i === 0 && h.value === 'index')).map((h) => ({ name: h.text, key: h.value, type: '' }))
  return columns.map((column) => ({
    key: column.key,
    name: column.name,
    type: column.type,
    numeric: isNumericType(column.type),
    width: columnWidth(column),
  }))
}

function columnWidth(column: Column): number {
  const byName = column.name.length * 8.5 + 48
  const byType = isNumericType(column.type) ? 110 : /^(DATE)$/i.test(column.type) ? 110 : /^TIMESTAMP/i.test(column.type) ? 190 : 150
  return Math.round(Math.min(360, Math.max(90, byName, byType)))
}

/** How a cell reads: NULL is marked so the table can show it apart from the text "NULL". */
export function cellText(value: Cell | undefined): { text: string; isNull: boolean } {
  if (value === null || value === undefined) return { text: 'NULL', isNull: true }
  if (typeof value === 'string') return { text: value, isNull: false }
  if (typeof value === 'number' || typeof value === 'boolean') return { text: String(value), isNull: false }
  return { text: JSON.stringify(value), isNull: false }
}

/** A number from a cell of a numeric column: exact-digit strings, NaN and infinities included. */
export function numberOf(value: Cell | undefined): number | null {
  if (typeof value === 'number') return value
  if (typeof value === 'string') {
    if (value === 'NaN') return NaN
    if (value === 'Infinity') return Infinity
    if (value === '-Infinity') return -Infinity
    const n = Number(value)
    return Number.isNaN(n) ? null : n
  }
  if (typeof value === 'boolean') return value ? 1 : 0
  return null
}

function compareExact(a: string, b: string): number {
  // Integers beyond 2^53 come as exact digit strings: compare them exactly.
  if (/^-?\d+$/.test(a) && /^-?\d+$/.test(b)) {
    const x = BigInt(a)
    const y = BigInt(b)
    return x < y ? -1 : x > y ? 1 : 0
  }
  return Number(a) - Number(b)
}

/** Compares two cells of a column; NULLs last whatever the direction. */
export function compareCells(a: Cell | undefined, b: Cell | undefined, column: Pick<TableColumn, 'numeric'>, descending = false): number {
  const aNull = a === null || a === undefined
  const bNull = b === null || b === undefined
  if (aNull || bNull) return aNull === bNull ? 0 : aNull ? 1 : -1
  let order: number
  if (column.numeric) {
    order = typeof a === 'string' || typeof b === 'string' ? compareExact(String(a), String(b)) : (a as number) - (b as number)
    if (Number.isNaN(order)) order = 0
  } else if (typeof a === 'number' && typeof b === 'number') {
    order = a - b
  } else {
    const x = cellText(a).text
    const y = cellText(b).text
    order = x < y ? -1 : x > y ? 1 : 0
  }
  return descending ? -order : order
}

/** Rows sorted by one column (a stable sort; NULLs last). */
export function sortRows<T extends Record<string, Cell>>(rows: T[], column: TableColumn, descending: boolean): T[] {
  return rows
    .map((row, i) => ({ row, i }))
    .sort((x, y) => compareCells(x.row[column.key], y.row[column.key], column, descending) || x.i - y.i)
    .map((entry) => entry.row)
}

/** `Queried Result Size: 3000, 4` → 3000 (and whether it is a lower bound: "at least"). */
export function parseSizeMessage(message: string | undefined): { rows: number; atLeast: boolean; columns: number } | null {
  const match = /Queried Result Size: (at least )?(\d+), (\d+)/.exec(message ?? '')
  if (!match) return null
  return { rows: Number(match[2]), atLeast: Boolean(match[1]), columns: Number(match[3]) }
}
