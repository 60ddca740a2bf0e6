import { isPrivateAddress } from '../../src/notify/address';

/**
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries, entry by entry (as published in
 * 2025), plus multicast and the deprecated site-local block. Written out here rather than taken
 * from the implementation, so a block dropped from the code fails its row.
 */
const IPV4_REGISTRY: Array<[string, string]> = [
  ['0.0.0.0/8', '"This network"'],
  ['0.0.0.0/32', '"This host on this network"'],
  ['10.0.0.0/8', 'Private-Use'],
  ['100.64.0.0/10', 'Shared Address Space'],
  ['127.0.0.0/8', 'Loopback'],
  ['169.254.0.0/16', 'Link Local'],
  ['172.16.0.0/12', 'Private-Use'],
  ['192.0.0.0/24', 'IETF Protocol Assignments'],
  ['192.0.0.0/29', 'IPv4 Service Continuity Prefix'],
  ['192.0.0.8/32', 'IPv4 dummy address'],
  ['192.0.0.9/32', 'Port Control Protocol Anycast'],
  ['192.0.0.10/32', 'Traversal Using Relays around NAT Anycast'],
  ['192.0.0.170/32', 'NAT64/DNS64 Discovery'],
  ['192.0.0.171/32', 'NAT64/DNS64 Discovery'],
  ['192.0.2.0/24', 'Documentation (TEST-NET-1)'],
  ['192.31.196.0/24', 'AS112-v4'],
  ['192.52.193.0/24', 'AMT'],
  ['192.88.99.0/24', 'Deprecated (6to4 Relay Anycast)'],
  ['192.168.0.0/16', 'Private-Use'],
  ['192.175.48.0/24', 'Direct Delegation AS112 Service'],
  ['198.18.0.0/15', 'Benchmarking'],
  ['198.51.100.0/24', 'Documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'Documentation (TEST-NET-3)'],
  ['240.0.0.0/4', 'Reserved'],
  ['255.255.255.255/32', 'Limited Broadcast'],
  ['224.0.0.0/4', 'Multicast (multicast registry)'],
];

const IPV6_REGISTRY: Array<[string, string]> = [
  ['::1/128', 'Loopback Address'],
  ['::/128', 'Unspecified Address'],
  ['::ffff:0:0/96', 'IPv4-mapped Address'],
  ['64:ff9b::/96', 'IPv4-IPv6 Translat.'],
  ['64:ff9b:1::/48', 'IPv4-IPv6 Translat. (local use)'],
  ['100::/64', 'Discard-Only Address Block'],
  ['100:0:0:1::/64', 'Dummy IPv6 Prefix'],
  ['2001::/23', 'IETF Protocol Assignments'],
  ['2001::/32', 'TEREDO'],
  ['2001:1::1/128', 'Port Control Protocol Anycast'],
  ['2001:1::2/128', 'Traversal Using Relays around NAT Anycast'],
  ['2001:1::3/128', 'DNS-SD Service Registration Protocol Anycast'],
  ['2001:2::/48', 'Benchmarking'],
  ['2001:3::/32', 'AMT'],
  ['2001:4:112::/48', 'AS112-v6'],
  ['2001:10::/28', 'Deprecated (previously ORCHID)'],
  ['2001:20::/28', 'ORCHIDv2'],
  ['2001:30::/28', 'Drone Remote ID Protocol Entity Tags (DETs) Prefix'],
  ['2001:db8::/32', 'Documentation'],
  ['2002::/16', '6to4'],
  ['2620:4f:8000::/48', 'Direct Delegation AS112 Service'],
  ['3fff::/20', 'Documentation'],
  ['5f00::/16', 'Segment Routing (SRv6) SIDs'],
  ['fc00::/7', 'Unique-Local'],
  ['fe80::/10', 'Link-Local Unicast'],
  ['fec0::/10', 'Site-local (deprecated)'],
  ['ff00::/8', 'Multicast'],
];

const v4ToInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
const intToV4 = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

function v6ToBig(a: string): bigint {
  const [head, tail] = a.split('::');
  const parts = (s?: string) => (s ? s.split(':') : []);
  const front = parts(head);
  const back = tail === undefined ? [] : parts(tail);
  const groups = tail === undefined ? front : [...front, ...Array(8 - front.length - back.length).fill('0'), ...back];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n);
}
const bigToV6 = (n: bigint) => Array.from({ length: 8 }, (_, i) => ((n >> BigInt(16 * (7 - i))) & 0xffffn).toString(16)).join(':');

/** First, middle and last address of a block. */
function samplesV4(cidr: string): string[] {
  const [base, bits] = cidr.split('/');
  const first = v4ToInt(base);
  const size = 2 ** (32 - Number(bits));
  return [...new Set([first, first + Math.floor(size / 2), first + size - 1])].map(intToV4);
}
function samplesV6(cidr: string): string[] {
  const [base, bits] = cidr.split('/');
  const first = v6ToBig(base);
  const size = 1n << BigInt(128 - Number(bits));
  return [...new Set([first, first + size / 2n, first + size - 1n])].map(bigToV6);
}

describe('private address check', () => {
  describe.each(IPV4_REGISTRY)('IPv4 %s (%s)', (cidr) => {
    test.each(samplesV4(cidr))('refuses %s', (address) => {
      expect(isPrivateAddress(address)).toBe(true);
    });
  });

  describe.each(IPV6_REGISTRY)('IPv6 %s (%s)', (cidr) => {
    test.each(samplesV6(cidr))('refuses %s', (address) => {
      expect(isPrivateAddress(address)).toBe(true);
    });
  });

  test.each([
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback, dotted'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, as URLs normalise it'],
    ['::ffff:0:7f00:1', 'IPv4-translated loopback (::ffff:0:0:0/96)'],
    ['::ffff:0:a9fe:a9fe', 'IPv4-translated cloud metadata'],
    ['::ffff:c000:201', 'IPv4-mapped documentation 192.0.2.1'],
    ['::7f00:1', 'IPv4-compatible loopback'],
    ['::ffff:808:808', 'IPv4-mapped, even of a public address (written as IPv4, it is allowed)'],
    ['64:ff9b::a00:1', 'NAT64 of a private address'],
    ['fd00:ec2::254', 'AWS metadata over IPv6'],
    ['fe80::1%eth0', 'link-local with a zone'],
  ])('refuses %s (%s)', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  test.each([
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['172.32.0.1'], // just past 172.16/12
    ['100.128.0.1'], // just past 100.64/10
    ['192.0.3.1'], // just past TEST-NET-1
    ['198.20.0.1'], // just past 198.18/15
    ['93.184.215.14'],
    ['2606:4700:4700::1111'],
    ['2a00:1450:4001:82b::200e'],
    ['2001:200::1'], // just past 2001::/23
  ])('allows public %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  test('refuses anything that is not an IP literal', () => {
    expect(isPrivateAddress('example.com')).toBe(true);
    expect(isPrivateAddress('')).toBe(true);
  });
});
