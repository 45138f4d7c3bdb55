import { describe, expect, it } from 'vitest'
import { chartFromPayload, chartFromRows, chartOption, timeValue, MANY_SERIES } from './chart'
import { tableColumns } from './table'
import type { ChartPayload } from '@/types/protocol'

// A reply's chart as the server sends it (README: "The duck worker's endpoints").
const payload: ChartPayload = {
  labels: [0, 5, 18, 801, 2549, 2999],
  datasets: [],
  x: { name: 'Date Time', type: 'TIMESTAMP', data: ['2020-01-01T00:10:00', '2020-01-01T00:20:00', '2020-01-02T00:00:00', '2020-03-01T00:00:00', '2020-09-01T00:00:00', '2021-01-01T00:00:00'] },
  series: [
    { name: 'T (degC)', type: 'DOUBLE', data: [6, null, null, 29.9, 5, 23] },
    { name: 'max. wv (m/s)', type: 'BIGINT', data: [12, 0, 29, null, null, '9007199254740993'] },
  ],
  downsampled: { method: 'm4', from_rows: 3000, points: 6 },
}

describe('chart payload → chart', () => {
  it('reads wall-clock timestamps as UTC and keeps each series to its own points (M4 gaps are not data)', () => {
    const model = chartFromPayload(payload)
    expect(model.xKind).toBe('time')
    expect(model.xName).toBe('Date Time')
    expect(model.series[0]).toEqual({
      name: 'T (degC)',
      points: [
        [Date.UTC(2020, 0, 1, 0, 10), 6],
        [Date.UTC(2020, 2, 1), 29.9],
        [Date.UTC(2020, 8, 1), 5],
        [Date.UTC(2021, 0, 1), 23],
      ],
    })
    expect(model.series[1].points.map((p) => p[1])).toEqual([12, 0, 29, 9007199254740993])
    expect(model.downsampled).toEqual({ method: 'm4', fromRows: 3000, points: 6 })
  })

  it('draws against the row index on request', () => {
    const model = chartFromPayload(payload, true)
    expect(model.xKind).toBe('value')
    expect(model.series[0].points.map((p) => p[0])).toEqual([0, 801, 2549, 2999])
  })

  it('understands dates, times and zones', () => {
    expect(timeValue('2024-02-29', 'DATE')).toBe(Date.UTC(2024, 1, 29))
    expect(timeValue('13:45:07.250000', 'TIME')).toBe(Date.UTC(1970, 0, 1, 13, 45, 7, 250))
    expect(timeValue('2024-03-01T10:00:00Z', 'TIMESTAMP WITH TIME ZONE')).toBe(Date.UTC(2024, 2, 1, 10))
    expect(timeValue(null, 'DATE')).toBeNull()
  })

  it('charts rows against any column, saying it is the first rows only', () => {
    const table = {
      headers: [],
      columns: [
        { name: 'city', key: 'city', type: 'VARCHAR' },
        { name: 'T (degC)', key: 't_degc', type: 'DOUBLE' },
        { name: 'n', key: 'n', type: 'HUGEINT' },
      ],
    }
    const columns = tableColumns(table)
    const model = chartFromRows(columns, [{ city: 'Oslo', t_degc: 3, n: 1 }, { city: 'Cairo', t_degc: null, n: 2 }], 'city', 10)
    expect(model.xKind).toBe('category')
    expect(model.series).toEqual([
      { name: 'T (degC)', points: [['Oslo', 3]] },
      { name: 'n', points: [['Oslo', 1], ['Cairo', 2]] },
    ])
    expect(model.firstRows).toEqual({ shown: 2, of: 10 })
  })

  it('builds an ECharts option with zoom, legend and one series per column', () => {
    const option = chartOption(chartFromPayload(payload), 'bar', { dark: true, text: '#fff', grid: '#666' }) as any
    expect(option.xAxis.type).toBe('time')
    expect(option.useUTC).toBe(true)
    expect(option.dataZoom.map((z: any) => z.type)).toEqual(['inside', 'slider'])
    expect(option.series.map((s: any) => [s.name, s.type])).toEqual([
      ['T (degC)', 'bar'],
      ['max. wv (m/s)', 'bar'],
    ])
    expect(Object.values(option.legend.selected)).toEqual([true, true])
  })

  it('of many series, draws a few of comparable scale first, the legend holding the rest', () => {
    const scales = [1000, 20, 300, 15, 100, 8, 2, 12]
    const many = { ...payload, series: scales.map((scale, i) => ({ name: `s${i}`, type: 'DOUBLE', data: [1, 2, 3, 4, 5, 6].map((v) => v * (scale / 6)) })) }
    expect(many.series.length).toBeGreaterThan(MANY_SERIES)
    const option = chartOption(chartFromPayload(many), 'line', { dark: false, text: '#000', grid: '#ccc' }) as any
    expect(option.legend.selected).toEqual({ s0: false, s1: true, s2: false, s3: true, s4: false, s5: false, s6: false, s7: true })
    expect(option.series).toHaveLength(scales.length)
  })
})
