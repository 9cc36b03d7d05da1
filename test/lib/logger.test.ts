import { hostname } from 'node:os'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger } from '../../src/lib/logger.ts'
import { captureLogs } from '../helpers/logs.ts'

describe('createLogger', () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("writes pino's JSON lines (numeric level, time, pid, hostname, msg) and redacts credentials", () => {
    const { log, lines, text } = captureLogs('info')
    log.info({ credentials: { password: 'p4ss' }, headers: { authorization: 'Basic c2VjcmV0' }, link: { token: 't0ken' } }, 'hello')
    log.debug('not at info')
    expect(lines).toEqual([
      {
        level: 30,
        time: expect.any(Number),
        pid: process.pid,
        hostname: hostname(),
        msg: 'hello',
        credentials: '[redacted]',
        headers: { authorization: '[redacted]' },
        link: { token: '[redacted]' },
      },
    ])
    for (const secret of ['p4ss', 'c2VjcmV0', 't0ken']) expect(text()).not.toContain(secret)
  })

  it('writes human lines, not JSON, when asked to be pretty (a terminal)', () => {
    const written: string[] = []
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk))
      return true
    })
    createLogger('info', { pretty: true }).warn({ job_id: 'j1' }, 'job failed, will retry')
    const text = written.join('')
    expect(text).toMatch(/WARN/)
    expect(text).toContain('job failed, will retry')
    expect(text).toContain('j1')
    expect(() => JSON.parse(text)).toThrow()
  })
})
