// Which address the client used for this server: answers that name the server (imopenlines.config.path.get,
// the token endpoint's client_endpoint) and the URLs the server prints at start.

import type { FastifyRequest } from 'fastify';

/** A Host header that is a plain host[:port]: a name, IPv4, or a bracketed IPv6 address. */
const PLAIN_HOST = /^([A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(:\d{1,5})?$/;

/** address:port, with an IPv6 address in brackets. */
export function hostWithPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** host[:port] the client addressed: the Host header when it is a plain host[:port], else the listening socket. */
export function requestHost(request: FastifyRequest): string | undefined {
  const host = request.headers.host;
  if (typeof host === 'string' && PLAIN_HOST.test(host)) return host;
  const { localAddress, localPort } = request.socket;
  return localAddress && localPort ? hostWithPort(localAddress, localPort) : undefined;
}

/** scheme://host[:port] the client addressed. */
export function requestOrigin(request: FastifyRequest, isHttps: boolean): string | undefined {
  const host = requestHost(request);
  return host === undefined ? undefined : `${isHttps ? 'https' : 'http'}://${host}`;
}
