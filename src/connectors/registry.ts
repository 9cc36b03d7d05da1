import { CATALOG, wireShape, type CatalogInstitution } from './catalog.ts'
import { createSandboxConnector } from './sandbox/connector.ts'
import type { InstitutionConnector } from './types.ts'

type ConnectorFactory = (institution: CatalogInstitution) => InstitutionConnector

/**
 * Which connector serves which institution. Every catalog institution is served by the sandbox
 * unless a real integration registers itself for that institution name.
 */
export class ConnectorRegistry {
  private readonly factories = new Map<string, ConnectorFactory>()
  private readonly instances = new Map<string, InstitutionConnector>()

  register(institutionName: string, factory: ConnectorFactory): void {
    this.factories.set(institutionName, factory)
    this.instances.delete(institutionName)
  }

  /** True when a real integration (not the sandbox) serves the institution. */
  hasRealConnector(institutionName: string): boolean {
    return this.factories.has(institutionName)
  }

  institution(name: string): CatalogInstitution | undefined {
    return CATALOG.find((i) => i.name === name)
  }

  connectorFor(institution: CatalogInstitution): InstitutionConnector {
    const existing = this.instances.get(institution.name)
    if (existing) return existing
    const factory = this.factories.get(institution.name)
    const connector = factory
      ? factory(institution)
      : createSandboxConnector({ name: institution.name, country: institution.country, shape: wireShape(institution) })
    this.instances.set(institution.name, connector)
    return connector
  }
}
