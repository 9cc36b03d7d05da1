import type { FastifyInstance, FastifyRequest } from 'fastify'
import { Counter, Histogram, Registry, collectDefaultMetrics, type Metric } from 'prom-client'

/**
 * Prometheus metrics: per-route request counts and latencies, Node's process metrics, and the
 * `extra` metrics the app is given (jobs, queues and webhook deliveries: jobs/metrics.ts).
 * `onDone` runs in the same per-response hook (one hook instead of two on the hot path).
 */
export function installMetrics(app: FastifyInstance, onDone: (request: FastifyRequest) => void = () => {}, extra: Metric[] = []): Registry {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'ponte_' })
  for (const metric of extra) registry.registerMetric(metric)
  const requests = new Counter({
    name: 'ponte_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'ponte_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  })
  // Labelled children are cached per (method, route, status): resolving labels on every request
  // costs more than the observation itself.
  const children = new Map<string, { count: ReturnType<typeof requests.labels>; latency: ReturnType<typeof duration.labels> }>()
  app.addHook('onResponse', (request, reply, done) => {
    onDone(request)
    // The route template, never the raw URL: ids in paths would make unbounded label values.
    const route = request.routeOptions.url ?? 'unmatched'
    const key = `${request.method} ${route} ${reply.statusCode}`
    let child = children.get(key)
    if (!child) {
      child = { count: requests.labels(request.method, route, String(reply.statusCode)), latency: duration.labels(request.method, route) }
      children.set(key, child)
    }
    child.count.inc()
    child.latency.observe(reply.elapsedTime / 1000)
    done()
  })
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType)
    return registry.metrics()
  })
  return registry
}
