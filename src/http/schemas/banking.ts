import { Type } from 'typebox'
import type { ItemSchemas } from '../../domain/registry.ts'

const REGIONS = { ofda: 'Brazil', multiregion: 'Mexico, Colombia' } as const

/** Belvo's schema names of a resource's items, by region: `AccountOpenFinanceBrazil (Brazil) or Account (Mexico, Colombia)`. */
export function describeItems(items: ItemSchemas): string {
  return Object.entries(items).map(([shape, names]) => `${names!.join(' or ')} (${REGIONS[shape as keyof typeof REGIONS]})`).join(' or ')
}

/** One item of a resource (or of its children), for the generated reference. */
export function itemSchema(resource: { items: ItemSchemas }) {
  return Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: true, description: `Belvo ${describeItems(resource.items)}.` })
}
