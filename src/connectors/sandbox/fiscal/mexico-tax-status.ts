import type { InstitutionRecord } from '../../types.ts'
import { civil, formatDay, formatTime, type Day } from '../calendar.ts'
import { buildPdf, type PdfBlock } from '../pdf.ts'
import { hashDigits, Rng, seedKey, sha256Bytes, withFaker } from '../random.ts'
import type { World } from '../world.ts'
import { MEXICO_UTC_OFFSET, mexicoTaxpayer, type MexicoTaxpayer, type Regime } from './mexico-taxpayer.ts'

/**
 * The SAT's "Constancia de Situación Fiscal" of the link's taxpayer (Belvo `TaxStatusSat`): who
 * they are, where they live, what they do and under which regimes and obligations, as of the day
 * it is issued (the sandbox day). The values are mexico-taxpayer.ts's, so they agree with the
 * invoices, retentions and tax returns of the same link. With `attach_pdf` the record carries the
 * certificate itself, a PDF showing the same values.
 *
 * The helpers for the SAT's documents (issue instant, dates in Spanish, seals) are shared with
 * the compliance opinion (mexico-compliance.ts).
 */

export const SAT_ISSUER = ['SERVICIO DE ADMINISTRACIÓN TRIBUTARIA', 'SECRETARÍA DE HACIENDA Y CRÉDITO PÚBLICO']

const MONTHS = ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre']

/** '19 de marzo de 2020', as the SAT writes a date in running text. */
export function spanishDate(day: Day): string {
  const c = civil(day)
  return `${c.day} de ${MONTHS[c.month - 1]} de ${c.year}`
}

/** 'DD/MM/YYYY', as the SAT's tables print dates. */
export function slashDate(day: Day): string {
  const [year, month, dayOfMonth] = formatDay(day).split('-')
  return `${dayOfMonth}/${month}/${year}`
}

/** Capitals without accents, Ñ kept, as the SAT's registry writes names and addresses. */
export function satUpper(value: string): string {
  return value
    .toUpperCase()
    .normalize('NFD')
    .replace(/N\u0303/g, 'Ñ')
    .replace(/[\u0300-\u036f]/g, '')
}

/**
 * When the SAT issued a document of the link on the sandbox day: a fixed second of that morning,
 * Mexico City time, so the same link on the same day gets the same document, to the byte.
 */
export function issueInstant(world: World, document: string): { second: number; iso: string; time: string } {
  const second = new Rng(seedKey(world.key, document, 'issued', world.todayStr)).int(7 * 3600, 9 * 3600)
  return { second, time: formatTime(second), iso: `${world.todayStr}T${formatTime(second)}${MEXICO_UTC_OFFSET}` }
}

/** A document's digital seal: 256 bytes (an RSA-2048 signature's size) derived from what it seals, in base64. */
export function satSeal(chain: string): string {
  return Buffer.concat(Array.from({ length: 8 }, (_, i) => sha256Bytes(seedKey('sat-seal', chain, i)))).toString('base64')
}

/** The registry's wording of each regime on the certificate (c_RegimenFiscal). */
const REGIME_NAMES: Record<string, string> = {
  '601': 'Régimen General de Ley Personas Morales',
  '605': 'Régimen de Sueldos y Salarios e Ingresos Asimilados a Salarios',
  '612': 'Régimen de las Personas Físicas con Actividades Empresariales y Profesionales',
  '616': 'Sin obligaciones fiscales',
}

const regimeName = (regime: Regime) => REGIME_NAMES[regime.code] ?? `Régimen ${regime.description}`

/** The street types of the sandbox's addresses, as the SAT names them (tipo de vialidad). */
const STREET_TYPES: [prefix: string, type: string][] = [
  ['Av.', 'AVENIDA'],
  ['Avenida', 'AVENIDA'],
  ['Blvd.', 'BOULEVARD'],
  ['Calz.', 'CALZADA'],
  ['Prol.', 'PROLONGACION'],
  ['Priv.', 'PRIVADA'],
  ['Cerrada', 'CERRADA'],
  ['Calle', 'CALLE'],
]

function streetParts(street: string): { type: string; name: string } {
  for (const [prefix, type] of STREET_TYPES) if (street.startsWith(`${prefix} `)) return { type, name: satUpper(street.slice(prefix.length + 1)) }
  return { type: 'CALLE', name: satUpper(street) }
}

/**
 * What the certificate shows for the taxpayer. The nodata persona is a taxpayer registered
 * without obligations (regime 616, "Sin obligaciones fiscales": no activities, nothing to file),
 * which is also why their compliance opinion is NO_OBLIGATIONS.
 */
export function registration(world: World, taxpayer: MexicoTaxpayer): Pick<MexicoTaxpayer, 'regimes' | 'activities' | 'obligations'> {
  if (world.profile.kind !== 'nodata') return taxpayer
  return { regimes: [{ code: '616', description: REGIME_NAMES['616'], start: taxpayer.startDay }], activities: [], obligations: [] }
}

/** The taxpayer's name on SAT documents: a person's full name, a company's name with its legal form. */
export function officialName(taxpayer: MexicoTaxpayer): string {
  return taxpayer.legalForm ? `${taxpayer.name} ${taxpayer.legalForm}` : taxpayer.name
}

/** The Cédula de Identificación Fiscal's id: eleven digits, the taxpayer's for good. */
function idCif(taxpayer: MexicoTaxpayer): string {
  return hashDigits(seedKey('sat-id-cif', taxpayer.rfc), 11).replace(/^0/, '1')
}

/** The link's one certificate, streamed as one batch: pdf-lib writes the PDF asynchronously. */
export async function* mexicoTaxStatusRecords(world: World, attachPdf: boolean): AsyncIterable<InstitutionRecord[]> {
  const taxpayer = mexicoTaxpayer(world)
  const { regimes, activities, obligations } = registration(world, taxpayer)
  const issued = issueInstant(world, 'constancia')
  const a = taxpayer.address
  const place = `${satUpper(a.municipality)} , ${satUpper(a.state)} A ${satUpper(spanishDate(world.today))}`
  // The certificate's folio: 22 digits, the year and eighteen of the day's issue (Belvo's example: 2044441088666600000034).
  const folio = `${world.todayStr.slice(0, 4)}${hashDigits(seedKey(world.key, 'constancia', world.todayStr), 18)}`
  const chain = `||${world.todayStr.replace(/-/g, '/')}|${taxpayer.rfc}|CONSTANCIA DE SITUACIÓN FISCAL|${folio}||`
  const street = streetParts(a.street)
  const between = withFaker('MX', seedKey(world.key, 'between-streets'), (faker) => [faker.location.street(), faker.location.street()])
  const company = taxpayer.kind === 'BUSINESS'
  const record = {
    internal_identification: `tax-status/${taxpayer.rfc}`,
    place_and_date_of_issuance: place,
    official_name: officialName(taxpayer),
    id_cif: idCif(taxpayer),
    tax_payer_information: {
      rfc: taxpayer.rfc,
      curp: taxpayer.curp,
      name: taxpayer.firstName,
      first_last_name: taxpayer.lastName,
      second_last_name: taxpayer.secondLastName,
      start_operations_date: formatDay(taxpayer.startDay),
      status_padron: 'ACTIVO',
      last_status_change_date: formatDay(taxpayer.startDay),
      commercial_name: company ? taxpayer.name : null,
      social_name: company ? officialName(taxpayer) : null,
      email: taxpayer.email,
      phone: taxpayer.phone,
    },
    address: {
      postal_code: a.zipCode,
      street_type: street.type,
      street: street.name,
      exterior_number: a.exteriorNumber,
      interior_number: a.interiorNumber === null ? null : satUpper(a.interiorNumber),
      suburb: satUpper(a.neighbourhood),
      locality: satUpper(a.municipality),
      municipality: satUpper(a.municipality),
      state: satUpper(a.state),
      between_street: [{ street_one: satUpper(between[0]), street_two: satUpper(between[1]) }],
    },
    economic_activity: activities.map((activity) => ({
      economic_activity: activity.description,
      initial_date: formatDay(activity.start),
      end_date: null,
      order: String(activity.order),
      percentage: String(activity.percentage),
    })),
    regimes: regimes.map((regime) => ({ regimen: regimeName(regime), initial_date: formatDay(regime.start), end_date: null })),
    // Belvo: "For non-business accounts, this field will return empty." The certificate itself lists them for everyone.
    obligations: company ? obligations.map((o) => ({ obligation: o.description, expiration: o.due, initial_date: formatDay(o.start), end_date: null })) : [],
    // Belvo's example has the sealed chain in digital_stamp and the seal in digital_stamp_chain.
    digital_stamp: chain,
    digital_stamp_chain: satSeal(chain),
    pdf: null as string | null,
  }
  if (attachPdf) {
    const info = record.tax_payer_information
    const identity: [string, string][] = company
      ? [
          ['RFC:', taxpayer.rfc],
          ['Denominación/Razón Social:', taxpayer.name],
          ['Régimen Capital:', taxpayer.legalForm ?? ''],
          ['Nombre Comercial:', taxpayer.name],
        ]
      : [
          ['RFC:', taxpayer.rfc],
          ['CURP:', taxpayer.curp ?? ''],
          ['Nombre (s):', info.name ?? ''],
          ['Primer Apellido:', info.first_last_name ?? ''],
          ['Segundo Apellido:', info.second_last_name ?? ''],
        ]
    const blocks: PdfBlock[] = [
      { kind: 'paragraph', text: 'CÉDULA DE IDENTIFICACIÓN FISCAL', bold: true, size: 11 },
      {
        kind: 'fields',
        rows: [
          ['RFC:', taxpayer.rfc],
          ...(taxpayer.curp ? [['CURP:', taxpayer.curp] as [string, string]] : []),
          ['Nombre, denominación o razón social:', record.official_name],
          ['idCIF:', record.id_cif],
          ['Lugar y Fecha de Emisión:', place],
        ],
      },
      { kind: 'heading', text: 'Datos de Identificación del Contribuyente' },
      {
        kind: 'fields',
        rows: [
          ...identity,
          ['Fecha inicio de operaciones:', satUpper(spanishDate(taxpayer.startDay))],
          ['Estatus en el padrón:', info.status_padron],
          ['Fecha de último cambio de estado:', satUpper(spanishDate(taxpayer.startDay))],
        ],
      },
      { kind: 'heading', text: 'Datos del domicilio registrado' },
      {
        kind: 'fields',
        rows: [
          ['Código Postal:', a.zipCode],
          ['Tipo de Vialidad:', street.type],
          ['Nombre de Vialidad:', street.name],
          ['Número Exterior:', a.exteriorNumber],
          ['Número Interior:', record.address.interior_number ?? ''],
          ['Nombre de la Colonia:', record.address.suburb],
          ['Nombre de la Localidad:', record.address.locality],
          ['Nombre del Municipio o Demarcación Territorial:', record.address.municipality],
          ['Nombre de la Entidad Federativa:', record.address.state],
          ['Entre Calle:', record.address.between_street[0].street_one],
          ['Y Calle:', record.address.between_street[0].street_two],
          ['Correo Electrónico:', taxpayer.email],
          ['Tel. Fijo:', taxpayer.phone],
        ],
      },
      { kind: 'heading', text: 'Actividades Económicas' },
      {
        kind: 'table',
        columns: [
          { header: 'Orden', width: 1 },
          { header: 'Actividad Económica', width: 6 },
          { header: 'Porcentaje', width: 1.6, align: 'right' },
          { header: 'Fecha Inicio', width: 1.6 },
          { header: 'Fecha Fin', width: 1.4 },
        ],
        rows: activities.map((x) => [String(x.order), x.description, String(x.percentage), slashDate(x.start), '']),
      },
      { kind: 'heading', text: 'Regímenes' },
      {
        kind: 'table',
        columns: [
          { header: 'Régimen', width: 7 },
          { header: 'Fecha Inicio', width: 1.6 },
          { header: 'Fecha Fin', width: 1.4 },
        ],
        rows: regimes.map((r) => [regimeName(r), slashDate(r.start), '']),
      },
      { kind: 'heading', text: 'Obligaciones' },
      {
        kind: 'table',
        columns: [
          { header: 'Descripción de la Obligación', width: 4.5 },
          { header: 'Descripción Vencimiento', width: 3.5 },
          { header: 'Fecha Inicio', width: 1.6 },
          { header: 'Fecha Fin', width: 1.4 },
        ],
        rows: obligations.map((o) => [o.description, o.due, slashDate(o.start), '']),
      },
      {
        kind: 'paragraph',
        text: `Emitida el ${spanishDate(world.today)} a las ${issued.time} horas (tiempo del centro de México). Sus datos personales son incorporados y protegidos en los sistemas del SAT. Documento de prueba generado por el sandbox de Ponte: no tiene validez fiscal.`,
        size: 7.5,
      },
      { kind: 'heading', text: 'Sello digital' },
      { kind: 'paragraph', text: record.digital_stamp_chain, size: 6.5 },
    ]
    const bytes = await buildPdf({
      title: 'Constancia de Situación Fiscal',
      issuer: SAT_ISSUER,
      subject: `Constancia de Situación Fiscal de ${taxpayer.rfc}`,
      keywords: [taxpayer.rfc, 'CONSTANCIA DE SITUACIÓN FISCAL'],
      issuedAt: issued.iso,
      folio,
      chain,
      blocks,
    })
    record.pdf = Buffer.from(bytes).toString('base64')
  }
  yield [record]
}
