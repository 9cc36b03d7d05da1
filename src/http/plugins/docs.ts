import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

export const DOCS_TITLE = 'Ponte API reference'

/**
 * Ponte's wordmark: a bridge's arch and the name, white on the reference's dark top bar. Without
 * it @fastify/swagger-ui puts Fastify's logo there, and the page was titled "Swagger UI".
 */
export const WORDMARK_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="124" height="40" viewBox="0 0 124 40">
<path d="M4 31 Q21 7 38 31" fill="none" stroke="#5fd3a5" stroke-width="4" stroke-linecap="round"/>
<path d="M2 31 H40 M13 31 V22 M21 31 V18 M29 31 V22" stroke="#5fd3a5" stroke-width="3" stroke-linecap="round"/>
<text x="47" y="30" font-family="Helvetica, Arial, sans-serif" font-size="24" font-weight="700" fill="#ffffff">Ponte</text>
</svg>`

const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">
<rect width="32" height="32" rx="6" fill="#1b1b1b"/>
<path d="M4 24 Q16 6 28 24" fill="none" stroke="#5fd3a5" stroke-width="3.5" stroke-linecap="round"/>
<path d="M3 24 H29" stroke="#5fd3a5" stroke-width="3" stroke-linecap="round"/>
</svg>`

/** The interactive reference at /docs (Swagger UI over /openapi.json), in Ponte's name. */
export async function registerDocs(app: FastifyInstance): Promise<void> {
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    logo: { type: 'image/svg+xml', content: WORDMARK_SVG },
    theme: {
      title: DOCS_TITLE,
      favicon: [{ filename: 'favicon.svg', rel: 'icon', type: 'image/svg+xml', sizes: 'any', content: FAVICON_SVG }],
    },
  })
}
