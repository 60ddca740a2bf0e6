import { isPrivateAddress } from '../../src/notify/address';

describe('private address check', () => {
  test.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.169.254', 'cloud metadata (link-local)'],
    ['100.64.0.1', 'carrier-grade NAT'],
    ['0.0.0.0', 'this network'],
    ['224.0.0.1', 'multicast'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fd00:ec2::254', 'IPv6 unique local (AWS metadata)'],
    ['fe80::1', 'IPv6 link-local'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback, dotted'],
    ['::ffff:a00:1', 'IPv4-mapped 10.0.0.1, as URLs normalise it'],
    ['::7f00:1', 'IPv4-compatible loopback'],
    ['64:ff9b::a00:1', 'NAT64 of a private address'],
  ])('refuses %s (%s)', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  test.each([['8.8.8.8'], ['172.32.0.1'], ['93.184.215.14'], ['2606:4700:4700::1111'], ['::ffff:808:808']])('allows public %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  test('refuses anything that is not an IP literal', () => {
    expect(isPrivateAddress('example.com')).toBe(true);
  });
});
