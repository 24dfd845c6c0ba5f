/**
 * The key a per-address limit counts a client under: its address as Express reports it (the
 * trusted proxy's word when `trust proxy` is set; docs/operations.md).
 */
export function addressKey(ip: string | undefined): string {
  return ip || 'unknown';
}
