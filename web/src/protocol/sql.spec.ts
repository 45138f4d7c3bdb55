import { describe, expect, it } from 'vitest'
import { asSubquery, findDeltaRefs, latestRefNames, pinVersions, protectRefs, splitStatements, statementAt, stripComments } from './sql'

describe('statements', () => {
  it('splits at semicolons outside strings, quoted names and comments', () => {
    const sql = "SELECT 'a;b' AS \"x;y\"; -- c;d\nSELECT 2 /* e;f */;\n\n"
    expect(splitStatements(sql).map((s) => s.text)).toEqual(["SELECT 'a;b' AS \"x;y\"", '-- c;d\nSELECT 2 /* e;f */'])
  })

  it('picks the statement under the cursor; just after a ; is the one it ends', () => {
    const sql = 'SELECT 1;\nSELECT 2;\n'
    expect(statementAt(sql, 3)).toBe('SELECT 1')
    expect(statementAt(sql, 9)).toBe('SELECT 1')
    expect(statementAt(sql, 12)).toBe('SELECT 2')
    expect(statementAt(sql, sql.length)).toBe('SELECT 2')
  })

  it('runs a pipeline whole', () => {
    const sql = '-- id: 1\nCREATE TABLE a AS SELECT 1;\n-- id: 2\n-- depends_on: 1\nSELECT * FROM a;'
    expect(statementAt(sql, 5)).toBe(sql)
    expect(asSubquery(sql)).toBeNull()
  })

  it('strips comments but keeps strings that look like them', () => {
    expect(stripComments("SELECT '--x' -- y\n/* z */ 1")).toBe("SELECT '--x' \n  1")
  })

  it('wraps only a single query', () => {
    expect(asSubquery('  SELECT 1;  ')).toBe('SELECT 1')
    expect(asSubquery('WITH a AS (SELECT 1) SELECT * FROM a')).toBe('WITH a AS (SELECT 1) SELECT * FROM a')
    expect(asSubquery('SELECT 1; SELECT 2')).toBeNull()
    expect(asSubquery('CREATE TABLE t AS SELECT 1')).toBeNull()
  })
})

describe('Delta references', () => {
  it('finds =(^)name, @N and @timestamp, not in strings or comments, and stops at --', () => {
    const refs = findDeltaRefs("SELECT * FROM =(^)climate JOIN =(^)old-data@3 USING (id) WHERE x = '=(^)no' AND y IN (SELECT 1 FROM =(^)t@'2026-01-01T00:00:00Z')-- =(^)nope\n, =(^)t2--c")
    expect(refs.map((r) => [r.name, r.version, r.timestamp])).toEqual([
      ['climate', undefined, undefined],
      ['old-data', 3, undefined],
      ['t', undefined, '2026-01-01T00:00:00Z'],
      ['t2', undefined, undefined],
    ])
  })

  it('pins the latest reads at the versions given, leaving pinned ones', () => {
    const sql = 'SELECT * FROM =(^)a JOIN =(^)b@1 USING (k) JOIN =(^)a AS again USING (k)'
    expect(latestRefNames(sql)).toEqual(['a'])
    expect(pinVersions(sql, { a: 7, b: 9 })).toBe('SELECT * FROM =(^)a@7 JOIN =(^)b@1 USING (k) JOIN =(^)a@7 AS again USING (k)')
  })

  it('hides references from a formatter and puts them back', () => {
    const guarded = protectRefs('select * from =(^)climate@2 where x=1')
    expect(guarded.text).toBe('select * from dd_ref_0_ where x=1')
    expect(guarded.restore('SELECT\n  *\nFROM\n  dd_ref_0_\nWHERE\n  x = 1')).toBe('SELECT\n  *\nFROM\n  =(^)climate@2\nWHERE\n  x = 1')
  })
})
