import ipaddr from 'ipaddr.js';

/**
 * The key a per-address limit counts a client under, from its address as Express reports it (the
 * trusted proxy's word when `trust proxy` is set; docs/operations.md). An IPv6 client is counted by
 * its /64: one subscriber or host usually holds a whole /64 and picks any address in it, so keying
 * the full address would give each guess a fresh allowance. An IPv4-mapped IPv6 address is the
 * IPv4 address it carries. Parsed by ipaddr.js (maintained, the parser express's proxy-addr uses),
 * so every spelling of an address (zeros, case, hex for the IPv4 part) is one key.
 */
export function addressKey(ip: string | undefined): string {
  // Anything that is not an address (a forged forwarding header) shares one key, not one each.
  if (!ip || !ipaddr.isValid(ip)) return 'unknown';
  const addr = ipaddr.process(ip); // an IPv4-mapped address becomes its IPv4 one
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}
