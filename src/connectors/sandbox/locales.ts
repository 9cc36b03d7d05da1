import { weighted, type SandboxCountry, type Weighted } from './random.ts'

/**
 * The country catalogs behind the sandbox stories: currencies, banks, employers, merchants as
 * banks print them, utilities and subscriptions with their usual prices. Amounts are in cents of
 * the local currency. Categories and subcategories are Belvo's enums (EnumTransactionCategory and
 * EnumTransactionSubcategory of the 1.223.0 spec); MCCs are ISO 18245 codes.
 */

export type Category =
  | 'Bills & Utilities'
  | 'Credits & Loans'
  | 'Deposits'
  | 'Fees & Charges'
  | 'Food & Groceries'
  | 'Home & Life'
  | 'Income & Payments'
  | 'Insurance'
  | 'Investments & Savings'
  | 'Online Platforms & Leisure'
  | 'Personal Shopping'
  | 'Taxes'
  | 'Transfers'
  | 'Transport & Travel'
  | 'Unknown'
  | 'Withdrawal & ATM'

export type Subcategory =
  | 'Electricity & Energy'
  | 'Rent'
  | 'Telecommunications'
  | 'Water'
  | 'Auto'
  | 'Credit Card'
  | 'Instalment'
  | 'Interest & Charges'
  | 'Mortgage'
  | 'Pay Advance'
  | 'Personal'
  | 'Adjustments'
  | 'Bank Fees'
  | 'Chargeback'
  | 'Refund'
  | 'Alcohol & Tobacco'
  | 'Bakery & Coffee'
  | 'Bars & Nightclubs'
  | 'Convenience Store'
  | 'Delivery'
  | 'Groceries'
  | 'Restaurants'
  | 'Education'
  | 'Gyms & Fitness'
  | 'Hair & Beauty'
  | 'Health'
  | 'Home Decor & Appliances'
  | 'Pharmacies'
  | 'Professional Services'
  | 'Freelance'
  | 'Interest'
  | 'Salary'
  | 'Government'
  | 'Health & Life Insurance'
  | 'Auto Insurance'
  | 'Savings'
  | 'Fixed income'
  | 'Investment Funds'
  | 'Apps, Software and Cloud Services'
  | 'Events, Parks and Museums'
  | 'Gaming'
  | 'Movie & Audio'
  | 'Books & News'
  | 'Clothing & Accessories'
  | 'Department Store'
  | 'Electronics'
  | 'E-commerce'
  | 'Office Supplies'
  | 'Pet Supplies'
  | 'Government Fees'
  | 'Income Tax'
  | 'Accommodation'
  | 'Flights'
  | 'Gas'
  | 'Parking & Tolls'
  | 'Taxis & Rideshares'
  | 'Other'

/** Who a transaction names as its counterpart (a merchant, a utility, a subscription): logo and website come from `domain`. */
export interface Brand {
  name: string
  domain: string | null
}

export interface Merchant {
  name: string
  domain: string | null
  /** How the bank prints it; one is chosen per purchase. */
  descriptors: readonly string[]
  category: Category
  subcategory: Subcategory
  mcc: number
  minCents: number
  maxCents: number
  /** Share of this merchant's purchases paid with the credit card rather than the debit card. */
  cardShare: number
  /** Big-ticket stores where card purchases are often split in installments (MSI, parcelado, cuotas). */
  installments?: boolean
}

export interface Subscription {
  name: string
  domain: string
  descriptor: string
  subcategory: Subcategory
  category: Category
  mcc: number
  pricesCents: readonly number[]
}

export interface Utility {
  name: string
  domain: string | null
  descriptor: string
  subcategory: Subcategory
  baseCents: number
  /** Month-to-month variation (0 = fixed price plan). */
  spread: number
}

export interface Bank {
  /** CLABE bank code (MX), COMPE code (BR) or ACH code (CO). */
  code: string
  name: string
  short: string
  /** Brazil only: ISPB and CNPJ of the bank. */
  ispb?: string
  cnpj?: string
}

export interface City {
  name: string
  state: string
  /** Neighbourhoods (colonias, bairros, barrios) used for addresses and merchant branches. */
  districts: readonly string[]
  /** Postal code range: MX 5 digits, CO 6 digits, BR 8 digits (CEP). */
  postal: readonly [number, number]
  /** Telephone area code (BR: DDD, MX: lada; Colombian mobiles carry none). */
  phoneArea?: string
  /** Brazil: IBGE municipality code and coordinates (1e-7 degrees). */
  ibge?: string
  lat?: number
  lon?: number
  /** Colombia: which utilities serve the city. */
  utilities?: readonly string[]
}

export interface Locale {
  country: SandboxCountry
  currency: 'MXN' | 'BRL' | 'COP'
  /** Smallest amount step in cents: Colombian prices are whole pesos. */
  step: number
  countryName: string
  countryCode3: string
  phonePrefix: string
  banks: readonly Bank[]
  employers: readonly string[]
  cities: readonly City[]
  merchants: Weighted<Merchant>
  subscriptions: readonly Subscription[]
  utilities: readonly Utility[]
  /** Monthly salary range of the "full" persona, cents. */
  salary: readonly [number, number]
  rent: readonly [number, number]
  atm: readonly [number, number]
  monthNames: readonly string[]
  emailDomains: readonly string[]
  /** Exchange rate of the currency against USD, used to size amounts of non-Brazil FX data. */
  perUsd: number
}

const c = (units: number) => Math.round(units * 100)

function merchant(
  name: string,
  domain: string | null,
  descriptors: readonly string[],
  category: Category,
  subcategory: Subcategory,
  mcc: number,
  min: number,
  max: number,
  cardShare: number,
  weight: number,
  installments = false,
): [Merchant, number] {
  return [{ name, domain, descriptors, category, subcategory, mcc, minCents: c(min), maxCents: c(max), cardShare, installments }, weight]
}

function sub(
  name: string,
  domain: string,
  descriptor: string,
  subcategory: Subcategory,
  mcc: number,
  prices: number[],
  category: Category = 'Online Platforms & Leisure',
): Subscription {
  return { name, domain, descriptor, subcategory, category, mcc, pricesCents: prices.map(c) }
}

function util(name: string, domain: string | null, descriptor: string, subcategory: Subcategory, base: number, spread: number): Utility {
  return { name, domain, descriptor, subcategory, baseCents: c(base), spread }
}

const withBranches = (prefix: string, branches: readonly string[]) => branches.map((b) => `${prefix} ${b}`)

// ---------------------------------------------------------------------------------------------
// Mexico

const MX_BRANCHES = ['ROMA NTE', 'CONDESA', 'NARVARTE', 'DEL VALLE', 'POLANCO', 'COYOACAN', 'NAPOLES', 'SANTA FE', 'INSURGENTES']

const MEXICO: Locale = {
  country: 'MX',
  currency: 'MXN',
  step: 1,
  countryName: 'México',
  countryCode3: 'MEX',
  phonePrefix: '52',
  banks: [
    { code: '012', name: 'BBVA México', short: 'BBVA MEXICO' },
    { code: '072', name: 'Banorte', short: 'BANORTE' },
    { code: '014', name: 'Santander México', short: 'SANTANDER' },
    { code: '002', name: 'Banamex', short: 'BANAMEX' },
    { code: '021', name: 'HSBC México', short: 'HSBC' },
    { code: '044', name: 'Scotiabank', short: 'SCOTIABANK' },
    { code: '127', name: 'Banco Azteca', short: 'AZTECA' },
    { code: '137', name: 'BanCoppel', short: 'BANCOPPEL' },
    { code: '638', name: 'Nu México', short: 'NU MEXICO' },
    { code: '722', name: 'Mercado Pago', short: 'MERCADO PAGO W' },
  ],
  employers: [
    'GRUPO BIMBO SAB DE CV',
    'FOMENTO ECONOMICO MEXICANO SAB DE CV',
    'WALMART DE MEXICO SAB DE CV',
    'CEMEX SAB DE CV',
    'EL PUERTO DE LIVERPOOL SAB DE CV',
    'GRUPO TELEVISA SAB',
    'ALSEA SAB DE CV',
    'GRUPO MODELO SA DE CV',
    'KIO NETWORKS SA DE CV',
  ],
  cities: [
    {
      name: 'Ciudad de México',
      phoneArea: '55',
      state: 'CDMX',
      districts: ['Roma Norte', 'Condesa', 'Narvarte', 'Del Valle', 'Polanco', 'Coyoacán', 'Nápoles'],
      postal: [3000, 16999],
    },
    { name: 'Guadalajara', phoneArea: '33', state: 'Jalisco', districts: ['Providencia', 'Chapultepec', 'Americana', 'Lafayette'], postal: [44100, 44990] },
    { name: 'Monterrey', phoneArea: '81', state: 'Nuevo León', districts: ['Obispado', 'Cumbres', 'Centro', 'Mitras Centro'], postal: [64000, 64990] },
    { name: 'Puebla', phoneArea: '222', state: 'Puebla', districts: ['La Paz', 'Centro', 'Anzures'], postal: [72000, 72590] },
    { name: 'Querétaro', phoneArea: '442', state: 'Querétaro', districts: ['Centro', 'Jurica', 'Álamos'], postal: [76000, 76250] },
  ],
  merchants: weighted([
    merchant('OXXO', 'oxxo.com', withBranches('OXXO', MX_BRANCHES), 'Food & Groceries', 'Convenience Store', 5499, 18, 220, 0.15, 14),
    merchant('7-Eleven', '7-eleven.com.mx', ['7 ELEVEN MEXICO', '7-ELEVEN 2387'], 'Food & Groceries', 'Convenience Store', 5499, 20, 180, 0.2, 4),
    merchant(
      'Walmart',
      'walmart.com.mx',
      withBranches('WALMART SUPERCENTER', MX_BRANCHES.slice(0, 5)),
      'Food & Groceries',
      'Groceries',
      5411,
      250,
      2600,
      0.5,
      7,
    ),
    merchant('Soriana', 'soriana.com', withBranches('SORIANA HIPER', MX_BRANCHES.slice(2, 6)), 'Food & Groceries', 'Groceries', 5411, 200, 1800, 0.4, 4),
    merchant('Chedraui', 'chedraui.com.mx', ['CHEDRAUI SELECTO', 'CHEDRAUI 0243'], 'Food & Groceries', 'Groceries', 5411, 180, 1500, 0.4, 3),
    merchant('La Comer', 'lacomer.com.mx', ['LA COMER', 'FRESKO LA COMER'], 'Food & Groceries', 'Groceries', 5411, 220, 1900, 0.5, 2),
    merchant('Costco', 'costco.com.mx', ['COSTCO WHOLESALE'], 'Food & Groceries', 'Groceries', 5300, 800, 4500, 0.7, 1.5),
    merchant('Starbucks', 'starbucks.com.mx', withBranches('STARBUCKS', MX_BRANCHES.slice(3)), 'Food & Groceries', 'Bakery & Coffee', 5814, 65, 190, 0.5, 6),
    merchant('Sanborns', 'sanborns.com.mx', ['SANBORNS CAFE', 'SANBORNS 0112'], 'Food & Groceries', 'Restaurants', 5812, 180, 650, 0.6, 2),
    merchant('Vips', 'vips.com.mx', ['VIPS INSURGENTES', 'VIPS DEL VALLE'], 'Food & Groceries', 'Restaurants', 5812, 200, 600, 0.6, 2),
    merchant('El Califa', 'elcalifa.com.mx', ['TAQUERIA EL CALIFA', 'EL CALIFA CONDESA'], 'Food & Groceries', 'Restaurants', 5812, 150, 480, 0.4, 2),
    merchant('Uber', 'uber.com', ['UBER *TRIP', 'UBER* TRIP HELP.UBER.COM'], 'Transport & Travel', 'Taxis & Rideshares', 4121, 55, 380, 0.9, 7),
    merchant('DiDi', 'didiglobal.com', ['DIDI *RIDE', 'DIDIMOBILITY'], 'Transport & Travel', 'Taxis & Rideshares', 4121, 45, 300, 0.9, 4),
    merchant('Uber Eats', 'ubereats.com', ['UBER *EATS', 'UBER EATS MX'], 'Food & Groceries', 'Delivery', 5814, 150, 520, 0.9, 4),
    merchant('Rappi', 'rappi.com.mx', ['RAPPI *RAPPI MX', 'RAPPI*RESTAURANTES'], 'Food & Groceries', 'Delivery', 5814, 140, 650, 0.9, 5),
    merchant('DiDi Food', 'didi-food.com', ['DIDI FOOD'], 'Food & Groceries', 'Delivery', 5814, 120, 450, 0.9, 2),
    merchant(
      'Mercado Libre',
      'mercadolibre.com.mx',
      ['MERCADOPAGO *MERCADOLIBRE', 'MERPAGO*MERCADOLIBRE'],
      'Personal Shopping',
      'E-commerce',
      5399,
      250,
      3500,
      0.85,
      4,
      true,
    ),
    merchant('Amazon', 'amazon.com.mx', ['AMAZON MX MARKETPLACE', 'AMZN MKTP MX'], 'Personal Shopping', 'E-commerce', 5399, 200, 3200, 0.9, 3, true),
    merchant(
      'Liverpool',
      'liverpool.com.mx',
      withBranches('LIVERPOOL', ['INSURGENTES', 'POLANCO', 'SANTA FE', 'COYOACAN']),
      'Personal Shopping',
      'Department Store',
      5311,
      450,
      5500,
      0.9,
      2.5,
      true,
    ),
    merchant(
      'El Palacio de Hierro',
      'elpalaciodehierro.com',
      ['PALACIO DE HIERRO POLANCO', 'PALACIO DE HIERRO SANTA FE'],
      'Personal Shopping',
      'Department Store',
      5311,
      800,
      6500,
      0.95,
      1,
      true,
    ),
    merchant('Coppel', 'coppel.com', ['COPPEL 0451', 'COPPEL TIENDA'], 'Personal Shopping', 'Department Store', 5311, 300, 3500, 0.6, 1.5, true),
    merchant('Zara', 'zara.com', ['ZARA ANTARA', 'ZARA PERISUR'], 'Personal Shopping', 'Clothing & Accessories', 5651, 500, 2800, 0.8, 1.5),
    merchant('Farmacias del Ahorro', 'fahorro.com', ['FARMACIAS DEL AHORRO', 'F AHORRO SUC 0871'], 'Home & Life', 'Pharmacies', 5912, 90, 950, 0.4, 3),
    merchant('Farmacia San Pablo', 'farmaciasanpablo.com.mx', ['FARMACIA SAN PABLO'], 'Home & Life', 'Pharmacies', 5912, 90, 900, 0.4, 2),
    merchant('Pemex', 'pemex.com', ['GASOLINERA PEMEX 4512', 'SERV GASOLINERO PEMEX'], 'Transport & Travel', 'Gas', 5541, 450, 1300, 0.6, 4),
    merchant('OXXO Gas', 'oxxogas.com', ['OXXO GAS EST 1020'], 'Transport & Travel', 'Gas', 5541, 450, 1200, 0.6, 2),
    merchant('The Home Depot', 'homedepot.com.mx', ['THE HOME DEPOT MEXICO'], 'Home & Life', 'Home Decor & Appliances', 5200, 200, 3500, 0.8, 1.5, true),
    merchant(
      'Cinépolis',
      'cinepolis.com',
      ['CINEPOLIS DIAMANTE', 'CINEPOLIS VIP'],
      'Online Platforms & Leisure',
      'Events, Parks and Museums',
      7832,
      120,
      520,
      0.7,
      2,
    ),
    merchant('CAPUFE', 'capufe.gob.mx', ['CAPUFE CASETA TEPOTZOTLAN', 'IAVE PEAJE'], 'Transport & Travel', 'Parking & Tolls', 4784, 45, 280, 0.5, 1.5),
    merchant('Volaris', 'volaris.com', ['VOLARIS INTERNET'], 'Transport & Travel', 'Flights', 4511, 1800, 9500, 0.95, 0.3, true),
    merchant('Airbnb', 'airbnb.mx', ['AIRBNB * HMZ4K2'], 'Transport & Travel', 'Accommodation', 7011, 1500, 8000, 0.95, 0.2),
    merchant('Steam', 'steampowered.com', ['STEAMGAMES.COM 4259522985'], 'Online Platforms & Leisure', 'Gaming', 5816, 150, 900, 0.95, 0.5),
    merchant('Petco', 'petco.com.mx', ['PETCO MEXICO'], 'Personal Shopping', 'Pet Supplies', 5995, 250, 1400, 0.7, 0.7),
    merchant('Office Depot', 'officedepot.com.mx', ['OFFICE DEPOT 1102'], 'Personal Shopping', 'Office Supplies', 5943, 150, 1200, 0.6, 0.5),
    merchant('Gandhi', 'gandhi.com.mx', ['LIBRERIAS GANDHI'], 'Online Platforms & Leisure', 'Books & News', 5942, 180, 900, 0.6, 0.6),
  ]),
  subscriptions: [
    sub('Netflix', 'netflix.com', 'NETFLIX.COM', 'Movie & Audio', 4899, [219, 299]),
    sub('Spotify', 'spotify.com', 'SPOTIFY MEXICO', 'Movie & Audio', 5815, [129, 169]),
    sub('Amazon Prime', 'amazon.com.mx', 'AMAZON PRIME MX', 'Movie & Audio', 5968, [99]),
    sub('Disney+', 'disneyplus.com', 'DISNEY PLUS', 'Movie & Audio', 4899, [159, 219]),
    sub('Max', 'max.com', 'MAX MEXICO', 'Movie & Audio', 4899, [149]),
    sub('YouTube Premium', 'youtube.com', 'GOOGLE *YOUTUBEPREMIUM', 'Movie & Audio', 5815, [139]),
    sub('iCloud', 'apple.com', 'APPLE.COM/BILL', 'Apps, Software and Cloud Services', 5818, [17, 49]),
    sub('Smart Fit', 'smartfit.com.mx', 'SMART FIT MEXICO', 'Gyms & Fitness', 7997, [499, 599], 'Home & Life'),
  ],
  utilities: [
    util('CFE', 'cfe.mx', 'CFE SUMINISTRADOR DE SERVICIOS BASICOS', 'Electricity & Energy', 420, 0.4),
    util('Naturgy', 'naturgy.com.mx', 'NATURGY MEXICO GAS NATURAL', 'Electricity & Energy', 280, 0.35),
    util('SACMEX', 'sacmex.cdmx.gob.mx', 'SACMEX PAGO AGUA', 'Water', 180, 0.25),
    util('Telmex', 'telmex.com', 'TELMEX PAGO DOMICILIADO', 'Telecommunications', 499, 0),
    util('Telcel', 'telcel.com', 'TELCEL PLAN TELCEL LIBRE', 'Telecommunications', 349, 0.05),
  ],
  salary: [c(28_000), c(55_000)],
  rent: [c(9_500), c(18_000)],
  atm: [c(300), c(2_500)],
  monthNames: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
  emailDomains: ['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.com.mx', 'icloud.com'],
  perUsd: 17.2,
}

// ---------------------------------------------------------------------------------------------
// Colombia

const CO_BRANCHES = ['CALLE 80', 'COUNTRY', 'CHAPINERO', 'USAQUEN', 'EL POBLADO', 'LAURELES', 'UNICENTRO']

const COLOMBIA: Locale = {
  country: 'CO',
  currency: 'COP',
  step: 100,
  countryName: 'Colombia',
  countryCode3: 'COL',
  phonePrefix: '57',
  banks: [
    { code: '007', name: 'Bancolombia', short: 'BANCOLOMBIA' },
    { code: '051', name: 'Davivienda', short: 'DAVIVIENDA' },
    { code: '001', name: 'Banco de Bogotá', short: 'BCO BOGOTA' },
    { code: '013', name: 'BBVA Colombia', short: 'BBVA' },
    { code: '023', name: 'Banco de Occidente', short: 'BCO OCCIDENTE' },
    { code: '507', name: 'Nequi', short: 'NEQUI' },
    { code: '551', name: 'Daviplata', short: 'DAVIPLATA' },
  ],
  employers: [
    'ECOPETROL S.A.',
    'BANCOLOMBIA S.A.',
    'ALMACENES EXITO S.A.',
    'GRUPO NUTRESA S.A.',
    'AVIANCA S.A.',
    'ALPINA PRODUCTOS ALIMENTICIOS S.A.',
    'COMUNICACION CELULAR COMCEL S.A.',
    'GRUPO ARGOS S.A.',
  ],
  cities: [
    {
      name: 'Bogotá',
      state: 'Bogotá D.C.',
      districts: ['Chicó', 'Chapinero', 'Usaquén', 'Cedritos', 'Teusaquillo'],
      postal: [110111, 111711],
      utilities: ['ENEL', 'VANTI', 'ACUEDUCTO'],
    },
    {
      name: 'Medellín',
      state: 'Antioquia',
      districts: ['El Poblado', 'Laureles', 'Envigado', 'Belén'],
      postal: [50001, 50036],
      utilities: ['EPM', 'EPM AGUAS'],
    },
    {
      name: 'Cali',
      state: 'Valle del Cauca',
      districts: ['Granada', 'San Fernando', 'Ciudad Jardín'],
      postal: [760001, 760046],
      utilities: ['EMCALI', 'GASES DE OCCIDENTE'],
    },
    { name: 'Barranquilla', state: 'Atlántico', districts: ['El Prado', 'Alto Prado', 'Riomar'], postal: [80001, 80020], utilities: ['AIR-E', 'TRIPLE A'] },
  ],
  merchants: weighted([
    merchant('Éxito', 'exito.com', withBranches('EXITO', CO_BRANCHES), 'Food & Groceries', 'Groceries', 5411, 35_000, 450_000, 0.5, 6),
    merchant('Carulla', 'carulla.com', withBranches('CARULLA', CO_BRANCHES.slice(1, 5)), 'Food & Groceries', 'Groceries', 5411, 40_000, 380_000, 0.5, 3),
    merchant('D1', 'd1.com.co', ['TIENDAS D1', 'KOBA COLOMBIA D1'], 'Food & Groceries', 'Groceries', 5411, 15_000, 120_000, 0.2, 6),
    merchant('Ara', 'aratiendas.com', ['TIENDAS ARA', 'JERONIMO MARTINS ARA'], 'Food & Groceries', 'Groceries', 5411, 15_000, 110_000, 0.2, 3),
    merchant('Olímpica', 'olimpica.com', ['OLIMPICA SAO', 'SUPERTIENDAS OLIMPICA'], 'Food & Groceries', 'Groceries', 5411, 30_000, 320_000, 0.4, 2),
    merchant('OXXO', 'oxxo.com.co', ['OXXO COLOMBIA'], 'Food & Groceries', 'Convenience Store', 5499, 5_000, 40_000, 0.2, 3),
    merchant(
      'Juan Valdez Café',
      'juanvaldez.com',
      withBranches('JUAN VALDEZ', CO_BRANCHES.slice(2)),
      'Food & Groceries',
      'Bakery & Coffee',
      5814,
      8_000,
      35_000,
      0.4,
      4,
    ),
    merchant('Crepes & Waffles', 'crepesywaffles.com', ['CREPES Y WAFFLES'], 'Food & Groceries', 'Restaurants', 5812, 45_000, 180_000, 0.7, 2),
    merchant('El Corral', 'elcorral.com', ['HAMBURGUESAS EL CORRAL'], 'Food & Groceries', 'Restaurants', 5814, 25_000, 75_000, 0.6, 2),
    merchant('Rappi', 'rappi.com.co', ['RAPPI COLOMBIA', 'RAPPI*RESTAURANTES'], 'Food & Groceries', 'Delivery', 5812, 25_000, 120_000, 0.9, 6),
    merchant('Uber', 'uber.com', ['UBER *TRIP', 'UBER BV'], 'Transport & Travel', 'Taxis & Rideshares', 4121, 9_000, 45_000, 0.9, 5),
    merchant('DiDi', 'didiglobal.com', ['DIDI *RIDE'], 'Transport & Travel', 'Taxis & Rideshares', 4121, 8_000, 40_000, 0.9, 3),
    merchant(
      'Falabella',
      'falabella.com.co',
      ['FALABELLA ANDINO', 'FALABELLA SANTAFE'],
      'Personal Shopping',
      'Department Store',
      5311,
      60_000,
      900_000,
      0.9,
      2,
      true,
    ),
    merchant(
      'Homecenter',
      'homecenter.com.co',
      ['HOMECENTER CALLE 80', 'SODIMAC HOMECENTER'],
      'Home & Life',
      'Home Decor & Appliances',
      5200,
      40_000,
      900_000,
      0.8,
      1,
      true,
    ),
    merchant('Farmatodo', 'farmatodo.com.co', ['FARMATODO'], 'Home & Life', 'Pharmacies', 5912, 12_000, 180_000, 0.4, 3),
    merchant('Cruz Verde', 'cruzverde.com.co', ['DROGUERIA CRUZ VERDE'], 'Home & Life', 'Pharmacies', 5912, 15_000, 200_000, 0.4, 2),
    merchant('Terpel', 'terpel.com', ['EDS TERPEL', 'TERPEL VOY CON TODA'], 'Transport & Travel', 'Gas', 5541, 60_000, 250_000, 0.6, 3),
    merchant('Primax', 'primax.com.co', ['PRIMAX COLOMBIA'], 'Transport & Travel', 'Gas', 5541, 60_000, 240_000, 0.6, 2),
    merchant('Cine Colombia', 'cinecolombia.com', ['CINE COLOMBIA'], 'Online Platforms & Leisure', 'Events, Parks and Museums', 7832, 18_000, 60_000, 0.7, 1.5),
    merchant('Mercado Libre', 'mercadolibre.com.co', ['MERCADOPAGO*MERCADOLIBRE'], 'Personal Shopping', 'E-commerce', 5399, 40_000, 800_000, 0.85, 2, true),
    merchant('Arturo Calle', 'arturocalle.com', ['ARTURO CALLE'], 'Personal Shopping', 'Clothing & Accessories', 5651, 80_000, 400_000, 0.8, 1, true),
    merchant('Avianca', 'avianca.com', ['AVIANCA.COM'], 'Transport & Travel', 'Flights', 4511, 250_000, 1_800_000, 0.95, 0.2, true),
    merchant('Peajes', null, ['PEAJE CHUSACA', 'PEAJE LA LLANA'], 'Transport & Travel', 'Parking & Tolls', 4784, 10_000, 25_000, 0.3, 1),
  ]),
  subscriptions: [
    sub('Netflix', 'netflix.com', 'NETFLIX.COM', 'Movie & Audio', 4899, [26_900, 38_900]),
    sub('Spotify', 'spotify.com', 'SPOTIFY COLOMBIA', 'Movie & Audio', 5815, [16_900, 22_900]),
    sub('Amazon Prime', 'amazon.com', 'AMAZON PRIME VIDEO', 'Movie & Audio', 5968, [14_900]),
    sub('Disney+', 'disneyplus.com', 'DISNEY PLUS', 'Movie & Audio', 4899, [27_900]),
    sub('YouTube Premium', 'youtube.com', 'GOOGLE *YOUTUBEPREMIUM', 'Movie & Audio', 5815, [16_900]),
    sub('iCloud', 'apple.com', 'APPLE.COM/BILL', 'Apps, Software and Cloud Services', 5818, [3_900, 12_900]),
    sub('Bodytech', 'bodytech.com.co', 'BODYTECH', 'Gyms & Fitness', 7997, [139_900, 169_900], 'Home & Life'),
  ],
  utilities: [
    util('ENEL', 'enel.com.co', 'PAGO PSE ENEL COLOMBIA', 'Electricity & Energy', 160_000, 0.35),
    util('VANTI', 'grupovanti.com', 'PAGO PSE VANTI GAS NATURAL', 'Electricity & Energy', 45_000, 0.3),
    util('ACUEDUCTO', 'acueducto.com.co', 'PAGO PSE ACUEDUCTO BOGOTA', 'Water', 70_000, 0.3),
    util('EPM', 'epm.com.co', 'PAGO PSE EPM ENERGIA', 'Electricity & Energy', 180_000, 0.35),
    util('EPM AGUAS', 'epm.com.co', 'PAGO PSE EPM AGUAS', 'Water', 65_000, 0.3),
    util('EMCALI', 'emcali.com.co', 'PAGO PSE EMCALI', 'Electricity & Energy', 170_000, 0.35),
    util('GASES DE OCCIDENTE', 'gdo.com.co', 'PAGO PSE GASES DE OCCIDENTE', 'Electricity & Energy', 40_000, 0.3),
    util('AIR-E', 'air-e.com', 'PAGO PSE AIR-E', 'Electricity & Energy', 210_000, 0.35),
    util('TRIPLE A', 'aaa.com.co', 'PAGO PSE TRIPLE A', 'Water', 75_000, 0.3),
    util('Claro', 'claro.com.co', 'CLARO HOGAR DEBITO AUTOMATICO', 'Telecommunications', 119_900, 0),
    util('Tigo', 'tigo.com.co', 'TIGO PLAN POSPAGO', 'Telecommunications', 55_900, 0.05),
  ],
  salary: [c(5_500_000), c(11_000_000)],
  rent: [c(1_600_000), c(3_500_000)],
  atm: [c(100_000), c(800_000)],
  monthNames: ['enero', 'febrero', 'marzo', 'abril', 'mayo', 'junio', 'julio', 'agosto', 'septiembre', 'octubre', 'noviembre', 'diciembre'],
  emailDomains: ['gmail.com', 'hotmail.com', 'outlook.com', 'yahoo.com'],
  perUsd: 4000,
}

// ---------------------------------------------------------------------------------------------
// Brazil

const BR_BRANCHES = ['PINHEIROS', 'MOEMA', 'PAULISTA', 'VILA MARIANA', 'BOTAFOGO', 'SAVASSI', 'BATEL']

const BRAZIL: Locale = {
  country: 'BR',
  currency: 'BRL',
  step: 1,
  countryName: 'Brasil',
  countryCode3: 'BRA',
  phonePrefix: '55',
  banks: [
    { code: '001', name: 'Banco do Brasil S.A.', short: 'BCO DO BRASIL', ispb: '00000000', cnpj: '00000000000191' },
    { code: '341', name: 'Itaú Unibanco S.A.', short: 'ITAU UNIBANCO', ispb: '60701190', cnpj: '60701190000104' },
    { code: '237', name: 'Banco Bradesco S.A.', short: 'BRADESCO', ispb: '60746948', cnpj: '60746948000112' },
    { code: '033', name: 'Banco Santander (Brasil) S.A.', short: 'SANTANDER', ispb: '90400888', cnpj: '90400888000142' },
    { code: '104', name: 'Caixa Econômica Federal', short: 'CAIXA', ispb: '00360305', cnpj: '00360305000104' },
    { code: '260', name: 'Nu Pagamentos S.A.', short: 'NU PAGAMENTOS', ispb: '18236120', cnpj: '18236120000158' },
    { code: '077', name: 'Banco Inter S.A.', short: 'BANCO INTER', ispb: '00416968', cnpj: '00416968000101' },
    { code: '336', name: 'Banco C6 S.A.', short: 'BANCO C6', ispb: '31872495', cnpj: '31872495000172' },
  ],
  employers: [
    'PETROLEO BRASILEIRO S A PETROBRAS',
    'AMBEV S.A.',
    'VALE S.A.',
    'MAGAZINE LUIZA S A',
    'NATURA COSMETICOS S A',
    'EMBRAER S.A.',
    'TOTVS S.A.',
    'LOCALIZA RENT A CAR S A',
    'WEG EQUIPAMENTOS ELETRICOS S A',
  ],
  cities: [
    {
      name: 'São Paulo',
      phoneArea: '11',
      state: 'SP',
      districts: ['Pinheiros', 'Vila Mariana', 'Moema', 'Perdizes', 'Bela Vista'],
      postal: [1000000, 5999999],
      ibge: '3550308',
      lat: -235505000,
      lon: -466333000,
    },
    {
      name: 'Rio de Janeiro',
      phoneArea: '21',
      state: 'RJ',
      districts: ['Copacabana', 'Tijuca', 'Botafogo', 'Flamengo'],
      postal: [20000000, 23799999],
      ibge: '3304557',
      lat: -229068000,
      lon: -431729000,
    },
    {
      name: 'Belo Horizonte',
      phoneArea: '31',
      state: 'MG',
      districts: ['Savassi', 'Funcionários', 'Lourdes'],
      postal: [30000000, 31999999],
      ibge: '3106200',
      lat: -199167000,
      lon: -439345000,
    },
    {
      name: 'Curitiba',
      phoneArea: '41',
      state: 'PR',
      districts: ['Batel', 'Água Verde', 'Centro Cívico'],
      postal: [80000000, 82999999],
      ibge: '4106902',
      lat: -254284000,
      lon: -492733000,
    },
    {
      name: 'Porto Alegre',
      phoneArea: '51',
      state: 'RS',
      districts: ['Moinhos de Vento', 'Bom Fim', 'Petrópolis'],
      postal: [90000000, 91999999],
      ibge: '4314902',
      lat: -300346000,
      lon: -512177000,
    },
    {
      name: 'Recife',
      phoneArea: '81',
      state: 'PE',
      districts: ['Boa Viagem', 'Casa Forte', 'Espinheiro'],
      postal: [50000000, 52999999],
      ibge: '2611606',
      lat: -80476000,
      lon: -348770000,
    },
    {
      name: 'Brasília',
      phoneArea: '61',
      state: 'DF',
      districts: ['Asa Sul', 'Asa Norte', 'Sudoeste'],
      postal: [70000000, 72799999],
      ibge: '5300108',
      lat: -157939000,
      lon: -478828000,
    },
  ],
  merchants: weighted([
    merchant('iFood', 'ifood.com.br', ['IFOOD *IFOOD', 'Ifood *Restaurante'], 'Food & Groceries', 'Delivery', 5812, 28, 160, 0.9, 8),
    merchant('Rappi', 'rappi.com.br', ['RAPPI BRASIL'], 'Food & Groceries', 'Delivery', 5812, 25, 140, 0.9, 2),
    merchant('Uber', 'uber.com', ['UBER *UBER *TRIP', 'UBER *TRIP HELP.UBER.COM'], 'Transport & Travel', 'Taxis & Rideshares', 4121, 12, 85, 0.9, 7),
    merchant('99', '99app.com', ['99APP *99APP', '99 TECNOLOGIA'], 'Transport & Travel', 'Taxis & Rideshares', 4121, 10, 70, 0.9, 4),
    merchant(
      'Pão de Açúcar',
      'paodeacucar.com',
      withBranches('PAO DE ACUCAR', BR_BRANCHES.slice(0, 4)),
      'Food & Groceries',
      'Groceries',
      5411,
      60,
      650,
      0.6,
      5,
    ),
    merchant('Carrefour', 'carrefour.com.br', withBranches('CARREFOUR', BR_BRANCHES.slice(2, 6)), 'Food & Groceries', 'Groceries', 5411, 80, 800, 0.6, 4),
    merchant('Assaí Atacadista', 'assai.com.br', ['ASSAI ATACADISTA LJ 45'], 'Food & Groceries', 'Groceries', 5411, 150, 900, 0.5, 2),
    merchant('Dia', 'dia.com.br', ['DIA BRASIL SOCIEDADE'], 'Food & Groceries', 'Groceries', 5411, 30, 200, 0.4, 2),
    merchant('Starbucks', 'starbucks.com.br', ['STARBUCKS BRASIL'], 'Food & Groceries', 'Bakery & Coffee', 5814, 15, 45, 0.6, 2),
    merchant('Padaria Real', null, ['PAG*PADARIAREAL', 'PADARIA REAL'], 'Food & Groceries', 'Bakery & Coffee', 5462, 8, 45, 0.4, 6),
    merchant("McDonald's", 'mcdonalds.com.br', ['MC DONALDS PAULISTA', 'ARCOS DOURADOS'], 'Food & Groceries', 'Restaurants', 5814, 25, 70, 0.6, 3),
    merchant('Outback', 'outback.com.br', ['OUTBACK STEAKHOUSE'], 'Food & Groceries', 'Restaurants', 5812, 120, 380, 0.8, 1),
    merchant('Drogasil', 'drogasil.com.br', ['DROGASIL 1543', 'RAIA DROGASIL S/A'], 'Home & Life', 'Pharmacies', 5912, 18, 280, 0.5, 3),
    merchant('Droga Raia', 'drogaraia.com.br', ['DROGA RAIA 0921'], 'Home & Life', 'Pharmacies', 5912, 18, 260, 0.5, 3),
    merchant('Posto Ipiranga', 'ipiranga.com.br', ['POSTO IPIRANGA', 'AUTO POSTO IPIRANGA'], 'Transport & Travel', 'Gas', 5541, 100, 350, 0.6, 3),
    merchant('Shell', 'shell.com.br', ['AUTO POSTO SHELL', 'SHELL SELECT'], 'Transport & Travel', 'Gas', 5541, 100, 350, 0.6, 2),
    merchant(
      'Mercado Livre',
      'mercadolivre.com.br',
      ['MERCADOLIVRE*MERCADOLIVRE', 'MERCADOPAGO*LOJA'],
      'Personal Shopping',
      'E-commerce',
      5399,
      40,
      900,
      0.9,
      4,
      true,
    ),
    merchant('Amazon', 'amazon.com.br', ['AMAZON BR', 'AMAZON.COM.BR'], 'Personal Shopping', 'E-commerce', 5399, 40, 800, 0.9, 3, true),
    merchant('Shopee', 'shopee.com.br', ['SHOPEE *SHOPEE'], 'Personal Shopping', 'E-commerce', 5399, 25, 250, 0.9, 3),
    merchant('Magazine Luiza', 'magazineluiza.com.br', ['MAGAZINE LUIZA', 'MAGALU'], 'Personal Shopping', 'Electronics', 5732, 150, 4500, 0.95, 1.5, true),
    merchant('Americanas', 'americanas.com.br', ['AMERICANAS'], 'Personal Shopping', 'Department Store', 5311, 40, 600, 0.8, 1.5),
    merchant('Renner', 'lojasrenner.com.br', ['LOJAS RENNER'], 'Personal Shopping', 'Clothing & Accessories', 5651, 80, 600, 0.9, 1.5, true),
    merchant('C&A', 'cea.com.br', ['C&A MODAS'], 'Personal Shopping', 'Clothing & Accessories', 5651, 60, 450, 0.8, 1),
    merchant('Cinemark', 'cinemark.com.br', ['CINEMARK BRASIL'], 'Online Platforms & Leisure', 'Events, Parks and Museums', 7832, 30, 120, 0.8, 1),
    merchant('Estapar', 'estapar.com.br', ['ESTAPAR ESTACIONAMENTOS'], 'Transport & Travel', 'Parking & Tolls', 7523, 10, 45, 0.6, 1),
    merchant('Leroy Merlin', 'leroymerlin.com.br', ['LEROY MERLIN'], 'Home & Life', 'Home Decor & Appliances', 5200, 80, 1500, 0.8, 0.7, true),
    merchant('Petz', 'petz.com.br', ['PETZ'], 'Personal Shopping', 'Pet Supplies', 5995, 60, 400, 0.8, 0.8),
    merchant('LATAM', 'latamairlines.com', ['LATAM AIRLINES BRASIL'], 'Transport & Travel', 'Flights', 4511, 450, 2500, 0.95, 0.2, true),
    merchant('Steam', 'steampowered.com', ['STEAMGAMES.COM'], 'Online Platforms & Leisure', 'Gaming', 5816, 20, 250, 0.95, 0.4),
  ]),
  subscriptions: [
    sub('Netflix', 'netflix.com', 'NETFLIX.COM', 'Movie & Audio', 4899, [39.9, 55.9]),
    sub('Spotify', 'spotify.com', 'SPOTIFY', 'Movie & Audio', 5815, [21.9, 27.9]),
    sub('Amazon Prime', 'amazon.com.br', 'AMAZON PRIME CANAIS', 'Movie & Audio', 5968, [19.9]),
    sub('Disney+', 'disneyplus.com', 'DISNEY PLUS', 'Movie & Audio', 4899, [43.9]),
    sub('Globoplay', 'globoplay.globo.com', 'GLOBOPLAY', 'Movie & Audio', 4899, [24.9]),
    sub('YouTube Premium', 'youtube.com', 'GOOGLE YOUTUBE PREMIUM', 'Movie & Audio', 5815, [24.9]),
    sub('iCloud', 'apple.com', 'APPLE.COM/BILL', 'Apps, Software and Cloud Services', 5818, [5.9, 14.9]),
    sub('Smart Fit', 'smartfit.com.br', 'SMARTFIT ACADEMIA', 'Gyms & Fitness', 7997, [119.9, 149.9], 'Home & Life'),
  ],
  utilities: [
    util('Enel', 'enel.com.br', 'ENEL DISTRIBUICAO SAO PAULO', 'Electricity & Energy', 180, 0.4),
    util('Sabesp', 'sabesp.com.br', 'SABESP', 'Water', 95, 0.3),
    util('Comgás', 'comgas.com.br', 'COMGAS', 'Electricity & Energy', 85, 0.35),
    util('Vivo', 'vivo.com.br', 'VIVO FIBRA', 'Telecommunications', 129.9, 0),
    util('Claro', 'claro.com.br', 'CLARO MOVEL', 'Telecommunications', 69.99, 0.05),
  ],
  salary: [c(7_500), c(16_000)],
  rent: [c(1_800), c(3_800)],
  atm: [c(100), c(600)],
  monthNames: ['jan', 'fev', 'mar', 'abr', 'mai', 'jun', 'jul', 'ago', 'set', 'out', 'nov', 'dez'],
  emailDomains: ['gmail.com', 'hotmail.com', 'outlook.com', 'uol.com.br', 'bol.com.br', 'yahoo.com.br'],
  perUsd: 5.1,
}

const LOCALES: Record<SandboxCountry, Locale> = { MX: MEXICO, CO: COLOMBIA, BR: BRAZIL }

/** Institutions of other countries (none today) fall back to Mexico, Belvo's first market. */
export function localeFor(country: string): Locale {
  return LOCALES[country as SandboxCountry] ?? MEXICO
}
