import { Ajv, type ValidateFunction } from 'ajv'
import formats from 'ajv-formats'
import { readFileSync } from 'node:fs'

/**
 * Validates real responses against Belvo's own OpenAPI specs (shared/belvo/openapi). OpenAPI 3.0
 * schemas are not quite JSON Schema: `nullable: true` becomes a `null` type, and examples and
 * vendor keys are dropped.
 */
const SPECS = {
  current: 'test/fixtures/belvo-openapi/BelvoOpenApiSpec-1.223.0.json',
  multiregion: 'test/fixtures/belvo-openapi/BelvoOpenApiSpec-1.59.0-multiregion.json',
} as const

type SpecName = keyof typeof SPECS
const loaded = new Map<SpecName, { schemas: Record<string, unknown>; ajv: Ajv }>()

function toJsonSchema(node: unknown, spec: SpecName): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, spec))
  if (!node || typeof node !== 'object') return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === 'example' || key === 'examples' || key.startsWith('x-') || key === 'discriminator' || key === 'xml') continue
    if (key === '$ref' && typeof value === 'string') {
      out.$ref = `${spec}#/components/schemas/${value.split('/').pop()}`
      continue
    }
    out[key] = toJsonSchema(value, spec)
  }
  if (out.nullable === true) {
    delete out.nullable
    if (typeof out.type === 'string') out.type = [out.type, 'null']
    else if (out.enum) out.enum = [...(out.enum as unknown[]), null]
    else if (out.$ref || out.allOf || out.oneOf || out.anyOf) return { anyOf: [{ ...out }, { type: 'null' }] }
  } else delete out.nullable
  if (Array.isArray(out.enum) && out.type && (Array.isArray(out.type) ? out.type.includes('null') : false) && !out.enum.includes(null)) out.enum = [...out.enum, null]
  return out
}

function load(spec: SpecName) {
  let entry = loaded.get(spec)
  if (!entry) {
    const document = JSON.parse(readFileSync(new URL(`../../${SPECS[spec]}`, import.meta.url), 'utf8'))
    const schemas = toJsonSchema(document.components.schemas, spec) as Record<string, unknown>
    const ajv = new Ajv({ strict: false, allErrors: true })
    // ajv-formats is CommonJS: its function is the default import or that import's `default`.
    const addFormats = ((formats as unknown as { default?: typeof formats }).default ?? formats) as unknown as (ajv: Ajv) => void
    addFormats(ajv)
    ajv.addSchema({ $id: spec, components: { schemas } })
    entry = { schemas, ajv }
    loaded.set(spec, entry)
  }
  return entry
}

const validators = new Map<string, ValidateFunction>()

export function specValidator(spec: SpecName, schemaName: string): ValidateFunction {
  const id = `${spec}#/components/schemas/${schemaName}`
  let validate = validators.get(id)
  if (!validate) {
    const { ajv, schemas } = load(spec)
    if (!(schemaName in schemas)) throw new Error(`No schema ${schemaName} in ${spec}`)
    const compiled = ajv.getSchema(id) ?? ajv.compile({ $ref: id })
    validators.set(id, compiled)
    return compiled
  }
  return validate
}

/** Asserts `value` validates, with Ajv's errors in the failure message. */
export function expectSpec(spec: SpecName, schemaName: string, value: unknown): void {
  const validate = specValidator(spec, schemaName)
  if (!validate(value)) {
    throw new Error(`${schemaName} (${spec}) rejected the response: ${JSON.stringify(validate.errors?.slice(0, 5), null, 1)}\n${JSON.stringify(value).slice(0, 600)}`)
  }
}
