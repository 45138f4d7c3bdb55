// The querydata `data.chart` payload (or rows of the table) as an ECharts option.
import type { Cell, ChartPayload } from '@/types/protocol'
import { isNumericType, numberOf, type TableColumn } from './table'

export type ChartKind = 'line' | 'bar' | 'scatter'
export type AxisKind = 'time' | 'value' | 'category'

export interface ChartModel {
  /** Name of the x axis (a column, or "row" for the row index). */
  xName: string
  xKind: AxisKind
  series: { name: string; points: [number | string, number][] }[]
  /** Set when the points stand for more rows (M4 over the whole result). */
  downsampled?: { method: string; fromRows: number; points: number }
  /** Set when the chart shows only the first rows of a longer result (a client-side x column). */
  firstRows?: { shown: number; of: number | null }
}

/** Server colours of the original dashboard, cycled per series. */
export const PALETTE = ['#07ee7a', '#e86620', '#4fc3f7', '#ffd54f', '#ba68c8', '#f06292', '#81c784', '#90a4ae', '#ff8a65', '#9575cd']

export function axisKind(type: string): AxisKind {
  const t = type.trim().toUpperCase()
  if (t === 'ROW_INDEX') return 'value'
  if (/^(DATE|TIMESTAMP|TIME)/.test(t)) return 'time'
  if (isNumericType(t)) return 'value'
  return 'category'
}

/**
 * Epoch milliseconds of a date/time value as the server writes it. Wall-clock values (no zone) are read as
 * UTC and the chart draws in UTC, so the axis shows the same wall-clock time as the table.
 */
export function timeValue(value: Cell | undefined, type: string): number | null {
  if (typeof value === 'number') return value
  if (typeof value !== 'string') return null
  const t = type.trim().toUpperCase()
  let text = value
  if (/^TIME( |_NS|$)/.test(t) || /^\d{2}:\d{2}/.test(text)) text = '1970-01-01T' + text
  else if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00'
  text = text.replace(' ', 'T')
  if (!/(Z|[+-]\d{2}(:?\d{2})?)$/.test(text)) text += 'Z'
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? null : ms
}

function xValue(value: Cell | undefined, kind: AxisKind, type: string): number | string | null {
  if (kind === 'time') return timeValue(value, type)
  if (kind === 'value') {
    const n = numberOf(value)
    return n === null || !Number.isFinite(n) ? null : n
  }
  return value === null || value === undefined ? null : typeof value === 'string' ? value : JSON.stringify(value)
}

function pairs(xs: (number | string | null)[], ys: (Cell | undefined)[]): [number | string, number][] {
  const points: [number | string, number][] = []
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]
    const y = numberOf(ys[i])
    // M4 leaves a series null where another series has its point: such gaps are not data.
    if (x === null || y === null || !Number.isFinite(y)) continue
    points.push([x, y])
  }
  return points
}

/** The server's chart: x is its chosen column, or the row index (`byRowIndex`, from `labels`). */
export function chartFromPayload(payload: ChartPayload, byRowIndex = false): ChartModel {
  const series = payload.series ?? payload.datasets.map((d) => ({ name: d.label, type: 'DOUBLE', data: d.data }))
  const x = byRowIndex || !payload.x ? { name: null, type: 'ROW_INDEX', data: payload.labels } : payload.x
  const xKind = axisKind(x.type)
  const xs = x.data.map((v) => xValue(v, xKind, x.type))
  const model: ChartModel = {
    xName: x.name ?? 'row',
    xKind,
    series: series.map((s) => ({ name: s.name, points: pairs(xs, s.data) })),
  }
  if (payload.downsampled) {
    model.downsampled = {
      method: payload.downsampled.method,
      fromRows: payload.downsampled.from_rows,
      points: payload.downsampled.points,
    }
  }
  return model
}

/** A chart of table rows against any column (the first rows only: those the client holds). */
export function chartFromRows(columns: TableColumn[], rows: Record<string, Cell>[], xKey: string, totalRows: number | null): ChartModel {
  const xColumn = columns.find((c) => c.key === xKey)
  const xKind = xColumn ? axisKind(xColumn.type) : 'value'
  const xs = rows.map((row, i) => (xColumn ? xValue(row[xColumn.key], xKind, xColumn.type) : i))
  const series = columns
    .filter((c) => c.numeric && c.key !== xKey)
    .map((c) => ({ name: c.name, points: pairs(xs, rows.map((row) => row[c.key])) }))
  const model: ChartModel = { xName: xColumn?.name ?? 'row', xKind, series }
  if (totalRows === null || totalRows > rows.length) model.firstRows = { shown: rows.length, of: totalRows }
  return model
}

/**
 * The series drawn at first: all of them when they are few, else the first SHOWN_SERIES of the largest group
 * of series of the same order of magnitude (a pressure near 1000 flattens temperatures near 10).
 */
export function seriesDrawnFirst(model: Pick<ChartModel, 'series'>): Set<string> {
  if (model.series.length <= MANY_SERIES) return new Set(model.series.map((s) => s.name))
  const groups = new Map<number, string[]>()
  for (const s of model.series) {
    const largest = s.points.reduce((m, p) => Math.max(m, Math.abs(p[1])), 0)
    const magnitude = largest > 1 ? Math.floor(Math.log10(largest)) : 0
    groups.set(magnitude, [...(groups.get(magnitude) ?? []), s.name])
  }
  const biggest = [...groups.values()].reduce((a, b) => (b.length > a.length ? b : a))
  return new Set(biggest.slice(0, SHOWN_SERIES))
}

/** Beyond this many series only SHOWN_SERIES are drawn at first. */
export const MANY_SERIES = 6
export const SHOWN_SERIES = 4

export interface ChartLook {
  dark: boolean
  /** The user asked for less motion (prefers-reduced-motion): no animation. */
  still?: boolean
  text: string
  grid: string
}

/** The ECharts option for a model: one series per column, a zoom slider, a scrolling legend. */
export function chartOption(model: ChartModel, kind: ChartKind, look: ChartLook): Record<string, unknown> {
  const drawn = seriesDrawnFirst(model)
  const many = model.series.reduce((n, s) => n + s.points.length, 0) > 2000
  const axisLine = { lineStyle: { color: look.grid } }
  return {
    backgroundColor: 'transparent',
    color: PALETTE,
    useUTC: true,
    animation: !many && !look.still,
    animationDuration: 300,
    textStyle: { color: look.text },
    legend: {
      type: 'scroll',
      top: 0,
      textStyle: { color: look.text },
      pageTextStyle: { color: look.text },
      // Many series on one axis hide each other: a few of comparable scale are drawn, the legend turns on the rest.
      selected: Object.fromEntries(model.series.map((s) => [s.name, drawn.has(s.name)])),
    },
    tooltip: { trigger: kind === 'scatter' ? 'item' : 'axis', confine: true },
    grid: { left: 56, right: 24, top: 40, bottom: 72, containLabel: false },
    xAxis: {
      type: model.xKind,
      name: model.xName,
      nameLocation: 'middle',
      nameGap: 28,
      scale: model.xKind === 'value',
      axisLine,
      axisLabel: { color: look.text, hideOverlap: true },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'value',
      scale: true,
      axisLine,
      axisLabel: { color: look.text },
      splitLine: { lineStyle: { color: look.grid, opacity: 0.4 } },
    },
    dataZoom: [
      { type: 'inside', xAxisIndex: 0, filterMode: 'none' },
      { type: 'slider', xAxisIndex: 0, height: 18, bottom: 8, filterMode: 'none', textStyle: { color: look.text } },
    ],
    series: model.series.map((s) => ({
      name: s.name,
      type: kind,
      // A line joins points in x order, whatever the order of the rows.
      data: kind === 'line' && model.xKind !== 'category' ? [...s.points].sort((a, b) => (a[0] as number) - (b[0] as number)) : s.points,
      showSymbol: kind !== 'line' || s.points.length < 100,
      symbolSize: kind === 'scatter' ? 5 : 4,
      smooth: kind === 'line' && !model.downsampled ? 0.2 : false,
      large: kind !== 'line' && s.points.length > 2000,
      lineStyle: kind === 'line' ? { width: 1.5 } : undefined,
      emphasis: { focus: 'series' },
    })),
  }
}
