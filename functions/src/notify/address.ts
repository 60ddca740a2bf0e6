import net from 'node:net';

/**
 * Addresses a webhook must never reach from a hosted service: every block in the IANA IPv4 and
 * IPv6 Special-Purpose Address Registries (private networks, loopback, link-local with the cloud
 * metadata endpoints 169.254.169.254 and fd00:ec2::254, carrier-grade NAT, documentation,
 * benchmarking, translation and tunnelling prefixes), plus multicast and the deprecated
 * site-local block. Registry entries marked "globally reachable" (the anycast and AS112
 * services) are refused too: no user's webhook lives there, and refusing costs nothing.
 */
export const BLOCKED_IPV4: ReadonlyArray<readonly [string, number]> = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // shared address space (carrier-grade NAT)
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments (DS-Lite, PCP/TURN anycast, NAT64 discovery)
  ['192.0.2.0', 24], // documentation (TEST-NET-1)
  ['192.31.196.0', 24], // AS112-v4
  ['192.52.193.0', 24], // AMT
  ['192.88.99.0', 24], // deprecated 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['192.175.48.0', 24], // AS112 direct delegation
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation (TEST-NET-2)
  ['203.0.113.0', 24], // documentation (TEST-NET-3)
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and 255.255.255.255 limited broadcast
];

export const BLOCKED_IPV6: ReadonlyArray<readonly [string, number]> = [
  // ::/96 holds the unspecified address, loopback and the deprecated IPv4-compatible form (::7f00:1).
  ['::', 96],
  // IPv4-mapped (`[::ffff:127.0.0.1]` reaches 127.0.0.1) and IPv4-translated addresses: an
  // IPv4 target is written as IPv4, so any address in these blocks is an attempt to disguise one.
  ['::ffff:0:0', 96],
  ['::ffff:0:0:0', 96],
  ['64:ff9b::', 96], // NAT64 well-known prefix: translates to any IPv4 address, private ones included
  ['64:ff9b:1::', 48], // local-use IPv4/IPv6 translation
  ['100::', 64], // discard-only
  ['100:0:0:1::', 64], // dummy prefix
  ['2001::', 23], // IETF protocol assignments: Teredo, PCP/TURN/DNS-SD anycast, benchmarking, AMT, AS112, ORCHID, drone remote ID
  ['2001:db8::', 32], // documentation
  ['2002::', 16], // 6to4: tunnels to the IPv4 address embedded in it
  ['2620:4f:8000::', 48], // AS112 direct delegation
  ['3fff::', 20], // documentation
  ['5f00::', 16], // segment routing (SRv6) SIDs
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // deprecated site-local
  ['ff00::', 8], // multicast
];

// Two lists: Node matches IPv4 addresses against IPv4-mapped IPv6 rules, so with one list the
// ::ffff:0:0/96 rule would refuse every IPv4 address.
const blockedV4 = new net.BlockList();
for (const [prefix, bits] of BLOCKED_IPV4) blockedV4.addSubnet(prefix, bits, 'ipv4');
const blockedV6 = new net.BlockList();
for (const [prefix, bits] of BLOCKED_IPV6) blockedV6.addSubnet(prefix, bits, 'ipv6');

/** True when `address` (an IP literal) is one a webhook may not be sent to; anything else is refused too. */
export function isPrivateAddress(address: string): boolean {
  const family = net.isIP(address);
  if (family === 4) return blockedV4.check(address, 'ipv4');
  if (family === 6) return blockedV6.check(address.replace(/%.*$/, ''), 'ipv6');
  return true;
}
