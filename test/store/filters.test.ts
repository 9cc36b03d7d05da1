import { describe, expect, it } from 'vitest'
import { parseFilters, type FilterField } from '../../src/lib/list-query.ts'
import { conditionsToSql, filterColumn } from '../../src/store/filters.ts'

/**
 * Filter declarations name where a value lives; the store alone writes the SQL that reaches it.
 * The HTTP tests cover what each list accepts and returns; these pin the translation itself.
 */
describe('filter declarations to SQL', () => {
  const records = { alias: 'r' }

  it('reads a column of the list table, by default the one named like the parameter', () => {
    expect(filterColumn({ param: 'status', type: 'text', lookups: ['exact'] }, records)).toBe('r.status')
    expect(filterColumn({ param: 'due_date', source: { column: 'record_date' }, type: 'date', lookups: ['exact'] }, records)).toBe('r.record_date')
  })

  it('reads a JSON body field as text, cast to the filter type', () => {
    expect(filterColumn({ param: 'email', source: { body: 'email' }, type: 'text', lookups: ['exact'] }, records)).toBe("(r.body::json->>'email')")
    expect(filterColumn({ param: 'balance', source: { body: 'balance' }, type: 'number', lookups: ['exact'] }, records)).toBe(
      "(r.body::json->>'balance')::numeric",
    )
  })

  it('reaches a nested body field by its dotted name, each name checked', () => {
    const year: FilterField = { param: 'ejercicio', source: { body: 'informacion_general.ejercicio' }, type: 'integer', lookups: ['exact'] }
    expect(filterColumn(year, records)).toBe("(r.body::json->'informacion_general'->>'ejercicio')::bigint")
    expect(() => filterColumn({ ...year, source: { body: "informacion_general.a'->>'b" } }, records)).toThrow(/not a column or field name/)
  })

  it("reads the row's account through the list's join when it has one, through a subquery otherwise", () => {
    const currency: FilterField = { param: 'currency', source: { account: 'currency' }, type: 'text', lookups: ['exact'] }
    expect(filterColumn(currency, { alias: 't', accountAlias: 'a' })).toBe('a.currency')
    expect(filterColumn(currency, records)).toBe('(SELECT a.currency FROM accounts a WHERE a.id = r.account_id)')
  })

  it("reads the row's link through a subquery", () => {
    expect(filterColumn({ param: 'institution', source: { link: 'institution' }, type: 'text', lookups: ['exact'] }, { alias: 'a' })).toBe(
      '(SELECT l.institution FROM links l WHERE l.id = a.link_id)',
    )
  })

  it('binds every value after the ones already given', () => {
    const fields: FilterField[] = [
      { param: 'amount', type: 'number', lookups: ['gte'] },
      { param: 'type', type: 'text', lookups: ['in'] },
    ]
    const where = ['t.organization_id = $1']
    const params: unknown[] = ['org']
    conditionsToSql(parseFilters({ amount__gte: '10.5', type__in: 'INFLOW,OUTFLOW' }, fields), { alias: 't' }, where, params)
    expect(where).toEqual(['t.organization_id = $1', 't.amount >= $2::numeric', 't.type = ANY($3::text[])'])
    expect(params).toEqual(['org', 10.5, ['INFLOW', 'OUTFLOW']])
  })

  it('refuses a declaration that names SQL instead of a column or field', () => {
    const sneaky: FilterField = { param: 'balance', source: { column: "balance_current OR '1'='1'" }, type: 'number', lookups: ['exact'] }
    expect(() => filterColumn(sneaky, records)).toThrow(/not a column or field name/)
    expect(() => filterColumn({ param: 'x', source: { body: "a'->>'b" }, type: 'text', lookups: ['exact'] }, records)).toThrow(/not a column or field name/)
  })
})
