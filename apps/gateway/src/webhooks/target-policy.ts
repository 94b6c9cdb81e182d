import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Which addresses a webhook may reach. Loopback, private, link-local and other non-public ranges
 * are refused (a tenant must not make the gateway call its own network: SSRF) unless an operator
 * allow-lists them (`TRIBUTARY_WEBHOOK_ALLOW`, e.g. a receiver on 127.0.0.1 in tests).
 */
const FORBIDDEN_V4 = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const;

const FORBIDDEN_V6 = [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local (private)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const;

export class TargetRefusedError extends Error {
  override readonly name = 'TargetRefusedError';
}

export interface ResolvedTarget {
  readonly address: string;
  readonly family: 4 | 6;
}

/** An IPv4 address embedded in an IPv6 one (`::ffff:a.b.c.d`, `::ffff:7f00:1`, NAT64 `64:ff9b::…`), or null. */
function embeddedV4(address: string): string | null {
  const lower = address.toLowerCase();
  const dotted = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return dotted[1]!;
  const hex = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (!hex) return null;
  const high = parseInt(hex[1]!, 16);
  const low = parseInt(hex[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

export class TargetPolicy {
  private readonly forbidden = new BlockList();
  private readonly allowed = new BlockList();

  constructor(allow: readonly string[]) {
    for (const [network, bits] of FORBIDDEN_V4) this.forbidden.addSubnet(network, bits, 'ipv4');
    for (const [network, bits] of FORBIDDEN_V6) this.forbidden.addSubnet(network, bits, 'ipv6');
    for (const entry of allow) {
      const [address = '', bits] = entry.split('/');
      const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) this.allowed.addAddress(address, family);
      else this.allowed.addSubnet(address, Number(bits), family);
    }
  }

  /** Why this address may not be called, or null when it may. */
  refusal(address: string): string | null {
    const v4 = isIP(address) === 6 ? embeddedV4(address) : address;
    const family = v4 !== null ? 'ipv4' : 'ipv6';
    const checked = v4 ?? address;
    if (
      this.allowed.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4') ||
      this.allowed.check(checked, family)
    ) {
      return null;
    }
    return this.forbidden.check(checked, family)
      ? `${address} is a loopback, private, link-local or reserved address`
      : null;
  }

  /**
   * Resolves the URL's host and checks every address it resolves to (a name with one public and one
   * private address is refused). The caller connects to the address returned, not to a second
   * resolution, so the name cannot be re-pointed between the check and the call (DNS rebinding).
   */
  async resolve(url: URL): Promise<ResolvedTarget> {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TargetRefusedError(`only http and https targets are called, not ${url.protocol}`);
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const literal = isIP(host);
    const addresses =
      literal !== 0
        ? [{ address: host, family: literal }]
        : await lookup(host, { all: true, verbatim: true }).catch((error: unknown) => {
            throw new Error(
              `could not resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
            );
          });
    if (addresses.length === 0) throw new Error(`${host} resolves to no address`);
    for (const { address } of addresses) {
      const reason = this.refusal(address);
      if (reason !== null) throw new TargetRefusedError(`${host} refused: ${reason}`);
    }
    const first = addresses[0]!;
    return { address: first.address, family: first.family === 6 ? 6 : 4 };
  }
}
