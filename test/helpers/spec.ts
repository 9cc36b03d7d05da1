import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Ajv, type ValidateFunction } from 'ajv'
import formatsPlugin from 'ajv-formats'

/**
 * Validates data against Belvo's own OpenAPI documents (copied unchanged into
 * test/fixtures/belvo-openapi). OpenAPI 3.0 component schemas become JSON Schema validators:
 * `$ref`s inlined, `nullable: true` turned into a `null` type alternative, documentation-only
 * keywords (`example`, `x-*`, ...) dropped.
 */

export const SPEC_DIR = process.env.BELVO_OPENAPI_DIR ?? fileURLToPath(new URL('../fixtures/belvo-openapi/', import.meta.url))
export const SPECS = {
  current: 'BelvoOpenApiSpec-1.223.0.json',
  multiregion: 'BelvoOpenApiSpec-1.59.0-multiregion.json',
} as const
export type SpecName = keyof typeof SPECS

export function specsAvailable(): boolean {
  return Object.values(SPECS).every((file) => existsSync(join(SPEC_DIR, file)))
}

type Json = Record<string, unknown>
const DROP = new Set(['example', 'examples', 'discriminator', 'xml', 'externalDocs', 'deprecated', 'readOnly', 'writeOnly'])

const specCache = new Map<SpecName, Json>()

/**
 * Typos in the published specs that no real response can satisfy, corrected before validating:
 * AccountLoanDataOpenFinanceBrazil requires `total_effectove_cost` while its property (and Belvo's
 * data dictionary) is `total_effective_cost`.
 */
const REQUIRED_ERRATA: Record<string, Record<string, string>> = {
  AccountLoanDataOpenFinanceBrazil: { total_effectove_cost: 'total_effective_cost' },
}

/**
 * Properties whose description says Belvo returns `null` while the schema omits `nullable`:
 * OwnerBusinessDocumentIds.check_digit "is not applicable for Business ID documents and will
 * return `null`" (its example is null too).
 */
const NULLABLE_ERRATA: Record<string, string[]> = {
  OwnerBusinessDocumentIds: ['check_digit'],
}

function spec(name: SpecName): Json {
  let s = specCache.get(name)
  if (!s) {
    s = JSON.parse(readFileSync(join(SPEC_DIR, SPECS[name]), 'utf8')) as Json
    const schemas = (s.components as Json).schemas as Record<string, Json>
    for (const [schema, renames] of Object.entries(REQUIRED_ERRATA)) {
      const target = schemas[schema]
      if (target && Array.isArray(target.required)) target.required = (target.required as string[]).map((r) => renames[r] ?? r)
    }
    for (const [schema, names] of Object.entries(NULLABLE_ERRATA)) {
      const properties = schemas[schema]?.properties as Record<string, Json> | undefined
      for (const property of names) if (properties?.[property]) properties[property] = { ...properties[property], nullable: true }
    }
    specCache.set(name, s)
  }
  return s
}

function componentSchema(root: Json, ref: string): Json {
  const name = ref.split('/').pop()!
  const schemas = (root.components as Json).schemas as Json
  const found = schemas[name]
  if (!found) throw new Error(`Unknown schema ${ref}`)
  return found as Json
}

/** Inlines refs and converts OpenAPI 3.0 nullability; `depth` guards against reference cycles. */
export function toJsonSchema(root: Json, node: unknown, depth = 0): unknown {
  if (depth > 40) throw new Error('Schema nesting too deep (reference cycle?)')
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(root, n, depth + 1))
  if (!node || typeof node !== 'object') return node
  const source = node as Json
  if (typeof source.$ref === 'string') {
    const { $ref, ...siblings } = source
    const target = componentSchema(root, $ref as string)
    return toJsonSchema(root, { ...target, ...siblings, ...(target.nullable || siblings.nullable ? { nullable: true } : {}) }, depth + 1)
  }
  const out: Json = {}
  for (const [key, value] of Object.entries(source)) {
    if (DROP.has(key) || key.startsWith('x-') || key === 'nullable') continue
    // `properties` maps names to schemas: convert the values, keep the names.
    if (key === 'properties' && value && typeof value === 'object') {
      out.properties = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, toJsonSchema(root, v, depth + 1)]))
    } else {
      out[key] = toJsonSchema(root, value, depth + 1)
    }
  }
  if (source.nullable === true) {
    if (typeof out.type === 'string') {
      out.type = [out.type, 'null']
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null]
    } else {
      return { anyOf: [out, { type: 'null' }] }
    }
  }
  return out
}

const ajv = new Ajv({ strict: false, allErrors: true })
;(formatsPlugin as unknown as (a: Ajv) => void)(ajv)
// OpenAPI's numeric formats carry no constraint JSON Schema can check.
for (const format of ['float', 'double', 'int32', 'int64']) ajv.addFormat(format, true)

const validators = new Map<string, ValidateFunction>()

export function schemaOf(specName: SpecName, schemaName: string): Json {
  const root = spec(specName)
  return toJsonSchema(root, componentSchema(root, `#/components/schemas/${schemaName}`)) as Json
}

export function validator(specName: SpecName, schemaName: string): ValidateFunction {
  const key = `${specName}:${schemaName}`
  let v = validators.get(key)
  if (!v) {
    v = ajv.compile(schemaOf(specName, schemaName))
    validators.set(key, v)
  }
  return v
}

/** Validation errors of one record, as readable strings (empty when valid). */
export function schemaErrors(specName: SpecName, schemaName: string, record: unknown): string[] {
  const v = validator(specName, schemaName)
  if (v(record)) return []
  return (v.errors ?? []).map((e) => `${schemaName}${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`)
}

function objectProperties(schema: Json): Json | null {
  if (schema.properties) return schema.properties as Json
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const branches = schema[key] as Json[] | undefined
    if (!branches) continue
    const merged: Json = {}
    for (const b of branches) Object.assign(merged, objectProperties(b) ?? {})
    if (Object.keys(merged).length) return merged
  }
  return null
}

/**
 * Declared properties missing from a record, recursively through nested objects and arrays of
 * objects. Paths in `except` (e.g. "credit_card_data.credit_card_bill.id") are not required.
 */
export function missingFields(schema: Json, value: unknown, except: ReadonlySet<string>, path = ''): string[] {
  if (value === null || typeof value !== 'object') return []
  if (Array.isArray(value)) {
    const items = schema.items as Json | undefined
    return items ? value.flatMap((v) => missingFields(items, v, except, path)) : []
  }
  const props = objectProperties(schema)
  if (!props) return []
  const record = value as Json
  const missing: string[] = []
  for (const [key, sub] of Object.entries(props)) {
    const p = path ? `${path}.${key}` : key
    if (except.has(p)) continue
    if (!(key in record)) missing.push(p)
    else missing.push(...missingFields(sub as Json, record[key], except, p))
  }
  return [...new Set(missing)]
}

/** Asserts `value` validates, with the first errors and the value in the failure message. */
export function expectSpec(specName: SpecName, schemaName: string, value: unknown): void {
  const errors = schemaErrors(specName, schemaName, value)
  if (errors.length > 0) {
    throw new Error(`${schemaName} (${specName}) rejected the response:\n${errors.slice(0, 5).join('\n')}\n${JSON.stringify(value).slice(0, 600)}`)
  }
}
