import type { InstitutionRecord } from '../../types.ts'
import { addMonths, formatDay } from '../calendar.ts'
import { Rng, seedKey } from '../random.ts'
import type { World } from '../world.ts'
import { chileTaxpayer } from './chile-taxpayer.ts'

/**
 * The SII's record of the link's taxpayer (Belvo's `tax_status_sii`): a person with a business
 * ("persona natural con giro") who issues electronic invoices. One record per link, as the SII
 * keeps one per RUT; its RUT, name and activities are those of the invoices and the debt report.
 */
export function chileTaxStatusRecords(world: World, login: string): InstitutionRecord[] {
  if (world.profile.kind === 'nodata') return []
  const taxpayer = chileTaxpayer(world, login)
  const rng = new Rng(seedKey(world.key, 'cl-tax-status'))
  const start = formatDay(taxpayer.startDay)
  // Electronic invoicing is authorized a few weeks after the start of activities.
  const authorized = formatDay(addMonths(taxpayer.startDay, 1))
  const { street, commune, region } = taxpayer.address
  return [
    {
      internal_identification: `tax-status/${taxpayer.rut}`,
      entity_details: {
        incorporation_date: start,
        start_date: start,
        end_date: null,
        document_id_type: 'RUT',
        document_id_number: taxpayer.rut,
        name: taxpayer.siiName,
      },
      addresses: [{ type: 'PRIMARY', date: start, address: `${street}, ${commune}, ${region}` }],
      emails: [{ type: 'NOTIFICATION', email: taxpayer.email }],
      phone_numbers: [{ type: 'MOBILE', number: taxpayer.phone }],
      economic_activities: taxpayer.activities.map((a, i) => ({
        type: a.type,
        activity: a.activity,
        code: a.code,
        tax_category: a.taxCategory,
        vat_affected: a.vatAffected,
        start_date: i === 0 ? start : formatDay(addMonths(taxpayer.startDay, 12 + rng.int(0, 12))),
      })),
      // A person answers for themselves: no legal representative, no partners.
      legal_representative: [],
      equity_holders: [],
      company_partnership_stakes: [],
      regimes: [{ type: world.profile.kind === 'low' ? 'MICRO EMPRESA' : 'PRO PYME GENERAL', start_date: start }],
      authorized_tax_documents: [
        { type: 'FACTURA ELECTRONICA', document_limit: world.profile.kind === 'low' ? 200 : 2000, authorization_date: authorized },
        { type: 'NOTA CREDITO ELECTRONICA', document_limit: 100, authorization_date: authorized },
      ],
      property_tax_liabilities: [],
      fiscal_office: { name: taxpayer.fiscalOffice.name, address: taxpayer.fiscalOffice.address },
    },
  ]
}
