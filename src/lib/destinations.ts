import { BlockList, isIP } from 'node:net'

/**
 * Which addresses a production Ponte refuses to send webhooks to (issue 11, item 7): on a shared
 * server, an organization must not make Ponte call the services next to it (a database's HTTP
 * port, an admin console) or the cloud's instance metadata, which hands out credentials. The
 * embedded sandbox allows them all: integrators' receivers live on loopback and private networks.
 *
 * The ranges are IANA's special-purpose registries (RFC 6890 and its updates): anything that is
 * not a globally reachable unicast address, checked with node's BlockList.
 */
const RANGES: readonly (readonly [kind: string, network: string, prefix: number])[] = [
  ['an unspecified', '0.0.0.0', 8],
  ['a private', '10.0.0.0', 8],
  ['a shared (CGNAT)', '100.64.0.0', 10],
  ['a loopback', '127.0.0.0', 8],
  ['a link-local', '169.254.0.0', 16],
  ['a private', '172.16.0.0', 12],
  ['a reserved', '192.0.0.0', 24],
  ['a documentation', '192.0.2.0', 24],
  ['a reserved', '192.88.99.0', 24],
  ['a private', '192.168.0.0', 16],
  ['a benchmarking', '198.18.0.0', 15],
  ['a documentation', '198.51.100.0', 24],
  ['a documentation', '203.0.113.0', 24],
  ['a multicast', '224.0.0.0', 4],
  ['a reserved', '240.0.0.0', 4],
  ['an unspecified', '::', 128],
  ['a loopback', '::1', 128],
  // IPv4-compatible (deprecated, RFC 4291) addresses: old stacks route them to the IPv4 address.
  ['a reserved', '::', 96],
  // IPv4-translated (RFC 2765, SIIT): ::ffff:0:a.b.c.d.
  ['a reserved', '::ffff:0:0:0', 96],
  ['a reserved', '64:ff9b:1::', 48],
  ['a reserved', '100::', 64],
  // Teredo (RFC 4380) tunnels to an IPv4 address; benchmarking (RFC 5180); ORCHID (RFC 7343).
  ['a reserved', '2001::', 32],
  ['a benchmarking', '2001:2::', 48],
  ['a reserved', '2001:10::', 28],
  ['a documentation', '2001:db8::', 32],
  ['a documentation', '3fff::', 20],
  ['a reserved', '5f00::', 16],
  // 6to4 (deprecated, RFC 7526) tunnels to the IPv4 address in its bits 16-48.
  ['a reserved', '2002::', 16],
  ['a private', 'fc00::', 7],
  ['a link-local', 'fe80::', 10],
  ['a reserved', 'fec0::', 10],
  ['a multicast', 'ff00::', 8],
]

/** Cloud metadata services, named as such in refusals: they are the prize of such an attack. */
const METADATA_ADDRESSES = new Set(['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '100.100.100.200'])

/**
 * Names that are internal by definition, refused before any DNS lookup: localhost (RFC 6761),
 * .internal (reserved for private use, where cloud metadata lives: metadata.google.internal),
 * .local (mDNS) and .home.arpa (RFC 8375).
 */
const INTERNAL_NAMES = ['localhost', 'internal', 'local', 'home.arpa']
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata'])

const lists = new Map<string, BlockList>()
for (const [kind, network, prefix] of RANGES) {
  if (!lists.has(kind)) lists.set(kind, new BlockList())
  lists.get(kind)!.addSubnet(network, prefix, isIP(network) === 6 ? 'ipv6' : 'ipv4')
}

/** The 8 groups of an IPv6 address (node has no parser that returns them). */
function ipv6Groups(address: string): number[] {
  let text = address
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number)
    text = `${text.slice(0, -dotted[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.split('::')
  const part = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : [])
  const before = part(head)
  const after = part(tail)
  return tail === undefined ? before : [...before, ...new Array(8 - before.length - after.length).fill(0), ...after]
}

/**
 * The IPv4 address an IPv6 address stands for: IPv4-mapped (::ffff:a.b.c.d, which the socket
 * connects to as IPv4) and NAT64 (64:ff9b::/96, RFC 6052: a DNS64 resolver hands those out for
 * IPv4-only names). Null for any other IPv6 address.
 */
function embeddedIPv4(address: string): string | null {
  const g = ipv6Groups(address)
  const mapped = g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)
  if (g.length !== 8 || (!mapped && !nat64)) return null
  return [g[6] >> 8, g[6] & 0xff, g[7] >> 8, g[7] & 0xff].join('.')
}

/**
 * Why `address` (an IP literal) is not a public destination, e.g. "a private address"; null when
 * it is one. Anything that is not an IP address at all is refused too.
 */
export function refusedAddressReason(address: string): string | null {
  const family = isIP(address)
  if (family === 0) return 'not an IP address'
  const lower = address.toLowerCase()
  if (family === 6) {
    const ipv4 = embeddedIPv4(lower)
    if (ipv4) return refusedAddressReason(ipv4)
  }
  if (METADATA_ADDRESSES.has(lower)) return 'a cloud metadata address'
  for (const [kind, list] of lists) {
    if (list.check(lower, family === 6 ? 'ipv6' : 'ipv4')) return `${kind} address`
  }
  return null
}

/**
 * Why a URL's host is refused without looking it up: an IP literal in a refused range, or a name
 * that is internal by definition. Null when only a DNS lookup can tell (checked at each delivery).
 * `hostname` is URL.hostname: IPv6 in brackets, IPv4 already normalized (0x7f.1 -> 127.0.0.1).
 */
export function refusedHostReason(hostname: string): string | null {
  const host = hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
  if (isIP(host)) return refusedAddressReason(host)
  if (METADATA_NAMES.has(host)) return 'a cloud metadata address'
  if (INTERNAL_NAMES.some((name) => host === name || host.endsWith(`.${name}`))) return 'an internal name'
  return null
}
