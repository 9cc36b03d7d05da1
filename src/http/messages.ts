import type { ErrorCode } from '../lib/errors.ts'
import { LEGACY_PAYMENT_MESSAGES } from './messages-payments-legacy.ts'

export type Language = 'en' | 'es' | 'pt'

type Messages = Record<ErrorCode, Record<Language, string>> & Record<string, Record<Language, string>>

/**
 * Belvo's error messages (English verbatim from its spec and docs) with Spanish and Portuguese
 * translations. `{name}` placeholders are filled from PonteError.params.
 */
const MESSAGES: Messages = {
  ...LEGACY_PAYMENT_MESSAGES,
  required: { en: 'This field is required.', es: 'Este campo es obligatorio.', pt: 'Este campo é obrigatório.' },
  null: { en: 'This field may not be null.', es: 'Este campo no puede ser nulo.', pt: 'Este campo não pode ser nulo.' },
  blank: { en: 'This field may not be blank.', es: 'Este campo no puede estar en blanco.', pt: 'Este campo não pode estar em branco.' },
  invalid: { en: 'Invalid value: {detail}', es: 'Valor inválido: {detail}', pt: 'Valor inválido: {detail}' },
  invalid_choice: { en: '"{value}" is not a valid choice.', es: '"{value}" no es una opción válida.', pt: '"{value}" não é uma escolha válida.' },
  max_length: {
    en: 'Ensure this field has no more than {limit} characters.',
    es: 'Asegúrese de que este campo no tenga más de {limit} caracteres.',
    pt: 'Certifique-se de que este campo não tenha mais de {limit} caracteres.',
  },
  min_length: {
    en: 'Ensure this field has at least {limit} characters.',
    es: 'Asegúrese de que este campo tenga al menos {limit} caracteres.',
    pt: 'Certifique-se de que este campo tenha pelo menos {limit} caracteres.',
  },
  does_not_exist: {
    en: 'Object with {key}={value} does not exist.',
    es: 'El objeto con {key}={value} no existe.',
    pt: 'O objeto com {key}={value} não existe.',
  },
  parse_error: { en: 'JSON parse error - {detail}', es: 'Error al analizar el JSON - {detail}', pt: 'Erro ao analisar o JSON - {detail}' },
  login_error: {
    en: 'Invalid credentials provided to login to the institution',
    es: 'Las credenciales proporcionadas para iniciar sesión en la institución no son válidas',
    pt: 'Credenciais inválidas fornecidas para acessar a instituição',
  },
  too_many_sessions: {
    en: 'Impossible to login, a session is already opened with the institution for these credentials',
    es: 'Imposible iniciar sesión, ya hay una sesión abierta con la institución para estas credenciales',
    pt: 'Impossível acessar, já existe uma sessão aberta com a instituição para estas credenciais',
  },
  session_expired: {
    en: 'The session you are trying to resume has expired, please start again from register/retrieve endpoint',
    es: 'La sesión que intentas reanudar ha expirado, por favor comienza de nuevo desde el endpoint de registro/consulta',
    pt: 'A sessão que você está tentando retomar expirou, comece novamente pelo endpoint de registro/consulta',
  },
  institution_down: {
    en: 'The financial institution is down, try again later',
    es: 'La institución financiera no está disponible, inténtalo más tarde',
    pt: 'A instituição financeira está fora do ar, tente novamente mais tarde',
  },
  institution_unavailable: {
    en: 'The financial institution is unavailable',
    es: 'La institución financiera no está disponible',
    pt: 'A instituição financeira está indisponível',
  },
  institution_inactive: {
    en: 'The institution has been temporarily deactivated',
    es: 'La institución ha sido desactivada temporalmente',
    pt: 'A instituição foi temporariamente desativada',
  },
  invalid_link: {
    en: 'The link has been invalidated. You may need to update link credentials',
    es: 'El link ha sido invalidado. Es posible que debas actualizar las credenciales del link',
    pt: 'O link foi invalidado. Pode ser necessário atualizar as credenciais do link',
  },
  unconfirmed_link: {
    en: 'The link creation has not been completed yet',
    es: 'La creación del link aún no se ha completado',
    pt: 'A criação do link ainda não foi concluída',
  },
  unsupported_operation: {
    en: 'The resource you are trying to access is not supported by this institution',
    es: 'El recurso al que intentas acceder no está soportado por esta institución',
    pt: 'O recurso que você está tentando acessar não é suportado por esta instituição',
  },
  invalid_period: {
    en: 'The number of days between date_from and date_to must be at least 90 days',
    es: 'El número de días entre date_from y date_to debe ser de al menos 90 días',
    pt: 'O número de dias entre date_from e date_to deve ser de pelo menos 90 dias',
  },
  invalid_credentials_storage: {
    en: 'Recurrent links must store the credentials',
    es: 'Los links recurrentes deben almacenar las credenciales',
    pt: 'Links recorrentes devem armazenar as credenciais',
  },
  invalid_fetch_resources: {
    en: 'Single links without stored credentials must fetch resources',
    es: 'Los links únicos sin credenciales almacenadas deben especificar fetch_resources',
    pt: 'Links únicos sem credenciais armazenadas devem especificar fetch_resources',
  },
  invalid_access_mode_switch: {
    en: 'The access mode of this link cannot be changed to {value}',
    es: 'El modo de acceso de este link no se puede cambiar a {value}',
    pt: 'O modo de acesso deste link não pode ser alterado para {value}',
  },
  authentication_failed: { en: 'Invalid Secret Keys', es: 'Llaves secretas inválidas', pt: 'Chaves secretas inválidas' },
  access_to_resource_denied: {
    en: "You don't have access to this resource.",
    es: 'No tienes acceso a este recurso.',
    pt: 'Você não tem acesso a este recurso.',
  },
  not_found: { en: 'Not found', es: 'No encontrado', pt: 'Não encontrado' },
  method_not_allowed: { en: 'Method "{method}" not allowed.', es: 'Método "{method}" no permitido.', pt: 'Método "{method}" não permitido.' },
  request_timeout: {
    en: 'The request timed out, you can retry asking for less data by changing your query parameters',
    es: 'La solicitud excedió el tiempo de espera, puedes reintentar pidiendo menos datos cambiando los parámetros de tu consulta',
    pt: 'A requisição expirou, você pode tentar novamente pedindo menos dados alterando os parâmetros da consulta',
  },
  link_refreshed: {
    en: 'The link has already been refreshed. Please wait {minutes} minutes before trying again.',
    es: 'El link ya ha sido actualizado. Por favor espera {minutes} minutos antes de volver a intentarlo.',
    pt: 'O link já foi atualizado. Aguarde {minutes} minutos antes de tentar novamente.',
  },
  // DRF's sentence, then what to do: curl's `-d` without a header sends a form body.
  unsupported_media_type: {
    en: 'Unsupported media type "{type}" in request. Send a JSON body with the header Content-Type: application/json.',
    es: 'Tipo de contenido "{type}" no soportado en la solicitud. Envía un cuerpo JSON con la cabecera Content-Type: application/json.',
    pt: 'Tipo de mídia "{type}" não suportado na requisição. Envie um corpo JSON com o cabeçalho Content-Type: application/json.',
  },
  request_too_large: {
    en: 'The request body is larger than {limit} bytes.',
    es: 'El cuerpo de la solicitud supera los {limit} bytes.',
    pt: 'O corpo da requisição é maior que {limit} bytes.',
  },
  token_required: {
    en: 'A MFA token is required by the institution to login',
    es: 'La institución requiere un token MFA para iniciar sesión',
    pt: 'A instituição exige um token MFA para acessar',
  },
  too_many_requests: {
    en: 'Request was throttled. Expected available in {seconds} seconds.',
    es: 'La solicitud fue limitada. Disponible de nuevo en {seconds} segundos.',
    pt: 'A requisição foi limitada. Disponível novamente em {seconds} segundos.',
  },
  unexpected_error: {
    en: 'Belvo is unable to process the request due to an internal system issue or to an unsupported response from an institution',
    es: 'No es posible procesar la solicitud debido a un problema interno del sistema o a una respuesta no soportada de una institución',
    pt: 'Não é possível processar a requisição devido a um problema interno do sistema ou a uma resposta não suportada de uma instituição',
  },
  consent_expired: {
    en: 'The consent given at the institution has expired. Renew it through the widget to keep updating this link',
    es: 'El consentimiento otorgado en la institución ha expirado. Renuévalo a través del widget para seguir actualizando este link',
    pt: 'O consentimento dado na instituição expirou. Renove-o pelo widget para continuar atualizando este link',
  },
  // Belvo's LoginError message for an access the institution (the person, at their bank) refused.
  'login_error.consent_rejected': {
    en: 'The user account access was forbidden by the institution',
    es: 'La institución prohibió el acceso a la cuenta del usuario',
    pt: 'O acesso à conta do usuário foi proibido pela instituição',
  },
  'unconfirmed_link.consent': {
    en: 'The consent has not been authorised at the institution yet',
    es: 'El consentimiento aún no ha sido autorizado en la institución',
    pt: 'O consentimento ainda não foi autorizado na instituição',
  },
  'unsupported_operation.openfinance': {
    en: "Links of open finance institutions are created through the widget, with the user's consent",
    es: 'Los links de instituciones de open finance se crean a través del widget, con el consentimiento del usuario',
    pt: 'Links de instituições de open finance são criados pelo widget, com o consentimento do usuário',
  },
  'invalid.not_openfinance': {
    en: 'Consents are for open finance institutions only',
    es: 'Los consentimientos son solo para instituciones de open finance',
    pt: 'Consentimentos são apenas para instituições de open finance',
  },
  'invalid.token_link_institution': {
    en: "The institution is not the one of the token's link",
    es: 'La institución no es la del link del token',
    pt: 'A instituição não é a do link do token',
  },
  'invalid.cpf': { en: 'Enter a valid CPF (11 digits).', es: 'Ingresa un CPF válido (11 dígitos).', pt: 'Informe um CPF válido (11 dígitos).' },
  'invalid.cnpj': { en: 'Enter a valid CNPJ (14 digits).', es: 'Ingresa un CNPJ válido (14 dígitos).', pt: 'Informe um CNPJ válido (14 dígitos).' },
  'invalid.user_document': {
    en: 'user_document must be a CPF (11 digits) or a CNPJ (14 digits).',
    es: 'user_document debe ser un CPF (11 dígitos) o un CNPJ (14 dígitos).',
    pt: 'user_document deve ser um CPF (11 dígitos) ou um CNPJ (14 dígitos).',
  },
  'invalid.redirect_uri': {
    en: "redirect_uri must be a page of the widget on this server or on the host of one of the token's callback_urls",
    es: 'redirect_uri debe ser una página del widget en este servidor o del host de una de las callback_urls del token',
    pt: 'redirect_uri deve ser uma página do widget neste servidor ou do host de uma das callback_urls do token',
  },
  'invalid.consent_used': {
    en: 'This consent already has its link',
    es: 'Este consentimiento ya tiene su link',
    pt: 'Este consentimento já tem seu link',
  },
  'login_error.missing': {
    en: 'Missing credentials to login to the institution',
    es: 'Faltan credenciales para iniciar sesión en la institución',
    pt: 'Faltam credenciais para acessar a instituição',
  },
  'invalid_credentials_storage.range': {
    en: 'credentials_storage must be store, nostore or a number of days between 1d and 365d',
    es: 'credentials_storage debe ser store, nostore o un número de días entre 1d y 365d',
    pt: 'credentials_storage deve ser store, nostore ou um número de dias entre 1d e 365d',
  },
  'invalid.resources': {
    en: 'The institution only supports the following resources: {resources}',
    es: 'La institución solo soporta los siguientes recursos: {resources}',
    pt: 'A instituição suporta apenas os seguintes recursos: {resources}',
  },
  // Not the institution's own `validation_message`: that is in its country's language, for the
  // widget, while an API message follows Accept-Language.
  'invalid.form_field': {
    en: 'This value does not have the format the institution expects: {validation}',
    es: 'Este valor no tiene el formato que espera la institución: {validation}',
    pt: 'Este valor não tem o formato que a instituição espera: {validation}',
  },
  'invalid.session_link': {
    en: 'The session does not belong to this link.',
    es: 'La sesión no pertenece a este link.',
    pt: 'A sessão não pertence a este link.',
  },
  'invalid.date_order': {
    en: 'date_from must be earlier than or equal to date_to.',
    es: 'date_from debe ser anterior o igual a date_to.',
    pt: 'date_from deve ser anterior ou igual a date_to.',
  },
  'invalid.future_date': { en: 'date_to cannot be in the future.', es: 'date_to no puede estar en el futuro.', pt: 'date_to não pode estar no futuro.' },
  'does_not_exist.id': {
    en: 'Invalid pk "{value}" - object does not exist.',
    es: 'Pk inválido "{value}" - el objeto no existe.',
    pt: 'Pk inválido "{value}" - o objeto não existe.',
  },
  'invalid.url': {
    en: 'Enter a valid URL: http or https, without a user or password.',
    es: 'Introduzca una URL válida: http o https, sin usuario ni contraseña.',
    pt: 'Insira uma URL válida: http ou https, sem usuário nem senha.',
  },
  'invalid.private_destination': {
    en: 'This server does not send webhooks to {host}: loopback, private, link-local and cloud metadata addresses are refused. Use a public address.',
    es: 'Este servidor no envía webhooks a {host}: se rechazan las direcciones de loopback, privadas, de enlace local y de metadatos de la nube. Use una dirección pública.',
    pt: 'Este servidor não envia webhooks para {host}: endereços de loopback, privados, de link local e de metadados da nuvem são recusados. Use um endereço público.',
  },
  'invalid.header_value': {
    en: 'Enter a valid HTTP header value: printable ASCII characters, no line breaks.',
    es: 'Introduzca un valor de cabecera HTTP válido: caracteres ASCII imprimibles, sin saltos de línea.',
    pt: 'Insira um valor de cabeçalho HTTP válido: caracteres ASCII imprimíveis, sem quebras de linha.',
  },
  'authentication_failed.widget_token': {
    en: 'Invalid widget access token',
    es: 'Token de acceso del widget inválido',
    pt: 'Token de acesso do widget inválido',
  },
  'authentication_failed.widget_token_expired': {
    en: 'The widget access token has expired',
    es: 'El token de acceso del widget ha expirado',
    pt: 'O token de acesso do widget expirou',
  },
  // The connect widget's API (/widget/api/*): one message per reason, so the widget can say
  // what happened (start again, already connected, wrong link) rather than "invalid".
  'authentication_failed.widget_token_missing': {
    en: 'The widget access token is missing: send it as Authorization: Bearer <access token>',
    es: 'Falta el token de acceso del widget: envíalo como Authorization: Bearer <token de acceso>',
    pt: 'Falta o token de acesso do widget: envie-o como Authorization: Bearer <token de acesso>',
  },
  'authentication_failed.widget_token_malformed': {
    en: 'The widget access token is malformed',
    es: 'El token de acceso del widget está mal formado',
    pt: 'O token de acesso do widget está malformado',
  },
  'authentication_failed.widget_token_used': {
    en: 'The widget access token was already used to connect an account; request a new one',
    es: 'El token de acceso del widget ya se usó para conectar una cuenta; solicita uno nuevo',
    pt: 'O token de acesso do widget já foi usado para conectar uma conta; solicite um novo',
  },
  'authentication_failed.widget_token_replaced': {
    en: 'The widget access token was replaced by a refreshed one; use the newest access token',
    es: 'El token de acceso del widget fue reemplazado por uno renovado; usa el token de acceso más reciente',
    pt: 'O token de acesso do widget foi substituído por um renovado; use o token de acesso mais recente',
  },
  'authentication_failed.widget_refresh': {
    en: 'Invalid widget refresh token',
    es: 'Token de actualización del widget inválido',
    pt: 'Token de atualização do widget inválido',
  },
  'authentication_failed.widget_refresh_expired': {
    en: 'The widget refresh token has expired; request a new widget token',
    es: 'El token de actualización del widget ha expirado; solicita un nuevo token del widget',
    pt: 'O token de atualização do widget expirou; solicite um novo token do widget',
  },
  'authentication_failed.widget_refresh_used': {
    en: 'The widget refresh token was already used; use the newest refresh token',
    es: 'El token de actualización del widget ya se usó; usa el token de actualización más reciente',
    pt: 'O token de atualização do widget já foi usado; use o token de atualização mais recente',
  },
  'too_many_sessions.widget_in_progress': {
    en: 'Another connection with this widget access token is in progress; wait for it to finish',
    es: 'Hay otra conexión en curso con este token de acceso del widget; espera a que termine',
    pt: 'Há outra conexão em andamento com este token de acesso do widget; aguarde até que termine',
  },
  'access_to_resource_denied.widget_scope': {
    en: "You don't have access to this resource. The widget access token lacks the {scope} scope.",
    es: 'No tienes acceso a este recurso. El token de acceso del widget no tiene el alcance {scope}.',
    pt: 'Você não tem acesso a este recurso. O token de acesso do widget não tem o escopo {scope}.',
  },
  'access_to_resource_denied.widget_update_mode': {
    en: "You don't have access to this resource. This widget access token updates an existing link: it cannot create another one.",
    es: 'No tienes acceso a este recurso. Este token de acceso del widget actualiza un link existente: no puede crear otro.',
    pt: 'Você não tem acesso a este recurso. Este token de acesso do widget atualiza um link existente: não pode criar outro.',
  },
  'invalid.openfinance_institution': {
    en: 'This institution connects through an Open Finance consent, not with credentials.',
    es: 'Esta institución se conecta mediante un consentimiento de Open Finance, no con credenciales.',
    pt: 'Esta instituição se conecta por meio de um consentimento do Open Finance, não com credenciais.',
  },
  already_registered: {
    en: 'This customer is already registered',
    es: 'Este cliente ya está registrado',
    pt: 'Este cliente já está cadastrado',
  },
  'already_registered.bank_account': {
    en: 'This bank account is already registered',
    es: 'Esta cuenta bancaria ya está registrada',
    pt: 'Esta conta bancária já está cadastrada',
  },
  cancellation_error: {
    en: 'Payment Intent cannot be canceled because it is not SCHEDULED.',
    es: 'El Payment Intent no se puede cancelar porque no está SCHEDULED.',
    pt: 'O Payment Intent não pode ser cancelado porque não está SCHEDULED.',
  },
  'cancellation_error.charge': {
    en: 'Charge cannot be canceled because it is not SCHEDULED.',
    es: 'El cargo no se puede cancelar porque no está SCHEDULED.',
    pt: 'A cobrança não pode ser cancelada porque não está SCHEDULED.',
  },
  idempotency_key_invalid: {
    en: 'The Belvo-Idempotency-Key header must be a UUID.',
    es: 'La cabecera Belvo-Idempotency-Key debe ser un UUID.',
    pt: 'O cabeçalho Belvo-Idempotency-Key deve ser um UUID.',
  },
  idempotency_key_conflict: {
    en: 'A request with this idempotency key is already being processed.',
    es: 'Ya se está procesando una solicitud con esta clave de idempotencia.',
    pt: 'Uma requisição com esta chave de idempotência já está sendo processada.',
  },
  idempotency_payload_mismatch: {
    en: 'A different request with the same idempotency key already exists.',
    es: 'Ya existe una solicitud diferente con la misma clave de idempotencia.',
    pt: 'Já existe uma requisição diferente com a mesma chave de idempotência.',
  },
  'invalid.transition': {
    en: 'A {object} cannot go from {from} to {to}.',
    es: 'Un {object} no puede pasar de {from} a {to}.',
    pt: 'Um {object} não pode passar de {from} para {to}.',
  },
  'invalid.document': {
    en: 'Enter a valid CPF (11 digits) or CNPJ (14 digits).',
    es: 'Introduzca un CPF (11 dígitos) o CNPJ (14 dígitos) válido.',
    pt: 'Informe um CPF (11 dígitos) ou CNPJ (14 dígitos) válido.',
  },
  'invalid.pix_key': {
    en: 'Enter a valid Pix key: a CPF, a CNPJ, an email address, a mobile phone number (+55...) or a random key (UUID).',
    es: 'Introduzca una clave Pix válida: un CPF, un CNPJ, un correo electrónico, un celular (+55...) o una clave aleatoria (UUID).',
    pt: 'Informe uma chave Pix válida: um CPF, um CNPJ, um e-mail, um celular (+55...) ou uma chave aleatória (UUID).',
  },
  'invalid.amount': {
    en: 'Enter an amount greater than zero with at most two decimal places, such as "1234.12".',
    es: 'Introduzca un monto mayor que cero con un máximo de dos decimales, como "1234.12".',
    pt: 'Informe um valor maior que zero com no máximo duas casas decimais, como "1234.12".',
  },
  'invalid.account_number': {
    en: 'Enter only digits (^[0-9]+$), such as "457220".',
    es: 'Introduzca solo dígitos (^[0-9]+$), como "457220".',
    pt: 'Informe apenas dígitos (^[0-9]+$), como "457220".',
  },
  'invalid.agency': {
    en: 'Enter the agency as 1 to 6 digits, such as "0001".',
    es: 'Introduzca la agencia con 1 a 6 dígitos, como "0001".',
    pt: 'Informe a agência com 1 a 6 dígitos, como "0001".',
  },
  'invalid.uuid': { en: '"{value}" is not a valid UUID.', es: '"{value}" no es un UUID válido.', pt: '"{value}" não é um UUID válido.' },
  'invalid.email': { en: 'Enter a valid email address.', es: 'Introduzca un correo electrónico válido.', pt: 'Informe um e-mail válido.' },
  'invalid.metadata': {
    en: 'metadata takes up to 50 keys of up to 50 characters, each value up to 500 characters.',
    es: 'metadata admite hasta 50 claves de hasta 50 caracteres, cada valor de hasta 500 caracteres.',
    pt: 'metadata aceita até 50 chaves de até 50 caracteres, cada valor com até 500 caracteres.',
  },
  'invalid.schedule': {
    en: 'Enter a date at least 1 day and no more than 720 days in the future (YYYY-MM-DD).',
    es: 'Introduzca una fecha entre 1 y 720 días en el futuro (YYYY-MM-DD).',
    pt: 'Informe uma data entre 1 e 720 dias no futuro (AAAA-MM-DD).',
  },
  'invalid.schedule_kind': {
    en: 'Send exactly one of single, daily, weekly, monthly or custom, as an object.',
    es: 'Envíe exactamente uno de single, daily, weekly, monthly o custom, como objeto.',
    pt: 'Envie exatamente um de single, daily, weekly, monthly ou custom, como objeto.',
  },
  'invalid.schedule_occurrences': {
    en: 'Enter a whole number of occurrences from {min} to {max}.',
    es: 'Introduzca un número entero de ocurrencias entre {min} y {max}.',
    pt: 'Informe um número inteiro de ocorrências entre {min} e {max}.',
  },
  'invalid.schedule_day_of_month': {
    en: 'Enter day_of_month as a whole number from {min} to {max}.',
    es: 'Introduzca day_of_month como un número entero entre {min} y {max}.',
    pt: 'Informe day_of_month como um número inteiro entre {min} e {max}.',
  },
  'invalid.schedule_weekday': {
    en: 'start_date must fall on day_of_week ({value}).',
    es: 'start_date debe caer en day_of_week ({value}).',
    pt: 'start_date deve cair no day_of_week ({value}).',
  },
  'invalid.schedule_monthday': {
    en: 'start_date must fall on day_of_month ({value}).',
    es: 'start_date debe caer en day_of_month ({value}).',
    pt: 'start_date deve cair no day_of_month ({value}).',
  },
  'invalid.schedule_dates': {
    en: 'Enter from 2 to 60 different dates (YYYY-MM-DD).',
    es: 'Introduzca de 2 a 60 fechas distintas (YYYY-MM-DD).',
    pt: 'Informe de 2 a 60 datas diferentes (AAAA-MM-DD).',
  },
  'invalid.schedule_end': {
    en: 'The last occurrence ({value}) would be more than 720 days in the future.',
    es: 'La última ocurrencia ({value}) quedaría a más de 720 días en el futuro.',
    pt: 'A última ocorrência ({value}) ficaria a mais de 720 dias no futuro.',
  },
  'invalid.inactive_institution': {
    en: 'The institution {value} is not active.',
    es: 'La institución {value} no está activa.',
    pt: 'A instituição {value} não está ativa.',
  },
  'invalid.not_updatable': {
    en: 'A payment intent can be updated only while its status is REQUIRES_PAYMENT_METHOD or REQUIRES_ACTION (it is {status}).',
    es: 'Un payment intent solo se puede actualizar mientras su estado es REQUIRES_PAYMENT_METHOD o REQUIRES_ACTION (es {status}).',
    pt: 'Um payment intent só pode ser atualizado enquanto seu status é REQUIRES_PAYMENT_METHOD ou REQUIRES_ACTION (é {status}).',
  },
  'invalid.not_authorizable': {
    en: 'Only a confirmed payment intent in REQUIRES_ACTION can be authorized (it is {status}, confirmed: {confirmed}).',
    es: 'Solo se puede autorizar un payment intent confirmado en REQUIRES_ACTION (es {status}, confirmado: {confirmed}).',
    pt: 'Só é possível autorizar um payment intent confirmado em REQUIRES_ACTION (é {status}, confirmado: {confirmed}).',
  },
  'invalid.confirm_without_payer': {
    en: 'To confirm the payment intent (confirm: true), provide payment_method_details.open_finance.payer_institution.',
    es: 'Para confirmar el payment intent (confirm: true), envíe payment_method_details.open_finance.payer_institution.',
    pt: 'Para confirmar o payment intent (confirm: true), envie payment_method_details.open_finance.payer_institution.',
  },
  'invalid.payment_method_type': {
    en: 'allowed_payment_method_types must contain open_finance.',
    es: 'allowed_payment_method_types debe contener open_finance.',
    pt: 'allowed_payment_method_types deve conter open_finance.',
  },
  'invalid.holder_document': {
    en: 'An INDIVIDUAL holder is identified by a CPF, a BUSINESS holder by a CNPJ.',
    es: 'Un titular INDIVIDUAL se identifica con un CPF, un titular BUSINESS con un CNPJ.',
    pt: 'Um titular INDIVIDUAL é identificado por um CPF, um titular BUSINESS por um CNPJ.',
  },
  // Payment authorizations (domain/payments/authorizations.ts)
  'invalid.resource_version_v2': {
    en: 'Payment authorizations need the header X-Belvo-API-Resource-Version: Payments-BR.V2.',
    es: 'Las autorizaciones de pago requieren la cabecera X-Belvo-API-Resource-Version: Payments-BR.V2.',
    pt: 'As autorizações de pagamento exigem o cabeçalho X-Belvo-API-Resource-Version: Payments-BR.V2.',
  },
  'invalid.authorization_dates': {
    en: 'Enter exactly one date (YYYY-MM-DD).',
    es: 'Introduzca exactamente una fecha (YYYY-MM-DD).',
    pt: 'Informe exatamente uma data (AAAA-MM-DD).',
  },
  'invalid.authorization_not_authorizable': {
    en: 'Only a payment authorization in AWAITING_AUTHORIZATION or PARTIALLY_ACCEPTED can be authorized (it is {status}).',
    es: 'Solo se puede autorizar una autorización de pago en AWAITING_AUTHORIZATION o PARTIALLY_ACCEPTED (es {status}).',
    pt: 'Só é possível autorizar uma autorização de pagamento em AWAITING_AUTHORIZATION ou PARTIALLY_ACCEPTED (é {status}).',
  },
  'cancellation_error.authorization': {
    en: 'Payment Authorization cannot be canceled because it is {status}.',
    es: 'La autorización de pago no se puede cancelar porque está {status}.',
    pt: 'A autorização de pagamento não pode ser cancelada porque está {status}.',
  },
  'invalid.charge_not_retryable': {
    en: 'Only a FAILED charge can be retried (it is {status}).',
    es: 'Solo se puede reintentar un cargo FAILED (es {status}).',
    pt: 'Só é possível tentar novamente uma cobrança FAILED (é {status}).',
  },
  'invalid.charge_already_retried': {
    en: 'This charge was already retried (charge {next}).',
    es: 'Este cargo ya fue reintentado (cargo {next}).',
    pt: 'Esta cobrança já foi tentada novamente (cobrança {next}).',
  },
  'invalid.authorization_not_active': {
    en: 'Charges can be retried only while the payment authorization is AUTHORIZED (it is {status}).',
    es: 'Los cargos solo se pueden reintentar mientras la autorización de pago está AUTHORIZED (es {status}).',
    pt: 'As cobranças só podem ser tentadas novamente enquanto a autorização de pagamento está AUTHORIZED (é {status}).',
  },
  'invalid.retries_exhausted': {
    en: 'This charge was already retried {limit} times.',
    es: 'Este cargo ya fue reintentado {limit} veces.',
    pt: 'Esta cobrança já foi tentada novamente {limit} vezes.',
  },
  'invalid.retry_date': {
    en: 'Enter a date from tomorrow to {last} (YYYY-MM-DD).',
    es: 'Introduzca una fecha entre mañana y {last} (YYYY-MM-DD).',
    pt: 'Informe uma data entre amanhã e {last} (AAAA-MM-DD).',
  },
  // Biometric Pix (domain/payments/biometric.ts)
  'invalid.biometric_method_type': {
    en: 'allowed_payment_method_types must be ["open_finance_biometric_pix"] for a biometric Pix payment.',
    es: 'allowed_payment_method_types debe ser ["open_finance_biometric_pix"] para un pago Pix biométrico.',
    pt: 'allowed_payment_method_types deve ser ["open_finance_biometric_pix"] para um pagamento Pix biométrico.',
  },
  'invalid.enrollment_customer': {
    en: "The enrollment belongs to another customer: a biometric Pix payment uses its customer's own enrollment.",
    es: 'El enrollment pertenece a otro cliente: un pago Pix biométrico usa el enrollment de su propio cliente.',
    pt: 'O enrollment pertence a outro cliente: um pagamento Pix biométrico usa o enrollment do seu próprio cliente.',
  },
  'invalid.enrollment_unusable': {
    en: 'The enrollment is {status}: enroll the device again.',
    es: 'El enrollment está {status}: vuelva a registrar el dispositivo.',
    pt: 'O enrollment está {status}: cadastre o dispositivo novamente.',
  },
  'invalid.enrollment_not_succeeded': {
    en: "A biometric Pix payment is authorized only with a SUCCEEDED enrollment of the payment's customer (it is {status}).",
    es: 'Un pago Pix biométrico solo se autoriza con un enrollment SUCCEEDED del cliente del pago (está {status}).',
    pt: 'Um pagamento Pix biométrico só é autorizado com um enrollment SUCCEEDED do cliente do pagamento (está {status}).',
  },
  'invalid.enrollment_refused': {
    en: 'The account holder refused this enrollment at their institution: complete it with its error.',
    es: 'El titular rechazó este enrollment en su institución: complételo con su error.',
    pt: 'O titular recusou este enrollment na sua instituição: conclua-o com o seu erro.',
  },
  'invalid.enrollment_code': {
    en: "The code is not the one the institution sent back with this enrollment's state.",
    es: 'El code no es el que la institución devolvió con el state de este enrollment.',
    pt: 'O code não é o que a instituição devolveu com o state deste enrollment.',
  },
  'not_found.page': { en: 'Invalid page.', es: 'Página inválida.', pt: 'Página inválida.' },
  'invalid.body': {
    en: 'Invalid data. Expected a dictionary, but got {detail}.',
    es: 'Datos inválidos. Se esperaba un diccionario, pero se recibió {detail}.',
    pt: 'Dados inválidos. Esperava-se um dicionário, mas foi recebido {detail}.',
  },
  service_unavailable: {
    en: 'The service is temporarily unavailable, try again later',
    es: 'El servicio no está disponible temporalmente, inténtalo más tarde',
    pt: 'O serviço está temporariamente indisponível, tente novamente mais tarde',
  },
}

export function messageFor(code: ErrorCode, language: Language, params: Record<string, string | number>, variant?: string): string {
  const entry = (variant && MESSAGES[`${code}.${variant}`]) || MESSAGES[code]
  const template = entry[language] ?? entry.en
  return template.replace(/\{(\w+)\}/g, (_, key: string) => (key in params ? String(params[key]) : `{${key}}`))
}

/** Picks en, es or pt from an Accept-Language header, honouring q-values; English by default. */
export function pickLanguage(header: string | undefined): Language {
  if (!header) return 'en'
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag, ...attrs] = part.trim().toLowerCase().split(';')
      const q = attrs.map((a) => a.trim()).find((a) => a.startsWith('q='))
      return { tag: tag.split('-')[0], q: q ? Number(q.slice(2)) || 0 : 1, index }
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
  for (const { tag } of ranked) {
    if (tag === 'en' || tag === 'es' || tag === 'pt') return tag
  }
  return 'en'
}
