// Permalinks: the SQL and the Delta version of every `=(^)` table it read, so the link reproduces the same
// answer after later appends. `/analysis?sql=<text>&at=climate@3,other@0`.
import { pinVersions } from './sql'

export interface Permalink {
  /** The SQL as written (reads the latest versions). */
  sql: string
  /** Delta table name → version read when the link was made. */
  versions: Record<string, number>
}

export function permalinkQuery(link: Permalink): Record<string, string> {
  const at = Object.entries(link.versions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, version]) => `${name}@${version}`)
    .join(',')
  return at ? { sql: link.sql, at } : { sql: link.sql }
}

export function permalinkUrl(origin: string, link: Permalink): string {
  return `${origin}/analysis?${new URLSearchParams(permalinkQuery(link)).toString()}`
}

/** The permalink in a route query, or null when there is none (or it is malformed). */
export function parsePermalink(query: Record<string, unknown>): Permalink | null {
  const sql = typeof query.sql === 'string' ? query.sql : null
  if (!sql) return null
  const versions: Record<string, number> = {}
  const at = typeof query.at === 'string' ? query.at : ''
  for (const part of at.split(',').filter(Boolean)) {
    const match = /^([A-Za-z0-9_-]+)@(\d+)$/.exec(part.trim())
    if (!match) return null
    versions[match[1]] = Number(match[2])
  }
  return { sql, versions }
}

/** The SQL of a permalink with every table read at its recorded version. */
export function pinnedSql(link: Permalink): string {
  return pinVersions(link.sql, link.versions)
}
