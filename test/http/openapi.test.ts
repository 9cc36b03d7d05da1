import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Validator } from '@seriousme/openapi-schema-validator'
import { Ajv } from 'ajv'
import formatsPlugin from 'ajv-formats'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BELVO_SPEC_NAMES, belvoSchemaNames, belvoSpec } from '../../src/http/openapi/belvo-specs.ts'
import { DOCS_TITLE, WORDMARK_SVG } from '../../src/http/plugins/docs.ts'
import { belvoItemSchema, belvoRef, withBelvoComponents } from '../../src/http/schemas/belvo.ts'
import { Institution } from '../../src/http/schemas/institution.ts'
import { createHarness, type Harness } from '../helpers/harness.ts'
import { toJsonSchema } from '../helpers/spec.ts'

type Json = Record<string, any>

const SCHEMAS = '#/components/schemas/'
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** Every `$ref` anywhere in a document. */
function refsIn(node: unknown, into: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) refsIn(item, into)
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') into.push(value)
      else refsIn(value, into)
    }
  }
  return into
}

/** The component names an item schema refers to: one `$ref`, or the members of its anyOf / allOf. */
function itemNames(schema: Json): string[] {
  if (schema.$ref) return [schema.$ref.slice(SCHEMAS.length)]
  return [...(schema.anyOf ?? []), ...(schema.allOf ?? [])].flatMap((member: Json) => itemNames(member))
}

const jsonBody = (operation: Json, status: string): Json => operation.responses[status].content['application/json'].schema

/**
 * Each resource's operations, with Belvo's schemas their items must be and fields a client
 * generated from the document must see on them (from Belvo's documentation of each object).
 */
const RESOURCES: { path: string; single?: boolean; names: string[]; fields: string[] }[] = [
  { path: '/api/accounts/', names: ['AccountOpenFinanceBrazil', 'Account'], fields: ['balance', 'category', 'currency', 'name', 'number'] },
  { path: '/api/transactions/', names: ['TransactionOpenFinanceBrazil', 'Transaction'], fields: ['amount', 'value_date', 'account', 'status', 'type'] },
  { path: '/api/br/balances/', names: ['BalanceOFDA'], fields: ['account_id', 'available', 'blocked', 'automatically_invested'] },
  { path: '/api/balances/', names: ['Balance'], fields: ['account', 'value_date', 'balance'] },
  {
    path: '/api/owners/',
    names: ['OwnerIndividualOpenFinanceBrazil', 'OwnerBusinessOpenFinanceBrazil', 'Owner.multiregion'],
    fields: ['document_id', 'internal_identification'],
  },
  { path: '/api/bills/', names: ['Bill'], fields: ['bill_name', 'due_date', 'total_amount', 'payments'] },
  { path: '/api/br/investments/', names: ['InvestmentBrazil'], fields: ['type', 'isin_number', 'balance', 'due_date'] },
  { path: '/api/br/investment-transactions/', names: ['InvestmentTransactionBrazil'], fields: ['investment', 'value_date', 'gross_value', 'net_value'] },
  { path: '/api/br/exchanges/', names: ['Exchange'], fields: ['operation_identifier', 'operation_type', 'operation_requested_at'] },
  { path: '/api/statements/', names: ['Statement'], fields: ['account', 'period_start_date', 'final_balance', 'transactions'] },
  { path: '/investments/portfolios/', single: true, names: ['InvestmentsPortfolio'], fields: ['name', 'balance_gross', 'currency', 'instruments'] },
]

describe('OpenAPI and operations', () => {
  let h: Harness
  beforeAll(async () => {
    h = await createHarness()
  })
  afterAll(async () => h.close())

  it('publishes an OpenAPI document generated from the route schemas', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/openapi.json' })
    expect(res.statusCode).toBe(200)
    const doc = res.json()
    expect(doc.openapi).toBe('3.0.3')
    expect(doc.components.securitySchemes.basicAuth).toMatchObject({ type: 'http', scheme: 'basic' })
    const list = doc.paths['/api/institutions/'].get
    expect(list.operationId).toBe('ListInstitutions')
    expect(list.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['page', 'page_size', 'fields', 'omit', 'country_code__in', 'resources__allin']),
    )
    expect(Object.keys(list.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '500']))
    expect(doc.paths['/api/institutions/{id}/'].get.operationId).toBe('DetailInstitution')
    const history = doc.paths['/api/br/exchanges/{id}/history/'].get
    expect(history.operationId).toBe('ListExchangeHistory')
    expect(history.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['id', 'page', 'page_size', 'fields', 'omit']))
    expect(Object.keys(history.responses)).toEqual(expect.arrayContaining(['200', '401', '404', '500']))
  })

  it("serves the interactive reference at /docs in Ponte's name, with Ponte's logo", async () => {
    let res = await h.app.inject({ method: 'GET', url: '/docs' })
    for (let hops = 0; res.statusCode >= 300 && res.statusCode < 400 && hops < 5; hops++) {
      res = await h.app.inject({ method: 'GET', url: new URL(String(res.headers.location), 'http://ponte.test/docs').pathname })
    }
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toContain('text/html')
    expect(res.body).toContain(`<title>${DOCS_TITLE}</title>`)
    expect(res.body).not.toContain('Swagger UI</title>')
    // Swagger UI's own favicons are gone; Ponte's is served.
    expect(res.body).not.toContain('favicon-32x32.png')
    const favicon = /href="([^"]*favicon\.svg)"/.exec(res.body)?.[1]
    expect(favicon).toBeDefined()
    const icon = await h.app.inject({ method: 'GET', url: new URL(favicon!, 'http://ponte.test/docs/').pathname })
    expect(icon.statusCode).toBe(200)
    expect(icon.body).toContain('<svg')

    // The top bar's logo is put in by the initializer script: Ponte's, not the plugin's default.
    const script = await h.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
    expect(script.statusCode).toBe(200)
    expect(script.body).toContain(Buffer.from(WORDMARK_SVG).toString('base64'))
    const defaultLogo = readFileSync(createRequire(import.meta.url).resolve('@fastify/swagger-ui/static/logo.svg')).toString('base64')
    expect(script.body).not.toContain(defaultLogo)
  })

  it('exports request metrics labelled by route template', async () => {
    await h.app.inject({ method: 'GET', url: '/api/institutions/1004/', headers: { authorization: h.auth } })
    const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body
    expect(metrics).toMatch(/ponte_http_requests_total\{method="GET",route="\/api\/institutions\/:id\/",status="200"\} 1/)
    expect(metrics).toContain('ponte_http_request_duration_seconds_bucket')
  })

  describe('the published contract', () => {
    let doc: Json
    beforeAll(async () => {
      doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json()
    })

    const operations = () =>
      Object.entries(doc.paths as Json).flatMap(([path, item]) =>
        Object.entries(item as Json)
          .filter(([method]) => METHODS.includes(method))
          .map(([method, operation]) => ({ path, method, operation: operation as Json })),
      )
    /** A published schema's own properties, through allOf. */
    const properties = (name: string): string[] => {
      const schema = doc.components.schemas[name] as Json
      expect(schema, name).toBeDefined()
      return [
        ...Object.keys(schema.properties ?? {}),
        ...(schema.allOf ?? []).flatMap((member: Json) => (member.$ref ? properties(member.$ref.slice(SCHEMAS.length)) : Object.keys(member.properties ?? {}))),
      ]
    }

    it('is a valid OpenAPI 3.0.3 document in which every $ref resolves', async () => {
      const unresolved = [...new Set(refsIn(doc))].filter((ref) => !ref.startsWith(SCHEMAS) || !doc.components.schemas[ref.slice(SCHEMAS.length)])
      expect(unresolved).toEqual([])
      const result = await new Validator().validate(doc)
      expect(result.errors ?? []).toEqual([])
      expect(result.valid).toBe(true)
    })

    it("types each resource's list, detail, retrieve and resume answers with Belvo's item schemas and their real fields", () => {
      for (const resource of RESOURCES) {
        const collection = doc.paths[resource.path]
        const detail = doc.paths[`${resource.path}{id}/`]
        const answers = {
          list: jsonBody(collection.get, '200').properties.results.items,
          detail: jsonBody(detail.get, '200'),
          ...Object.fromEntries(
            ['post', 'patch'].flatMap((method) =>
              ['200', '201'].map((status) => {
                const body = jsonBody(collection[method], status)
                return [`${method} ${status}`, resource.single ? body : body.items]
              }),
            ),
          ),
        }
        for (const [answer, schema] of Object.entries(answers)) {
          expect(itemNames(schema), `${resource.path} ${answer}`).toEqual(resource.names)
        }
        for (const name of resource.names) expect(properties(name), `${resource.path} ${name}`).toEqual(expect.arrayContaining(resource.fields))
      }
      const history = jsonBody(doc.paths['/api/br/exchanges/{id}/history/'].get, '200').properties.results.items
      expect(itemNames(history)).toEqual(['ExchangeHistory'])
      expect(properties('ExchangeHistory')).toEqual(expect.arrayContaining(['exchange_id', 'event_type', 'event_created_at']))
      expect(itemNames(jsonBody(doc.paths['/api/token/'].post, '200'))).toEqual(['WidgetToken'])
      expect(properties('WidgetToken')).toEqual(['access', 'refresh'])
    })

    it("publishes Belvo's schemas as Belvo wrote them, corrected by the errata, and only those the document uses", () => {
      const ofda = belvoSpec('ofda').schemas
      expect(Object.keys(doc.components.schemas.AccountOpenFinanceBrazil.properties)).toEqual(Object.keys(ofda.AccountOpenFinanceBrazil.properties as Json))
      expect(doc.components.schemas.AccountOpenFinanceBrazil.description).toBe(ofda.AccountOpenFinanceBrazil.description)
      // The multi-region Owner is not the Brazilian one: both are there, under their own names.
      expect(Object.keys(doc.components.schemas['Owner.multiregion'].properties)).toEqual(
        Object.keys(belvoSpec('multiregion').schemas.Owner.properties as Json),
      )
      expect(doc.components.schemas.Owner).toBeUndefined()
      // Nested references are renamed to what they are published under.
      expect(refsIn(doc.components.schemas['Owner.multiregion'])).toContain(`${SCHEMAS}OwnerDocumentId.multiregion`)
      // The typo in Belvo's `required` is corrected, as for the tests' validators.
      expect(doc.components.schemas.AccountLoanDataOpenFinanceBrazil.required).toContain('total_effective_cost')
      expect(doc.components.schemas.AccountLoanDataOpenFinanceBrazil.required).not.toContain('total_effectove_cost')
      expect(doc.components.schemas.OwnerBusinessDocumentIds.properties.check_digit.nullable).toBe(true)
      // Every published schema is referred to: none of Belvo's 700 others rides along.
      const referred = new Set(refsIn(doc).map((ref) => ref.slice(SCHEMAS.length)))
      expect(Object.keys(doc.components.schemas).filter((name) => !referred.has(name))).toEqual([])
      expect(doc.components.schemas.InvestmentsPortfolio).toBeDefined()
      // Ponte pages its lists itself: Belvo's paginated wrappers stay out.
      expect(doc.components.schemas.TaxDeclarationIndividualPaginated).toBeUndefined()
    })

    it("keeps Ponte's own Link and Institution schemas supersets of Belvo's", () => {
      const ofda = belvoSpec('ofda').schemas
      const belvoFields = (name: string) => Object.keys(ofda[name].properties as Json)
      expect(Object.keys(doc.components.schemas.Link.properties)).toEqual(expect.arrayContaining(belvoFields('Link')))
      expect(Object.keys(Institution.properties)).toEqual(expect.arrayContaining(belvoFields('InstitutionPublicApi')))
      expect(Object.keys(Institution.properties.form_fields.items.properties)).toEqual(expect.arrayContaining(belvoFields('InstitutionsFormField')))
    })

    it('describes real answers: a retrieved item validates against the schema published for it', async () => {
      h.clock.set('2026-03-10T15:00:00Z')
      const ajv = new Ajv({ strict: false, allErrors: true })
      ;(formatsPlugin as unknown as (a: Ajv) => void)(ajv)
      for (const format of ['float', 'double', 'int32', 'int64']) ajv.addFormat(format, true)
      const published = (path: string) => ajv.compile(toJsonSchema(doc, jsonBody(doc.paths[path].get, '200')) as Json)
      for (const institution of ['erebor_mx_retail', 'erebor_br_retail']) {
        const link = (await h.call('POST', '/api/links/', { institution, username: 'bnk100', password: 'full' })).body
        for (const resource of ['accounts', 'owners']) {
          expect((await h.call('POST', `/api/${resource}/`, { link: link.id })).status, `${institution} ${resource}`).toBe(201)
          const item = (await h.call('GET', `/api/${resource}/?link=${link.id}`)).body.results[0]
          const detail = await h.call('GET', `/api/${resource}/${item.id}/`)
          const validate = published(`/api/${resource}/{id}/`)
          expect(validate(detail.body) ? [] : validate.errors, `${institution} ${resource}`).toEqual([])
        }
        if (institution !== 'erebor_mx_retail') continue
        // The Statement schema is Ponte's own writing (Belvo published none): it must fit too.
        const account = (await h.call('GET', `/api/accounts/?link=${link.id}&category=CHECKING_ACCOUNT`)).body.results[0]
        const statement = (await h.call('POST', '/api/statements/', { link: link.id, account: account.id, year: 2026, month: 1 })).body[0]
        const validateStatement = published('/api/statements/{id}/')
        expect(validateStatement(statement) ? [] : validateStatement.errors).toEqual([])
        expect(statement.transactions.length).toBeGreaterThan(0)
      }
    })
  })

  describe("Belvo's schemas by name", () => {
    it("lists each document's schema names from its text exactly as parsing it does", () => {
      for (const spec of BELVO_SPEC_NAMES) expect([...belvoSchemaNames(spec)].sort(), spec).toEqual(Object.keys(belvoSpec(spec).schemas).sort())
    })

    it("refuses a name Belvo's document does not have, or a document that does not exist, so the app does not start", () => {
      expect(() => belvoItemSchema({ ofda: ['AccountOpenFinanceBrasil'] })).toThrow(/BelvoOpenApiSpec-1\.223\.0\.json has no schema AccountOpenFinanceBrasil/)
      expect(() => belvoItemSchema({ multiregion: ['Account', 'BalanceMultiregion'] })).toThrow(
        /BelvoOpenApiSpec-1\.59\.0-multiregion\.json has no schema BalanceMultiregion/,
      )
      // A Mexican resource Belvo publishes only in the current document (current employments) is read from there.
      expect(belvoItemSchema({ multiregion: ['CurrentEmployment'] })).toMatchObject({ allOf: [{ $ref: `${SCHEMAS}CurrentEmployment` }] })
      expect(() => belvoItemSchema({ current: ['Account'] } as never)).toThrow(/No Belvo document is called current/)
      expect(() => belvoItemSchema({})).toThrow(/at least one/)
    })

    it("takes a name the shape's document lacks from Belvo's current one (Chile's fiscal data came after the multi-region document)", () => {
      expect(belvoItemSchema({ multiregion: ['invoice_chile'] })).toMatchObject({ allOf: [{ $ref: `${SCHEMAS}invoice_chile` }] })
    })

    it('names a schema after the documents alone, the first one that defines it keeping the plain name', () => {
      expect(belvoRef('ofda', 'Owner')).toEqual({ $ref: `${SCHEMAS}Owner` })
      expect(belvoRef('multiregion', 'Owner')).toEqual({ $ref: `${SCHEMAS}Owner.multiregion` })
      expect(belvoRef('multiregion', 'Account')).toEqual({ $ref: `${SCHEMAS}Account` })
      expect(belvoRef('legacy', 'Account')).toEqual({ $ref: `${SCHEMAS}Account.legacy` })
      expect(belvoItemSchema({ ofda: ['BalanceOFDA'] })).toMatchObject({ allOf: [{ $ref: `${SCHEMAS}BalanceOFDA` }] })
    })

    it("refuses a document whose own schema takes a Belvo schema's name, or that refers to a schema nobody defines", () => {
      const referring = (schemas: Json, ref: string) => ({
        components: { schemas },
        paths: { '/x': { get: { responses: { 200: { content: { 'application/json': { schema: { $ref: ref } } } } } } } },
      })
      expect(() => withBelvoComponents(referring({ Bill: { type: 'object' } }, (belvoRef('ofda', 'Bill') as Json).$ref))).toThrow(
        /Ponte's own schema Bill has the name of Belvo's Bill/,
      )
      expect(() => withBelvoComponents(referring({}, `${SCHEMAS}Nowhere`))).toThrow(
        /refers to #\/components\/schemas\/Nowhere, which neither Ponte nor Belvo defines/,
      )
      const completed = withBelvoComponents(referring({}, (belvoRef('ofda', 'Bill') as Json).$ref)) as Json
      expect(Object.keys(completed.components.schemas)).toEqual(expect.arrayContaining(['Bill', 'BillPayments', 'BillFinanceCharges']))
    })
  })
})
