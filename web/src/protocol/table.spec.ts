import { describe, expect, it } from 'vitest'
import { cellText, compareCells, parseSizeMessage, sortRows, tableColumns } from './table'

// The table payload of a reply, with a column name holding a dot and a space.
const payload = {
  headers: [
    { text: 'index', value: 'index' },
    { text: 'max. wv (m/s)', value: 'max_wv_m_s' },
    { text: 'city', value: 'city' },
  ],
  columns: [
    { name: 'max. wv (m/s)', key: 'max_wv_m_s', type: 'DECIMAL(18,3)' },
    { name: 'city', key: 'city', type: 'VARCHAR' },
  ],
  items: [],
}

describe('table payload → table', () => {
  it('keeps column names intact and knows which are numbers', () => {
    const columns = tableColumns(payload)
    expect(columns.map((c) => [c.name, c.key, c.numeric])).toEqual([
      ['max. wv (m/s)', 'max_wv_m_s', true],
      ['city', 'city', false],
    ])
    // The original's shape without `columns`: headers minus the index.
    expect(tableColumns({ headers: payload.headers }).map((c) => c.name)).toEqual(['max. wv (m/s)', 'city'])
  })

  it('shows NULL apart from the text NULL', () => {
    expect(cellText(null)).toEqual({ text: 'NULL', isNull: true })
    expect(cellText('NULL')).toEqual({ text: 'NULL', isNull: false })
    expect(cellText({ a: [1, null] })).toEqual({ text: '{"a":[1,null]}', isNull: false })
    expect(cellText(0)).toEqual({ text: '0', isNull: false })
  })

  it('sorts numbers exactly (big integers as digit strings) with NULLs last both ways', () => {
    const [number] = tableColumns(payload)
    const rows = [{ max_wv_m_s: '9007199254740993' }, { max_wv_m_s: null }, { max_wv_m_s: 2 }, { max_wv_m_s: '9007199254740992' }]
    expect(sortRows(rows, number, false).map((r) => r.max_wv_m_s)).toEqual([2, '9007199254740992', '9007199254740993', null])
    expect(sortRows(rows, number, true).map((r) => r.max_wv_m_s)).toEqual(['9007199254740993', '9007199254740992', 2, null])
    expect(compareCells('b', 'a', { numeric: false })).toBeGreaterThan(0)
  })

  it('reads the size message, exact or a lower bound', () => {
    expect(parseSizeMessage('Queried Result Size: 3000, 4')).toEqual({ rows: 3000, atLeast: false, columns: 4 })
    expect(parseSizeMessage('Queried Result Size: at least 4096, 1')).toEqual({ rows: 4096, atLeast: true, columns: 1 })
    expect(parseSizeMessage('CREATE OK')).toBeNull()
  })
})
