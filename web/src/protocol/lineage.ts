// Lineage as a graph: tables are nodes, "parent was read into child" an edge labelled with the Delta version
// read. The view shows one table and its direct neighbours; any node can be expanded on demand.
import type { DeltaTableInfo, LineageRecord } from '@/types/protocol'

export interface LineageNode {
  id: string
  kind: 'delta' | 'table' | 'view' | 'other'
  gone: boolean
}

export interface LineageEdge {
  from: string
  to: string
  /** The Delta version of the parent the child was made from, when the parent is a Delta table. */
  version: number | null
  query: string
}

export interface LineageGraph {
  nodes: Map<string, LineageNode>
  edges: LineageEdge[]
}

/** `=(^)name` for a Delta table name (names in records already carry it). */
export function deltaId(name: string): string {
  return name.startsWith('=(^)') ? name : '=(^)' + name
}

export function buildGraph(tables: DeltaTableInfo[], lineage: LineageRecord[]): LineageGraph {
  const nodes = new Map<string, LineageNode>()
  const add = (id: string, kind: LineageNode['kind'], gone = false) => {
    const known = nodes.get(id)
    if (!known) nodes.set(id, { id, kind, gone })
    else if (known.kind === 'other') known.kind = kind
  }
  for (const table of tables) add(deltaId(table.name), 'delta')
  const edges: LineageEdge[] = []
  for (const record of lineage) {
    const kind = record.kind === 'view' ? 'view' : record.kind === 'delta' ? 'delta' : 'table'
    add(record.table, kind, Boolean(record.gone))
    for (const parent of record.parents) {
      const id = parent.kind === 'delta' ? deltaId(parent.name) : parent.name
      add(id, parent.kind === 'delta' ? 'delta' : 'other')
      edges.push({ from: id, to: record.table, version: parent.version ?? null, query: record.query })
    }
  }
  return { nodes, edges }
}

/** The table the view starts from: the most recently derived one, else the first Delta table. */
export function defaultFocus(tables: DeltaTableInfo[], lineage: LineageRecord[]): string | null {
  const derived = [...lineage].filter((r) => !r.gone).sort((a, b) => (b.changed_at ?? '').localeCompare(a.changed_at ?? ''))
  if (derived.length) return derived[0].table
  return tables.length ? deltaId(tables[0].name) : null
}

/** The part of the graph shown: the focus, and the direct neighbours of every expanded node. */
export function visibleGraph(graph: LineageGraph, focus: string | null, expanded: Set<string>): { nodes: LineageNode[]; edges: LineageEdge[] } {
  if (!focus || !graph.nodes.has(focus)) return { nodes: [], edges: [] }
  const shown = new Set<string>([focus])
  const open = new Set([focus, ...expanded])
  // An expanded node counts once it is shown, also when another expansion brought it in.
  let grew = true
  while (grew) {
    grew = false
    for (const edge of graph.edges) {
      for (const [a, b] of [[edge.from, edge.to], [edge.to, edge.from]]) {
        if (open.has(a) && shown.has(a) && !shown.has(b)) {
          shown.add(b)
          grew = true
        }
      }
    }
  }
  return {
    nodes: [...shown].map((id) => graph.nodes.get(id)!).filter(Boolean),
    edges: graph.edges.filter((e) => shown.has(e.from) && shown.has(e.to)),
  }
}

/** Neighbours of a node not shown yet: whether expanding it would add anything. */
export function hiddenNeighbours(graph: LineageGraph, id: string, shown: Set<string>): number {
  const hidden = new Set<string>()
  for (const edge of graph.edges) {
    if (edge.from === id && !shown.has(edge.to)) hidden.add(edge.to)
    if (edge.to === id && !shown.has(edge.from)) hidden.add(edge.from)
  }
  return hidden.size
}

/** How an edge reads: `=(^)climate@3 → t`. */
export function edgeText(edge: LineageEdge): string {
  return `${edge.from}${edge.version !== null ? '@' + edge.version : ''} → ${edge.to}`
}
