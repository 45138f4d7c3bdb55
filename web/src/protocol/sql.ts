// SQL text as the dashboard needs it: statements split at `;`, and `=(^)name[@N]` Delta references, both
// found outside string literals, quoted identifiers and comments (as the server's scanner does).

/** Ranges of the text that are code (not inside strings, quoted identifiers or comments). */
function scan(sql: string, onCode: (index: number) => number | void): void {
  let i = 0
  while (i < sql.length) {
    const c = sql[i]
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1)
      // A doubled quote inside is an escaped quote: the scan simply continues after each closing quote.
      i = end < 0 ? sql.length : end + 1
      continue
    }
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      i = end < 0 ? sql.length : end + 1
      continue
    }
    if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      i = end < 0 ? sql.length : end + 2
      continue
    }
    const next = onCode(i)
    i = typeof next === 'number' && next > i ? next : i + 1
  }
}

export interface Statement {
  text: string
  from: number
  to: number
}

/** The statements of a text: split at `;` outside strings and comments; blank ones are left out. */
export function splitStatements(sql: string): Statement[] {
  const statements: Statement[] = []
  let start = 0
  const push = (end: number) => {
    const text = sql.slice(start, end)
    if (stripComments(text).trim()) statements.push({ text: text.trim(), from: start, to: end })
  }
  scan(sql, (i) => {
    if (sql[i] === ';') {
      push(i)
      start = i + 1
    }
  })
  push(sql.length)
  return statements
}

/** The text without its comments (strings and quoted identifiers kept as they are). */
export function stripComments(sql: string): string {
  let out = ''
  let i = 0
  while (i < sql.length) {
    const c = sql[i]
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1)
      const stop = end < 0 ? sql.length : end + 1
      out += sql.slice(i, stop)
      i = stop
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i)
      i = end < 0 ? sql.length : end
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2)
      out += ' '
      i = end < 0 ? sql.length : end + 2
    } else {
      out += c
      i++
    }
  }
  return out
}

/** Whether the text is a query pipeline (`-- id: N` headers): it runs as a whole, never split. */
export function isPipeline(sql: string): boolean {
  return /^\s*--\s*id\s*:/im.test(sql)
}

/**
 * The statement to run for Ctrl/Cmd+Enter: the one holding the cursor (a cursor just after a `;` or in the
 * blank after it belongs to the statement before). A pipeline runs whole.
 */
export function statementAt(sql: string, cursor: number): string {
  if (isPipeline(sql)) return sql
  const statements = splitStatements(sql)
  if (statements.length === 0) return ''
  let chosen = statements[0]
  for (const statement of statements) {
    if (statement.from <= cursor) chosen = statement
  }
  // In the blank between statements, prefer the one just ended over the next one.
  const between = sql.slice(chosen.from, cursor)
  if (chosen !== statements[0] && !stripComments(between).trim()) {
    const index = statements.indexOf(chosen)
    chosen = statements[index - 1]
  }
  return chosen.text
}

export interface DeltaRef {
  name: string
  version?: number
  timestamp?: string
  from: number
  to: number
}

const NAME = /[A-Za-z0-9_-]/

/** Every `=(^)name`, `=(^)name@N` and `=(^)name@'timestamp'` in code. */
export function findDeltaRefs(sql: string): DeltaRef[] {
  const refs: DeltaRef[] = []
  scan(sql, (i) => {
    if (!sql.startsWith('=(^)', i)) return
    let k = i + 4
    while (k < sql.length && NAME.test(sql[k]) && !(sql[k] === '-' && sql[k + 1] === '-')) k++
    const name = sql.slice(i + 4, k)
    if (!name) return k
    const ref: DeltaRef = { name, from: i, to: k }
    if (sql[k] === '@') {
      const version = /^@(\d+)/.exec(sql.slice(k))
      const stamp = /^@'([^']*)'/.exec(sql.slice(k))
      if (version) {
        ref.version = Number(version[1])
        ref.to = k + version[0].length
      } else if (stamp) {
        ref.timestamp = stamp[1]
        ref.to = k + stamp[0].length
      }
    }
    refs.push(ref)
    return ref.to
  })
  return refs
}

/** Names of the Delta tables a text reads at their latest version (no `@`). */
export function latestRefNames(sql: string): string[] {
  return [...new Set(findDeltaRefs(sql).filter((r) => r.version === undefined && r.timestamp === undefined).map((r) => r.name))]
}

/** The text with each unpinned `=(^)name` read at `versions[name]` (`=(^)name@N`). */
export function pinVersions(sql: string, versions: Record<string, number>): string {
  let out = ''
  let last = 0
  for (const ref of findDeltaRefs(sql)) {
    if (ref.version !== undefined || ref.timestamp !== undefined) continue
    const version = versions[ref.name] ?? versions[ref.name.toLowerCase()]
    if (version === undefined) continue
    out += sql.slice(last, ref.to) + '@' + version
    last = ref.to
  }
  return out + sql.slice(last)
}

/** Replaces Delta references with placeholders (for tools that do not know them), and back. */
export function protectRefs(sql: string): { text: string; restore: (formatted: string) => string } {
  const refs = findDeltaRefs(sql)
  const originals: string[] = []
  let text = ''
  let last = 0
  for (const ref of refs) {
    text += sql.slice(last, ref.from) + `dd_ref_${originals.length}_`
    originals.push(sql.slice(ref.from, ref.to))
    last = ref.to
  }
  text += sql.slice(last)
  return {
    text,
    restore: (formatted) => formatted.replace(/dd_ref_(\d+)_/gi, (_m, n: string) => originals[Number(n)] ?? _m),
  }
}

/** A name as a SQL identifier: bare when it is a plain lower-case word, else double-quoted. */
export function quoteIdentifier(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : '"' + name.replace(/"/g, '""') + '"'
}

/** The text as one statement that can be wrapped in a subquery, or null (several statements, DDL, pipeline). */
export function asSubquery(sql: string): string | null {
  if (isPipeline(sql)) return null
  const statements = splitStatements(sql)
  if (statements.length !== 1) return null
  const text = stripComments(statements[0].text).trim()
  return /^(select|with|from|values|table|pivot|unpivot|\()/i.test(text) ? text : null
}
