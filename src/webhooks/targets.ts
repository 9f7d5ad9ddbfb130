/**
 * Where webhooks may be sent. A subscription URL is chosen by whoever holds a write key, and the hub
 * POSTs to it from inside the operator's network: without a rule, a key is enough to make the hub
 * talk to the cloud's metadata service (169.254.169.254), the database's admin port on localhost or
 * any machine of the private network. So private, loopback and link-local addresses are refused
 * unless the operator allows them (`webhooks.allowPrivateTargets` in the config: `true`, or a list of
 * networks such as ["10.20.0.0/16"]).
 *
 * Checked twice: at creation for IP literals (a clear 400), and at delivery on every address a host
 * name resolves to, inside the connection's own DNS lookup, so what is checked is what is connected
 * to (a name re-pointed after creation, or answering differently each time, cannot slip through).
 *
 * Credentials in a URL (`https://user:pass@host/`) are sent as HTTP Basic auth and never shown:
 * listings show `https://user:***@host/`.
 */
import dns from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { parseNetwork } from '../core/config.ts';

/** `webhooks.allowPrivateTargets`: false (default), true (every address), or the networks allowed. */
export type PrivateTargetsAllowance = boolean | readonly string[];

/** Address ranges a webhook is not sent to unless allowed, with what they are (for messages). */
const REFUSED: ReadonlyArray<{ cidr: string; what: string }> = [
  { cidr: '0.0.0.0/8', what: '"this network" address (0.0.0.0/8, reaches the local machine)' },
  { cidr: '10.0.0.0/8', what: 'private address (10.0.0.0/8)' },
  { cidr: '100.64.0.0/10', what: 'carrier-grade NAT address (100.64.0.0/10)' },
  { cidr: '127.0.0.0/8', what: 'loopback address (127.0.0.0/8)' },
  { cidr: '169.254.0.0/16', what: 'link-local address (169.254.0.0/16, where cloud metadata services answer)' },
  { cidr: '172.16.0.0/12', what: 'private address (172.16.0.0/12)' },
  { cidr: '192.168.0.0/16', what: 'private address (192.168.0.0/16)' },
  { cidr: '224.0.0.0/3', what: 'multicast or reserved address (224.0.0.0/3)' },
  { cidr: '::/128', what: 'unspecified address (::)' },
  { cidr: '::1/128', what: 'loopback address (::1)' },
  { cidr: 'fc00::/7', what: 'unique local address (fc00::/7)' },
  { cidr: 'fe80::/10', what: 'link-local address (fe80::/10)' },
  { cidr: 'ff00::/8', what: 'multicast address (ff00::/8)' },
];

function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const net = parseNetwork(cidr);
    if (!net) throw new Error(`"${cidr}" is not a network such as 10.20.0.0/16`);
    list.addSubnet(...net);
  }
  return list;
}

const refusedLists = REFUSED.map((r) => ({ ...r, list: blockListOf([r.cidr]) }));

/**
 * The rule one process applies. BlockList matches IPv4-mapped IPv6 addresses (::ffff:10.0.0.1)
 * against the IPv4 ranges, so those are covered too.
 */
export class TargetPolicy {
  private readonly allowed: BlockList | null;

  constructor(readonly allowance: PrivateTargetsAllowance = false) {
    this.allowed = Array.isArray(allowance) ? blockListOf(allowance) : null;
  }

  get allowsEverything(): boolean {
    return this.allowance === true;
  }

  /** Why `address` (an IP) may not be a target, or null. */
  addressProblem(address: string): string | null {
    if (this.allowance === true) return null;
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    const refused = refusedLists.find((r) => r.list.check(address, family));
    if (!refused || this.allowed?.check(address, family)) return null;
    return `${address} is a ${refused.what}; an operator allows such targets with webhooks.allowPrivateTargets in the config`;
  }

  /**
   * Why `url` may not be a target, judged without DNS: its host when it is an IP literal, and names
   * that are the local machine by definition (localhost, *.localhost; RFC 6761). Other names are
   * checked at delivery, on what they resolve to.
   */
  urlProblem(url: string | URL): string | null {
    const host = hostOf(url);
    if (isIP(host) !== 0) return this.addressProblem(host);
    if (host === 'localhost' || host.endsWith('.localhost')) {
      const problem = this.addressProblem('127.0.0.1');
      return problem && `${host} is the local machine (${problem.replace(/^127\.0\.0\.1 is /, '')})`;
    }
    return null;
  }

  /**
   * A DNS lookup for the HTTP agent that drops refused addresses from the answer, and fails when none
   * is left: the connection is never opened to a refused address.
   */
  lookup(resolve: LookupFunction = dns.lookup): LookupFunction {
    return (hostname, options, callback) => {
      resolve(hostname, { ...options, all: true }, (err, answer) => {
        if (err) return callback(err, '', 0);
        const addresses = (answer as unknown as dns.LookupAddress[]).filter((a) => this.addressProblem(a.address) === null);
        if (addresses.length === 0) {
          const first = (answer as unknown as dns.LookupAddress[])[0];
          const problem = first ? this.addressProblem(first.address) : null;
          const e = Object.assign(new Error(`webhook target refused: ${hostname} resolves only to refused addresses${problem ? `; ${problem}` : ''}`), { code: 'ERR_WEBHOOK_TARGET_REFUSED' });
          return callback(e, '', 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      });
    };
  }
}

/** The host of a URL without IPv6 brackets. */
function hostOf(url: string | URL): string {
  return (typeof url === 'string' ? new URL(url) : url).hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}

/** The URL as listings show it: a password (or a lone user name, often a token) replaced by ***. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  if (!u.username && !u.password) return url;
  if (u.password) u.password = '***';
  else u.username = '***';
  return u.toString();
}

/** What a request needs: the URL without credentials, and their Basic authorization header. */
export function requestTarget(url: string): { url: string; authorization: string | null } {
  const u = new URL(url);
  if (!u.username && !u.password) return { url, authorization: null };
  const credentials = `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`;
  u.username = '';
  u.password = '';
  return { url: u.toString(), authorization: `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}` };
}
