// Where event handlers may point (DECISIONS.md "The line at work": a setting limits handler destinations to
// listed hosts or networks; default any, as the reference). A rule is a host name (`hooks.example.com`), a
// wildcard for its subdomains (`*.example.com`), an IP address or a CIDR network (`10.0.0.0/8`, `fd00::/8`).
// Names are compared as written in the handler URL and never resolved: a listed name is trusted wherever DNS
// points it, and a network matches only handler URLs that name an address in it.

import { BlockList, isIP } from 'node:net';

export interface HandlerHosts {
  /** The rules as given, for messages; empty = any destination. */
  readonly rules: readonly string[];
  /** Whether a handler URL's host is an allowed destination. */
  allows(handler: string): boolean;
}

export class HandlerHostsError extends Error {}

const HOST_NAME = /^(\*\.)?([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i;

/** Parses `EVENT_HANDLER_HOSTS`: rules separated by commas or spaces; empty or `*` = any. */
export function parseHandlerHosts(raw: string): HandlerHosts {
  const rules = raw
    .split(/[\s,]+/)
    .map((r) => r.trim().toLowerCase())
    .filter((r) => r !== '');
  if (rules.length === 0 || (rules.length === 1 && rules[0] === '*')) return { rules: [], allows: () => true };
  const networks = new BlockList();
  const names = new Set<string>();
  const suffixes: string[] = [];
  for (const rule of rules) {
    const slash = rule.indexOf('/');
    const address = slash === -1 ? rule : rule.slice(0, slash);
    const family = isIP(address);
    if (family !== 0) {
      const type = family === 4 ? 'ipv4' : 'ipv6';
      if (slash === -1) {
        networks.addAddress(address, type);
        continue;
      }
      const prefix = rule.slice(slash + 1);
      const max = family === 4 ? 32 : 128;
      if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) {
        throw new HandlerHostsError(`'${rule}' is not a network: the prefix must be 0 to ${max}`);
      }
      networks.addSubnet(address, Number(prefix), type);
    } else if (slash === -1 && HOST_NAME.test(rule)) {
      if (rule.startsWith('*.')) suffixes.push(rule.slice(1).replace(/\.$/, ''));
      else names.add(rule.replace(/\.$/, ''));
    } else {
      throw new HandlerHostsError(`'${rule}' is neither a host name, *.domain, an address nor a network (CIDR)`);
    }
  }
  return {
    rules,
    allows(handler: string): boolean {
      let host: string;
      try {
        host = new URL(handler).hostname.toLowerCase();
      } catch {
        return false;
      }
      const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
      const family = isIP(bare);
      if (family !== 0) return networks.check(bare, family === 4 ? 'ipv4' : 'ipv6');
      const name = bare.replace(/\.$/, '');
      return names.has(name) || suffixes.some((suffix) => name.endsWith(suffix));
    },
  };
}
