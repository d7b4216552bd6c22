// One log line per request, written when the answer has gone out, with secrets masked.

import type { FastifyInstance } from 'fastify';

/** The URL with secrets masked, for logs: webhook codes and auth tokens are never logged. */
export function maskUrl(url: string): string {
  const [path = '', query] = url.split('?', 2);
  const maskedPath = path.replace(/^(\/rest\/+[^/]+\/+)[^/]+(?=\/)/, '$1***');
  if (query === undefined) return maskedPath;
  const maskedQuery = query.replace(/(^|&)(auth|access_token|ap|refresh_token|client_secret|code)=[^&]*/gi, '$1$2=***');
  return `${maskedPath}?${maskedQuery}`;
}

export function logRequests(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: maskUrl(request.raw.url ?? ''),
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });
}
