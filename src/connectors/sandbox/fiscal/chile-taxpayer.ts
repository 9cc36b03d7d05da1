import { addMonths, type Day } from '../calendar.ts'
import { Rng, seedKey } from '../random.ts'
import { REFERENCE_DAY, type World } from '../world.ts'

/**
 * The one Chilean taxpayer of a link at a Chile fiscal institution (the SII): who they are, what
 * they do and whom they trade with. The invoices, tax status and debt report generators all read
 * it, so the RUT, the name and the business agree across the three resources. A pure function of
 * the link's world key: the same link is always the same taxpayer.
 */

/**
 * The check digit of a RUT's body (Chile's modulo 11): the digits from the right weighted
 * 2, 3, 4, 5, 6, 7, 2, 3..., and 11 minus the sum's remainder, where 11 is written 0 and 10 K.
 */
export function rutCheckDigit(body: number): string {
  let sum = 0
  let factor = 2
  for (let rest = body; rest > 0; rest = Math.floor(rest / 10)) {
    sum += (rest % 10) * factor
    factor = factor === 7 ? 2 : factor + 1
  }
  const digit = 11 - (sum % 11)
  return digit === 11 ? '0' : digit === 10 ? 'K' : String(digit)
}

/** A RUT as the SII and Belvo write it: body, hyphen, check digit (`12345678-5`). */
export function rut(body: number): string {
  return `${body}-${rutCheckDigit(body)}`
}

/** Whether `value` is a well-formed RUT whose check digit is right. */
export function isValidRut(value: string): boolean {
  const match = /^(\d{7,8})-([\dK])$/i.exec(value)
  return match !== null && rutCheckDigit(Number(match[1])) === match[2].toUpperCase()
}

export interface ChileCompany {
  rut: string
  name: string
}

export interface EconomicActivity {
  code: string
  type: string
  activity: string
  /** The SII's first or second category of income. */
  taxCategory: number
  vatAffected: boolean
}

export interface ChileTaxpayer {
  rut: string
  /** Given names, then the father's and the mother's surnames. */
  givenNames: string
  surnames: [string, string]
  /** As the SII writes a person's name: surnames first, in capitals. */
  siiName: string
  /** The day the taxpayer started activities at the SII (and registered with it). */
  startDay: Day
  activities: EconomicActivity[]
  address: { street: string; commune: string; region: string }
  email: string
  phone: string
  fiscalOffice: { name: string; address: string }
  /** Who the taxpayer sells to (receivers of the OUTFLOW invoices). */
  customers: ChileCompany[]
  /** Who the taxpayer buys from (senders of the INFLOW invoices). */
  suppliers: ChileCompany[]
}

const GIVEN_NAMES = [
  'Martín Vicente',
  'Catalina Andrea',
  'Felipe Ignacio',
  'Valentina Paz',
  'Tomás Alejandro',
  'Francisca Javiera',
  'Joaquín Andrés',
  'Camila Fernanda',
]
const SURNAMES = [
  'González',
  'Muñoz',
  'Rojas',
  'Díaz',
  'Pérez',
  'Soto',
  'Contreras',
  'Silva',
  'Martínez',
  'Sepúlveda',
  'Morales',
  'Fuentes',
  'Cabezas',
  'Araya',
]

/** Economic activities of the SII's classification (CIIU4.CL codes), with VAT, as a small business has them. */
const ACTIVITIES: EconomicActivity[] = [
  {
    code: '620200',
    type: 'SERVICIOS INFORMATICOS',
    activity: 'ACTIVIDADES DE CONSULTORIA DE INFORMATICA Y DE GESTION DE INSTALACIONES INFORMATICAS',
    taxCategory: 1,
    vatAffected: true,
  },
  { code: '702000', type: 'ASESORIA EN INGENIERIA', activity: 'ACTIVIDADES DE CONSULTORIA DE GESTION', taxCategory: 1, vatAffected: true },
  {
    code: '474100',
    type: 'COMERCIO AL POR MENOR',
    activity: 'VENTA AL POR MENOR DE COMPUTADORES, EQUIPO PERIFERICO Y PROGRAMAS INFORMATICOS',
    taxCategory: 1,
    vatAffected: true,
  },
  { code: '731001', type: 'PUBLICIDAD', activity: 'SERVICIOS DE PUBLICIDAD PRESTADOS POR EMPRESAS', taxCategory: 1, vatAffected: true },
]

const PLACES = [
  {
    commune: 'PROVIDENCIA',
    region: 'REGION METROPOLITANA',
    streets: ['AV. NUEVA PROVIDENCIA', 'LOS LEONES', 'ANTONIO VARAS'],
    office: ['SANTIAGO ORIENTE', 'ALONSO DE CORDOVA 5151, LAS CONDES'],
  },
  {
    commune: 'ÑUÑOA',
    region: 'REGION METROPOLITANA',
    streets: ['IRARRAZAVAL', 'JOSE PEDRO ALESSANDRI', 'PEDRO DE VALDIVIA'],
    office: ['SANTIAGO ORIENTE', 'ALONSO DE CORDOVA 5151, LAS CONDES'],
  },
  {
    commune: 'VIÑA DEL MAR',
    region: 'REGION DE VALPARAISO',
    streets: ['AV. LIBERTAD', '5 NORTE', 'QUILLOTA'],
    office: ['VIÑA DEL MAR', 'ARLEGUI 525, VIÑA DEL MAR'],
  },
  {
    commune: 'CONCEPCION',
    region: 'REGION DEL BIOBIO',
    streets: ['BARROS ARANA', "O'HIGGINS", 'CAUPOLICAN'],
    office: ['CONCEPCION', 'ANIBAL PINTO 442, CONCEPCION'],
  },
]

const COMPANY_WORDS = ['Andes', 'Pacífico', 'Austral', 'Cordillera', 'Maipo', 'Aconcagua', 'Atacama', 'Biobío', 'Los Lagos', 'Patagonia', 'Elqui', 'Huasco']
const COMPANY_KINDS = ['Comercial', 'Servicios', 'Inversiones', 'Distribuidora', 'Constructora', 'Importadora', 'Logística', 'Tecnología']
const COMPANY_FORMS = ['SpA', 'Limitada', 'S.A.', 'EIRL']

const strip = (text: string) => text.normalize('NFD').replace(/[\u0300-\u036f]/g, '')

/** Companies with distinct RUTs in the range the SII gives companies (76.000.000 to 77.999.999). */
function companies(rng: Rng, count: number, taken: Set<string>): ChileCompany[] {
  const out: ChileCompany[] = []
  while (out.length < count) {
    const name = `${rng.pick(COMPANY_KINDS)} ${rng.pick(COMPANY_WORDS)} ${rng.pick(COMPANY_FORMS)}`
    const id = rut(rng.int(76_000_000, 77_999_999))
    if (taken.has(id) || taken.has(name)) continue
    taken.add(id).add(name)
    out.push({ rut: id, name })
  }
  return out
}

const cache = new Map<string, ChileTaxpayer>()

/**
 * The link's taxpayer (see the module comment). `login` is the username the link logged in with:
 * at the SII that is the taxpayer's own RUT, which the taxpayer then has; a sandbox persona
 * (`fiscal100`) gets a RUT of its own.
 */
export function chileTaxpayer(world: Pick<World, 'key'>, login: string): ChileTaxpayer {
  const key = seedKey(world.key, login)
  const cached = cache.get(key)
  if (cached) return cached
  const rng = new Rng(seedKey(world.key, 'cl-taxpayer'))
  const givenNames = rng.pick(GIVEN_NAMES)
  const father = rng.pick(SURNAMES)
  const mother = rng.pick(SURNAMES.filter((s) => s !== father))
  // People's RUTs: the bodies given to those born from the 1970s to the 1990s.
  const drawn = rut(rng.int(9_000_000, 19_999_999))
  const own = isValidRut(login) ? login.toUpperCase() : drawn
  const place = rng.pick(PLACES)
  const firstActivity = rng.pick(ACTIVITIES)
  const activities = rng.chance(0.5) ? [firstActivity, rng.pick(ACTIVITIES.filter((a) => a !== firstActivity))] : [firstActivity]
  const taken = new Set<string>([own])
  const taxpayer: ChileTaxpayer = {
    rut: own,
    givenNames,
    surnames: [father, mother],
    siiName: strip(`${father} ${mother} ${givenNames}`).toUpperCase(),
    // Years before the sandbox's reference day, so every invoice window of the tests has activity.
    startDay: addMonths(REFERENCE_DAY, -rng.int(40, 120)) - rng.int(0, 27),
    activities,
    address: { street: `${rng.pick(place.streets)} ${rng.int(100, 3999)}`, commune: place.commune, region: place.region },
    email: `${strip(givenNames.split(' ')[0]).toLowerCase()}.${strip(father).toLowerCase()}${rng.int(1, 99)}@correo.cl`,
    phone: `+569${rng.int(10_000_000, 99_999_999)}`,
    fiscalOffice: { name: place.office[0], address: place.office[1] },
    customers: companies(rng, 6, taken),
    suppliers: companies(rng, 4, taken),
  }
  cache.set(key, taxpayer)
  if (cache.size > 256) cache.delete(cache.keys().next().value as string)
  return taxpayer
}
