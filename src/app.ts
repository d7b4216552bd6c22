// buildApp(deps): wires the Fastify plugins in order; no logic.

import Fastify, { type FastifyInstance, type FastifyServerOptions, LogController } from 'fastify';
import type { Logger } from 'pino';
import { collapseTokenPathSlashes } from './http/oauth-routes.js';
import { sendError } from './http/reply.js';
import { logRequests } from './http/request-log.js';
import { registerRestRoutes } from './http/rest-routes.js';
import { answerFailure } from './rest/failure.js';
import type { RestEndpoint } from './rest/rest-endpoint.js';
import { RestError } from './wire/errors.js';
import { MAX_BODY_BYTES } from './wire/limits.js';

export interface AppDeps {
  readonly endpoint: RestEndpoint;
  /** How often an open event stream sends a keep-alive comment (default 15 s). */
  readonly streamHeartbeatMs?: number;
  readonly logger: Logger;
  readonly requireHttps: boolean;
  /** Fastify's trustProxy: whose X-Forwarded-For gives request.ip (settings.trustProxy). */
  readonly trustProxy?: boolean | string;
  /** Time to receive a whole request, headers and body (settings.requestTimeoutSeconds); default 60 s. */
  readonly requestTimeoutMs?: number;
  /** Extra routes (admin page, OAuth endpoints) registered by their own modules. */
  readonly plugins?: readonly ((app: FastifyInstance, ctx: { isHttps: boolean }) => void | Promise<void>)[];
}

export interface ListenerOptions {
  readonly https?: { key: string; cert: string };
}

/** The longest path parameter the router takes (e.g. /admin/:file), decoded. */
const MAX_PARAM_LENGTH = 2048;

export async function buildApp(deps: AppDeps, listener: ListenerOptions = {}): Promise<FastifyInstance> {
  const isHttps = listener.https !== undefined;
  const requestTimeoutMs = deps.requestTimeoutMs ?? 60_000;
  // Slow clients (slowloris: headers or a body trickling in) are cut off with 408 once the request timeout is
  // over; Node checks for them every connectionsCheckingInterval, so that is a fraction of the timeout.
  const nodeServer = {
    headersTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(requestTimeoutMs / 4))),
  };
  const options: FastifyServerOptions = {
    loggerInstance: deps.logger,
    // Requests are logged once, by the onResponse hook, with secrets masked.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    // The query string is parsed by the REST layer with PHP rules.
    routerOptions: { querystringParser: () => ({}), maxParamLength: MAX_PARAM_LENGTH },
    requestTimeout: requestTimeoutMs,
    connectionTimeout: 60_000,
    keepAliveTimeout: 10_000,
    maxRequestsPerSocket: 0,
    return503OnClosing: true,
    requestIdHeader: false,
    // What the router refuses before any route runs (a path segment over maxParamLength, a URL it cannot decode)
    // gets the REST error envelope like everything else, not Fastify's own body echoing the URL.
    frameworkErrors: (error, _request, reply) =>
      sendError(
        reply,
        'json',
        new RestError(
          'INVALID_REQUEST',
          error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? `A path segment is longer than ${MAX_PARAM_LENGTH} characters`
            : 'The request URL could not be read',
        ),
      ),
    trustProxy: deps.trustProxy ?? false,
    // Routing needs the token path whole; REST paths take empty segments themselves (parseRestPath).
    rewriteUrl: (request) => collapseTokenPathSlashes(request.url ?? '/'),
  };
  const app = (listener.https
    ? Fastify({ ...options, https: { ...nodeServer, ...listener.https } } as FastifyServerOptions)
    : Fastify({ ...options, http: nodeServer } as FastifyServerOptions)) as unknown as FastifyInstance;

  // Bodies are read raw and parsed by the REST layer (JSON, form and multipart alike).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY_BYTES }, (_req, body, done) =>
    done(null, body),
  );

  logRequests(app);

  app.setErrorHandler((error: { code?: string; statusCode?: number }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendError(
        reply,
        'json',
        new RestError('PAYLOAD_TOO_LARGE', `Request body is larger than ${MAX_BODY_BYTES} bytes`),
      );
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(reply, 'json', new RestError('INVALID_REQUEST', 'The request could not be read'));
    }
    return sendError(reply, 'json', answerFailure(error, request.log, { reqId: request.id }));
  });

  app.setNotFoundHandler((_request, reply) => sendError(reply, 'json', new RestError('NOT_FOUND')));

  registerRestRoutes(app, {
    endpoint: deps.endpoint,
    isHttps,
    requireHttps: deps.requireHttps,
    ...(deps.streamHeartbeatMs !== undefined ? { streamHeartbeatMs: deps.streamHeartbeatMs } : {}),
  });
  for (const plugin of deps.plugins ?? []) await plugin(app, { isHttps });
  return app;
}
