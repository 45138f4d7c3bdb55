import { describe, expect, it } from 'vitest'
import { buildGraph, defaultFocus, edgeText, hiddenNeighbours, visibleGraph } from './lineage'
import type { DeltaTableInfo, LineageRecord } from '@/types/protocol'

const tables: DeltaTableInfo[] = [
  { name: 'climate', version: 3, rows: 10, bytes: 1, files: 1, last_change: '' },
  { name: 'stations', version: 0, rows: 2, bytes: 1, files: 1, last_change: '' },
]
const lineage: LineageRecord[] = [
  { table: 't', kind: 'table', query: 'CREATE TABLE t AS ...', location: 'w', parents: [{ kind: 'delta', name: '=(^)climate', version: 2 }, { kind: 'delta', name: '=(^)stations', version: 0 }], changed_at: '2026-01-01T00:00:00Z' },
  { table: 'u', kind: 'view', query: 'CREATE VIEW u AS ...', location: 'w', parents: [{ kind: 'table', name: 't' }], changed_at: '2026-01-02T00:00:00Z' },
  { table: 'v', kind: 'table', query: 'CREATE TABLE v AS ...', location: 'w', parents: [{ kind: 'table', name: 'u' }], changed_at: '2025-01-01T00:00:00Z' },
]

describe('lineage graph', () => {
  const graph = buildGraph(tables, lineage)

  it('has tables as nodes and parent → child edges with the Delta version read', () => {
    expect([...graph.nodes.keys()].sort()).toEqual(['=(^)climate', '=(^)stations', 't', 'u', 'v'])
    expect(graph.nodes.get('u')!.kind).toBe('view')
    expect(graph.edges.map(edgeText)).toEqual(['=(^)climate@2 → t', '=(^)stations@0 → t', 't → u', 'u → v'])
  })

  it('starts at the newest derived table, depth 1', () => {
    expect(defaultFocus(tables, lineage)).toBe('u')
    const view = visibleGraph(graph, 'u', new Set())
    expect(view.nodes.map((n) => n.id).sort()).toEqual(['t', 'u', 'v'])
    expect(hiddenNeighbours(graph, 't', new Set(view.nodes.map((n) => n.id)))).toBe(2)
  })

  it('expands on demand, through nodes another expansion showed', () => {
    expect(visibleGraph(graph, 'v', new Set(['u'])).nodes.map((n) => n.id).sort()).toEqual(['t', 'u', 'v'])
    const all = visibleGraph(graph, 'v', new Set(['u', 't']))
    expect(all.nodes).toHaveLength(5)
    expect(all.edges).toHaveLength(4)
    // An expanded node that nothing shows adds nothing.
    expect(visibleGraph(graph, 'v', new Set(['t'])).nodes.map((n) => n.id).sort()).toEqual(['u', 'v'])
  })

  it('starts at a Delta table when nothing is derived', () => {
    expect(defaultFocus(tables, [])).toBe('=(^)climate')
    expect(visibleGraph(buildGraph(tables, []), '=(^)climate', new Set()).nodes.map((n) => n.id)).toEqual(['=(^)climate'])
  })
})
