/**
 * Structured logs (pino, through Fastify). Secrets never reach them: the Authorization header,
 * cookies and every credential-like key are redacted wherever they appear.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  '*.password', '*.password2', '*.token', '*.secret', '*.certificate', '*.private_key',
  '*.*.password', '*.*.password2', '*.*.token', '*.*.secret',
  'credentials', '*.credentials',
]

export function loggerOptions(level: string) {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  }
}
