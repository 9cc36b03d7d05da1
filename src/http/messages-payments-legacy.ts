/**
 * Messages of Belvo's earlier payments API (issue 17: Colombia's PSE, Brazil's OFPI, payment
 * links), merged into messages.ts's catalog. `{name}` placeholders as there.
 */
export const LEGACY_PAYMENT_MESSAGES: Record<string, { en: string; es: string; pt: string }> = {
  'invalid.document_cc': {
    en: 'Enter a valid CC (cédula de ciudadanía): 6 to 10 digits.',
    es: 'Ingresa una CC (cédula de ciudadanía) válida: de 6 a 10 dígitos.',
    pt: 'Informe uma CC (cédula de ciudadanía) válida: de 6 a 10 dígitos.',
  },
  'invalid.document_ce': {
    en: 'Enter a valid CE (cédula de extranjería): 6 or 7 digits.',
    es: 'Ingresa una CE (cédula de extranjería) válida: 6 o 7 dígitos.',
    pt: 'Informe uma CE (cédula de extranjería) válida: 6 ou 7 dígitos.',
  },
  'invalid.document_ti': {
    en: 'Enter a valid TI (tarjeta de identidad): 10 or 11 digits.',
    es: 'Ingresa una TI (tarjeta de identidad) válida: 10 u 11 dígitos.',
    pt: 'Informe uma TI (tarjeta de identidad) válida: 10 ou 11 dígitos.',
  },
  'invalid.document_pp': {
    en: 'Enter a valid passport number: 5 to 15 letters and digits.',
    es: 'Ingresa un número de pasaporte válido: de 5 a 15 letras y dígitos.',
    pt: 'Informe um número de passaporte válido: de 5 a 15 letras e dígitos.',
  },
  'invalid.document_nit': {
    en: 'Enter a valid NIT: 9 digits and its check digit (900123456-7).',
    es: 'Ingresa un NIT válido: 9 dígitos y su dígito de verificación (900123456-7).',
    pt: 'Informe um NIT válido: 9 dígitos e o dígito verificador (900123456-7).',
  },
  'invalid.identifier_type_of': {
    en: 'A {customer_type} customer of {country} is identified by {expected}.',
    es: 'Un cliente {customer_type} de {country} se identifica con {expected}.',
    pt: 'Um cliente {customer_type} de {country} é identificado por {expected}.',
  },
  'invalid.pesos': {
    en: 'Enter an amount in whole pesos (COP has no decimals): up to 12 digits, more than zero.',
    es: 'Ingresa un monto en pesos enteros (COP no tiene decimales): hasta 12 dígitos, mayor que cero.',
    pt: 'Informe um valor em pesos inteiros (COP não tem decimais): até 12 dígitos, maior que zero.',
  },
  'invalid.country_of': {
    en: 'This must be an object of {country} ({family}).',
    es: 'Debe ser un objeto de {country} ({family}).',
    pt: 'Deve ser um objeto de {country} ({family}).',
  },
  'invalid.pse_method': {
    en: 'allowed_payment_method_types must be ["pse"].',
    es: 'allowed_payment_method_types debe ser ["pse"].',
    pt: 'allowed_payment_method_types deve ser ["pse"].',
  },
  'invalid.confirm_without_pse_payer': {
    en: 'To confirm the payment intent (confirm: true), provide payment_method_details.pse.payer_institution.',
    es: 'Para confirmar el payment intent (confirm: true), envíe payment_method_details.pse.payer_institution.',
    pt: 'Para confirmar o payment intent (confirm: true), envie payment_method_details.pse.payer_institution.',
  },
  'invalid.expires_in': {
    en: 'expires_in is a number and a unit, m (minutes), h (hours) or d (days), such as 7d; from 1 minute to 30 days.',
    es: 'expires_in es un número y una unidad, m (minutos), h (horas) o d (días), como 7d; de 1 minuto a 30 días.',
    pt: 'expires_in é um número e uma unidade, m (minutos), h (horas) ou d (dias), como 7d; de 1 minuto a 30 dias.',
  },
  'invalid.url': {
    en: 'Enter a valid http or https URL.',
    es: 'Ingresa una URL http o https válida.',
    pt: 'Informe uma URL http ou https válida.',
  },
  'authentication_failed.dashboard_login': {
    en: 'Invalid dashboard credentials',
    es: 'Credenciales del dashboard inválidas',
    pt: 'Credenciais do dashboard inválidas',
  },
}
