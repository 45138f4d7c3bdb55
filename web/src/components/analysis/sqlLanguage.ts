// DuckDB SQL for CodeMirror: the dialect (keywords and types), `=(^)name` highlighting, and completion of
// Delta tables, their columns, tables made by queries, and the server's own suggestions (DuckDB's
// sql_auto_complete behind POST /api/complete).
import { SQLDialect, keywordCompletionSource } from '@codemirror/lang-sql'
import type { Completion, CompletionContext, CompletionResult, CompletionSource } from '@codemirror/autocomplete'
import { Decoration, MatchDecorator, ViewPlugin, type DecorationSet, type EditorView, type ViewUpdate } from '@codemirror/view'
import { findDeltaRefs, quoteIdentifier } from '@/protocol/sql'
import type { DeltaTableInfo } from '@/types/protocol'

export const DuckDB = SQLDialect.define({
  keywords:
    'abort absolute access action add after aggregate all alter always analyse analyze and anti any array as asc asof assertion assignment asymmetric at attach attribute authorization backward before begin between bigint binary bit both by cache call called cascade cascaded case cast catalog chain character characteristics check checkpoint class close cluster coalesce collate collation column columns comment comments commit committed compression concurrently configuration conflict connection constraint constraints content continue conversion copy cost create cross csv cube current cursor cycle data database day days deallocate dec decimal declare default defaults deferrable deferred definer delete delimiter delimiters depends desc describe detach dictionary disable discard distinct do document domain double drop each else enable encoding encrypted end enum escape event except exclude excluding exclusive execute exists explain export extension external extract false family fetch filter first following for force foreign forward freeze from full function functions generated glob global grant granted group grouping grouping_id groups handler having header hold hour hours identity if ilike immediate immutable implicit import in include including increment index indexes inherit inherits initially inline inner inout input insensitive insert install instead intersect interval into invoker is isnull isolation join json key label language large last lateral leading leakproof left level like limit listen load local location lock locked logged macro map mapping match materialized maxvalue method microsecond microseconds millisecond milliseconds minute minutes minvalue mode month months move name names national natural nchar new next no none not nothing notify notnull nowait null nullif nulls object of off offset oids old on only operator option options or order ordinality others out outer over overlaps overlay overriding owned owner parallel parser partial partition passing password percent persistent pivot pivot_longer pivot_wider placing plans policy position positional pragma preceding precision prepare prepared preserve primary prior privileges procedural procedure program publication qualify quote range read reassign recheck recursive ref references referencing refresh reindex relative release rename repeatable replace replica reset respect restart restrict returning returns revoke right role rollback rollup row rows rule sample savepoint schema schemas scroll search second seconds security select semi sequence sequences serializable server session session_user set setof sets share show similar simple skip snapshot some sql stable standalone start statement statistics stdin stdout storage stored strict strip struct subscription substring summarize symmetric sysid system table tables tablesample tablespace temp template temporary text then ties to trailing transaction transform treat trigger trim true truncate trusted try_cast type types unbounded uncommitted unencrypted union unique unknown unlisten unlogged unpivot until update use user using vacuum valid validate validator value values variadic verbose version view views virtual volatile when where whitespace window with within without work wrapper write xml year years yes zone',
  types:
    'bigint binary bit bitstring blob bool boolean bpchar bytea char date datetime dec decimal double enum float float4 float8 guid hugeint int int1 int128 int16 int2 int32 int4 int64 int8 integer integral interval list logical long map null numeric nvarchar oid real row short signed smallint string struct text time timestamp timestamp_ms timestamp_ns timestamp_s timestamptz timetz tinyint ubigint uhugeint uint128 uint16 uint32 uint64 uint8 uinteger union usmallint utinyint uuid varbinary varchar bignum varint',
  builtin: 'read_csv read_csv_auto read_parquet read_json read_json_auto range generate_series unnest',
  operatorChars: '*+-%<>!=&|~^/',
  identifierQuotes: '"',
  caseInsensitiveIdentifiers: true,
})

const deltaRefMark = Decoration.mark({ class: 'cm-delta-ref' })
const deltaRefMatcher = new MatchDecorator({
  regexp: /=\(\^\)[A-Za-z0-9_]+(?:-(?!-)[A-Za-z0-9_]*)*(?:@(?:\d+|'[^']*'))?/g,
  decoration: () => deltaRefMark,
})

/** `=(^)name` and `=(^)name@N` drawn as one token: they are DeltaDuck's, not DuckDB's. */
export const deltaRefHighlight = ViewPlugin.fromClass(
  class {
    decorations: DecorationSet
    constructor(view: EditorView) {
      this.decorations = deltaRefMatcher.createDeco(view)
    }
    update(update: ViewUpdate) {
      this.decorations = deltaRefMatcher.updateDeco(update, this.decorations)
    }
  },
  { decorations: (plugin) => plugin.decorations },
)

export interface CompletionData {
  tables: () => DeltaTableInfo[]
  derivedTables: () => string[]
  columnsOf: (table: string) => Promise<{ name: string; type: string }[]>
  /** POST /api/complete; null when the server has no such endpoint. */
  serverSuggestions: (sql: string) => Promise<{ text: string; start: number }[] | null>
}

function tableOption(table: DeltaTableInfo): Completion {
  return {
    label: '=(^)' + table.name,
    type: 'class',
    detail: `Delta · v${table.version} · ${table.rows.toLocaleString('en-US')} rows`,
    boost: 2,
  }
}

/** `=(`, `=(^`, `=(^)`, `=(^)cli` → the Delta tables. */
export function deltaTableSource(data: CompletionData): CompletionSource {
  return (context: CompletionContext): CompletionResult | null => {
    const match = context.matchBefore(/=\((?:\^(?:\)[A-Za-z0-9_-]*)?)?/)
    if (!match) return null
    return { from: match.from, options: data.tables().map(tableOption), validFor: /^=\((\^(\)[A-Za-z0-9_-]*)?)?$/ }
  }
}

/** Columns of the Delta tables the text reads, tables made by queries, and Delta tables for a bare word. */
export function schemaSource(data: CompletionData): CompletionSource {
  return async (context: CompletionContext): Promise<CompletionResult | null> => {
    const word = context.matchBefore(/"?[A-Za-z_][\w]*|"[^"]*/)
    if (!word && !context.explicit) return null
    const from = word ? word.from : context.pos
    // Right after `=(^)` the Delta table source answers.
    if (/=\(\^?\)?$/.test(context.state.doc.sliceString(Math.max(0, from - 4), from))) return null
    const options: Completion[] = []
    const known = new Set(data.tables().map((t) => t.name.toLowerCase()))
    const names = [...new Set(findDeltaRefs(context.state.doc.toString()).map((r) => r.name))].filter((n) => known.has(n.toLowerCase()))
    const schemas = await Promise.all(names.map((name) => data.columnsOf(name).then((columns) => ({ name, columns }))))
    if (context.aborted) return null
    for (const { name, columns } of schemas) {
      for (const column of columns) {
        options.push({ label: quoteIdentifier(column.name), displayLabel: column.name, type: 'property', detail: `${column.type} · ${name}`, boost: 3 })
      }
    }
    for (const table of data.derivedTables()) options.push({ label: quoteIdentifier(table), type: 'class', detail: 'DuckDB table' })
    for (const table of data.tables()) options.push({ ...tableOption(table), boost: 0 })
    return { from, options, validFor: /^"?[\w]*$/ }
  }
}

/** DuckDB's own context-aware suggestions from the server; keywords from the dialect while it has none. */
export function serverSource(data: CompletionData): CompletionSource {
  const keywords = keywordCompletionSource(DuckDB, true)
  let available = true
  return async (context: CompletionContext): Promise<CompletionResult | null> => {
    const word = context.matchBefore(/[\w]+/)
    if (!word && !context.explicit) return null
    if (available) {
      const text = context.state.doc.sliceString(0, context.pos)
      const suggestions = await data.serverSuggestions(text).catch(() => [])
      if (suggestions === null) available = false
      else if (!context.aborted && suggestions.length) {
        // Operators and punctuation are suggested too: only words are worth a list entry.
        const words = suggestions.filter((s) => /[A-Za-z_]/.test(s.text) && s.start === suggestions[0].start)
        if (words.length) {
          const options = words.map((s, i) => ({
            label: s.text.trim(),
            apply: s.text,
            type: /^[A-Z_ ]+$/.test(s.text.trim()) ? 'keyword' : 'variable',
            boost: -i / 1000,
          }))
          return { from: Math.min(context.pos, words[0].start), options, validFor: /^[\w]*$/ }
        }
      }
      if (context.aborted) return null
    }
    return keywords(context)
  }
}
