import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv, type ValidateFunction } from 'ajv'
import formatsPlugin from 'ajv-formats'
import { BELVO_SPEC_DIR, BELVO_SPEC_FILES, belvoSpec, type BelvoSpecName } from '../../src/http/openapi/belvo-specs.ts'

/**
 * Validates data against Belvo's own OpenAPI documents (src/http/openapi/belvo/, as the server
 * publishes them: corrected and completed by src/http/openapi/belvo-specs.ts). OpenAPI 3.0
 * component schemas become JSON Schema validators: `$ref`s inlined, `nullable: true` turned into a
 * `null` type alternative, documentation-only keywords (`example`, `x-*`, ...) dropped.
 * BELVO_OPENAPI_DIR points the validators at another folder holding the same files.
 */

export const SPEC_DIR = process.env.BELVO_OPENAPI_DIR ?? BELVO_SPEC_DIR
/** The tests' names of Belvo's documents: `current` is the server's `ofda`. */
const SOURCES = { current: 'ofda', multiregion: 'multiregion', legacy: 'legacy' } as const satisfies Record<string, BelvoSpecName>
export type SpecName = keyof typeof SOURCES
export const SPECS: Record<SpecName, string> = {
  current: BELVO_SPEC_FILES.ofda,
  multiregion: BELVO_SPEC_FILES.multiregion,
  legacy: BELVO_SPEC_FILES.legacy,
}

/** The two documents every validation suite needs (the legacy one only serves a few schemas). */
export function specsAvailable(): boolean {
  return [SPECS.current, SPECS.multiregion].every((file) => existsSync(join(SPEC_DIR, file)))
}

type Json = Record<string, unknown>
const DROP = new Set(['example', 'examples', 'discriminator', 'xml', 'externalDocs', 'deprecated', 'readOnly', 'writeOnly'])

/** The document as `toJsonSchema` resolves references in it. */
function spec(name: SpecName): Json {
  return { components: { schemas: belvoSpec(SOURCES[name], SPEC_DIR).schemas } }
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
