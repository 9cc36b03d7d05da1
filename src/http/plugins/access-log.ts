import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

/**
 * One access line per request, written when the response has finished, instead of Fastify's two
 * ("incoming request", "request completed") with their whole request and response objects.
 * Fastify calls this controller at the end of every response anyway, so the line costs no hook.
 * The line names the method, the URL (its query included: Belvo's API carries no secret there;
 * credentials travel in the Authorization header and in bodies, neither of which is logged), the
 * status and the response time; `request_id` comes from the request's logger.
 */
export class AccessLog extends LogController {
  constructor() {
    super({ requestIdLogLabel: 'request_id' })
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: request.url, status: reply.statusCode, response_time: Math.round(reply.elapsedTime * 100) / 100 }
    // The response broke off (the client went away mid-body): still one line, saying so.
    if (error) reply.log.warn({ ...line, error: error.message }, 'request completed with an error')
    else reply.log.info(line, 'request completed')
  }
}
