import { BlockList, isIP } from 'node:net';

/**
 * Addresses a user-supplied URL must not reach unless the operator allows it: loopback, private,
 * link-local (cloud metadata lives there), carrier-grade NAT, "this network", multicast, reserved,
 * and their IPv4-mapped IPv6 forms.
 */
const INTERNAL = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const) {
  INTERNAL.addSubnet(network, prefix, 'ipv6');
}

/** True for an address inside the machine's or the operator's networks (see INTERNAL); false for a public one. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return INTERNAL.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return INTERNAL.check(mapped[1], 'ipv4');
    return INTERNAL.check(address, 'ipv6');
  }
  // Not an address at all: treat as internal, so a caller never lets through what it cannot judge.
  return true;
}
