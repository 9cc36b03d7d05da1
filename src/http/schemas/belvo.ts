import { Type, type TSchema } from 'typebox'
import { BELVO_SPEC_FILES, BELVO_SPEC_NAMES, belvoSchemaNames, belvoSpec, type BelvoSpecName, type Json } from '../openapi/belvo-specs.ts'

/**
 * Belvo's own schemas in Ponte's published contract. A route's response schema refers to Belvo's
 * component schemas (`belvoItemSchema`, `belvoRef`), and `withBelvoComponents` puts exactly the
 * ones the document refers to, and those they refer to, into its `components.schemas`.
 *
 * Names: a Belvo schema keeps its Belvo name. Where several of Belvo's documents define a schema
 * of one name (Owner, TransactionMerchantData...), the first document in BELVO_SPEC_NAMES keeps
 * the plain name and the others' are suffixed with their document (`Owner.multiregion`: no Belvo
 * name has a dot), even where both definitions happen to be the same (a few enums): deciding that
 * would take parsing the documents at every start. The name of a schema depends only on the
 * names in Belvo's documents, never on which resources are registered, so generated clients keep
 * their type names.
 */

/** The Belvo component schemas of one item of a resource, per document (pinned registry interface: `ResourceSpec.items`). */
export type BelvoItems = Partial<Record<BelvoSpecName, readonly string[]>>

const SCHEMAS = '#/components/schemas/'

/** Who gets items of each document's shapes, for descriptions. */
const AUDIENCE: Record<BelvoSpecName, string> = {
  ofda: 'Brazil Open Finance institutions',
  multiregion: 'Mexico and Colombia institutions',
  legacy: 'legacy API',
}

interface Source {
  spec: BelvoSpecName
  name: string
}

/** Every published name handed out in this process, and the Belvo schema it stands for. */
const published = new Map<string, Source>()

function definition({ spec, name }: Source): Json {
  const schema = belvoSpec(spec).schemas[name]
  if (!schema) throw new Error(`Belvo's ${BELVO_SPEC_FILES[spec]} has no schema ${name}`)
  return schema
}

function referencedName(ref: string, from: Source): string {
  if (!ref.startsWith(SCHEMAS)) throw new Error(`Belvo's ${from.name} (${BELVO_SPEC_FILES[from.spec]}) refers to ${ref}, outside its component schemas`)
  return ref.slice(SCHEMAS.length)
}

/** The name a Belvo schema is published under (see the module comment). Reads names only, not the documents. */
function componentName(source: Source): string {
  if (!belvoSchemaNames(source.spec).has(source.name)) throw new Error(`Belvo's ${BELVO_SPEC_FILES[source.spec]} has no schema ${source.name}`)
  const earlier = BELVO_SPEC_NAMES.slice(0, BELVO_SPEC_NAMES.indexOf(source.spec)).some((spec) => belvoSchemaNames(spec).has(source.name))
  const name = earlier ? `${source.name}.${source.spec}` : source.name
  published.set(name, source)
  return name
}

/** A reference to one of Belvo's component schemas; throws when the document has no such schema. */
export function belvoRef(spec: BelvoSpecName, name: string): TSchema {
  if (!BELVO_SPEC_NAMES.includes(spec)) throw new Error(`No Belvo document is called ${spec} (${BELVO_SPEC_NAMES.join(', ')})`)
  return Type.Ref(`${SCHEMAS}${componentName({ spec, name })}`)
}

/** "AccountOpenFinanceBrazil (Brazil Open Finance institutions) or Account (Mexico and Colombia institutions)". */
export function describeBelvoItems(items: BelvoItems): string {
  return BELVO_SPEC_NAMES.filter((spec) => items[spec]?.length)
    .map((spec) => `${items[spec]!.join(' or ')} (${AUDIENCE[spec]})`)
    .join(' or ')
}

/**
 * The document an item schema is read from: its shape's own, or, for a resource Belvo publishes
 * only in the current document (Mexico's current employments, for one), the first that has it.
 * A name no document has stays with its shape's, whose lookup then fails loudly.
 */
function documentDefining(spec: BelvoSpecName, name: string): BelvoSpecName {
  if (belvoSchemaNames(spec).has(name)) return spec
  return BELVO_SPEC_NAMES.find((other) => belvoSchemaNames(other).has(name)) ?? spec
}

/**
 * The response schema of one item of a resource: Belvo's schema, or any of Belvo's schemas when
 * the item has several (by wire shape, or an individual or business owner). Throws, so the app
 * does not start, when a name is not in Belvo's document.
 */
export function belvoItemSchema(items: BelvoItems): TSchema {
  for (const spec of Object.keys(items)) {
    if (!BELVO_SPEC_NAMES.includes(spec as BelvoSpecName)) throw new Error(`No Belvo document is called ${spec} (${BELVO_SPEC_NAMES.join(', ')})`)
  }
  const refs = new Map<string, TSchema>()
  for (const spec of BELVO_SPEC_NAMES) {
    for (const name of items[spec] ?? []) {
      const ref = belvoRef(documentDefining(spec, name), name)
      refs.set(String((ref as Json).$ref), ref)
    }
  }
  if (refs.size === 0) throw new Error('An item schema needs at least one Belvo schema name')
  const description = `Belvo's ${describeBelvoItems(items)}.`
  // anyOf, not oneOf: Belvo's schemas leave most fields optional, so one item can match several.
  return refs.size === 1 ? Type.Intersect([...refs.values()], { description }) : Type.Union([...refs.values()], { description })
}

/** Every `#/components/schemas/` name a part of the document refers to. */
function references(node: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) references(item, into)
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') {
        if (value.startsWith(SCHEMAS)) into.add(value.slice(SCHEMAS.length))
      } else {
        references(value, into)
      }
    }
  }
  return into
}

/** A Belvo schema with its references renamed to the names they are published under. */
function withPublishedRefs(node: unknown, source: Source): unknown {
  if (Array.isArray(node)) return node.map((item) => withPublishedRefs(item, source))
  if (!node || typeof node !== 'object') return node
  const out: Json = {}
  for (const [key, value] of Object.entries(node)) {
    out[key] =
      key === '$ref' && typeof value === 'string'
        ? `${SCHEMAS}${componentName({ spec: source.spec, name: referencedName(value, source) })}`
        : withPublishedRefs(value, source)
  }
  return out
}

/**
 * The OpenAPI document with the Belvo schemas it refers to, directly or through one another, in
 * its `components.schemas` (after Ponte's own, in name order). Throws on a reference that neither
 * Ponte nor Belvo defines, and when one of Ponte's own schemas takes the name of a Belvo schema the
 * document refers to: either would publish a contract that says something else than meant.
 */
export function withBelvoComponents<T extends object>(document: T): T {
  const root = document as Json
  const components = (root.components ??= {}) as Json
  const schemas = (components.schemas ??= {}) as Record<string, unknown>
  const added = new Map<string, unknown>()
  const pending = [...references(root, new Set())]
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (added.has(name)) continue
    const source = published.get(name)
    if (name in schemas) {
      if (source) throw new Error(`Ponte's own schema ${name} has the name of Belvo's ${source.name} (${BELVO_SPEC_FILES[source.spec]}): rename Ponte's`)
      continue
    }
    if (!source) throw new Error(`The OpenAPI document refers to ${SCHEMAS}${name}, which neither Ponte nor Belvo defines`)
    const schema = withPublishedRefs(definition(source), source)
    added.set(name, schema)
    pending.push(...references(schema, new Set()))
  }
  for (const name of [...added.keys()].sort()) schemas[name] = added.get(name)
  return document
}
