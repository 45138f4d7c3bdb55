import { describe, expect, it } from 'vitest'
import { parsePermalink, permalinkQuery, permalinkUrl, pinnedSql } from './permalink'

describe('permalinks', () => {
  const link = { sql: 'SELECT count(*) FROM =(^)perm JOIN =(^)climate USING (k)', versions: { perm: 0, climate: 12 } }

  it('round-trips through a URL', () => {
    const url = new URL(permalinkUrl('http://127.0.0.1:8080', link))
    expect(url.pathname).toBe('/analysis')
    expect(url.searchParams.get('at')).toBe('climate@12,perm@0')
    expect(parsePermalink(Object.fromEntries(url.searchParams))).toEqual(link)
  })

  it('runs the SQL at the versions it read', () => {
    expect(pinnedSql(link)).toBe('SELECT count(*) FROM =(^)perm@0 JOIN =(^)climate@12 USING (k)')
  })

  it('refuses malformed links', () => {
    expect(parsePermalink({})).toBeNull()
    expect(parsePermalink({ sql: 'SELECT 1', at: 'x@y' })).toBeNull()
    expect(parsePermalink({ sql: 'SELECT 1' })).toEqual({ sql: 'SELECT 1', versions: {} })
    expect(permalinkQuery({ sql: 'SELECT 1', versions: {} })).toEqual({ sql: 'SELECT 1' })
  })
})
