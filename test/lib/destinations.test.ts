import { describe, expect, it } from 'vitest'
import { refusedAddressReason, refusedHostReason } from '../../src/lib/destinations.ts'

describe('webhook destination policy', () => {
  it.each([
    ['127.0.0.1', 'a loopback address'],
    ['127.255.0.9', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['0.0.0.0', 'an unspecified address'],
    ['::', 'an unspecified address'],
    ['10.0.0.5', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['172.31.255.255', 'a private address'],
    ['192.168.1.10', 'a private address'],
    ['fc00::1', 'a private address'],
    ['fd12:3456::1', 'a private address'],
    ['169.254.1.1', 'a link-local address'],
    ['fe80::1', 'a link-local address'],
    ['169.254.169.254', 'a cloud metadata address'],
    ['fd00:ec2::254', 'a cloud metadata address'],
    ['100.64.0.1', 'a shared (CGNAT) address'],
    ['100.127.255.254', 'a shared (CGNAT) address'],
    ['224.0.0.1', 'a multicast address'],
    ['ff02::1', 'a multicast address'],
    ['255.255.255.255', 'a reserved address'],
    ['192.0.2.1', 'a documentation address'],
    ['2001:db8::1', 'a documentation address'],
    // IPv4-mapped IPv6, in both spellings: the socket connects to the IPv4 address.
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:7f00:1', 'a loopback address'],
    ['::ffff:10.0.0.1', 'a private address'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'a cloud metadata address'],
    ['::ffff:169.254.169.254', 'a cloud metadata address'],
    // NAT64 of a private address; IPv4-compatible and 6to4 forms.
    ['64:ff9b::a00:1', 'a private address'],
    ['::7f00:1', 'a reserved address'],
    ['2002:7f00:1::1', 'a reserved address'],
    ['not-an-ip', 'not an IP address'],
  ])('refuses %s: %s', (address, reason) => {
    expect(refusedAddressReason(address)).toBe(reason)
  })

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
  ])('accepts the public address %s', (address) => {
    expect(refusedAddressReason(address)).toBeNull()
  })

  it.each([
    // URL.hostname as the WHATWG parser gives it: decimal, hex and short IPv4 forms come out dotted.
    [new URL('http://2130706433/').hostname, 'a loopback address'],
    [new URL('http://0x7f.1/').hostname, 'a loopback address'],
    [new URL('http://[::ffff:127.0.0.1]/').hostname, 'a loopback address'],
    [new URL('http://[fd00:ec2::254]/').hostname, 'a cloud metadata address'],
    ['localhost', 'an internal name'],
    ['LOCALHOST.', 'an internal name'],
    ['api.localhost', 'an internal name'],
    ['metadata.google.internal', 'a cloud metadata address'],
    ['metadata.google.internal.', 'a cloud metadata address'],
    ['db.internal', 'an internal name'],
    ['printer.local', 'an internal name'],
    ['router.home.arpa', 'an internal name'],
    ['hooks.example.com', null],
    ['localhost.example.com', null],
    ['93.184.215.14', null],
  ])('judges the host %s before any lookup: %s', (host, reason) => {
    expect(refusedHostReason(host)).toBe(reason)
  })
})
