// /admin/: the operators' web page (static files from src/admin) and its small API next to the REST API:
//   GET /admin/api/catalogue        the browser-safe projection of the field catalogue (no credentials needed)
//   GET /admin/api/session          who the credential is (admins only)
//   GET /admin/api/history?line=ID  revisions, newest first, with limit/offset (admins only)
// Credentials as the page keeps them: `Authorization: Bearer <OAuth token>` or `Authorization: Webhook <user>:<code>`.
// Lines themselves are read and written through the real REST API (/rest/…), like any client.

import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../domain/caller.js';
import type { Credentials } from '../rest/authenticate.js';
import { RestError } from '../wire/errors.js';
import { encodePhpJson } from '../wire/php-json.js';
import { sendError } from './reply.js';

export interface AdminApi {
  readonly portalName: string;
  catalogue(): unknown;
  authenticate(credentials: Credentials): Promise<Caller>;
  history(query: {
    lineId: number | null;
    limit: number;
    offset: number;
  }): Promise<{ revisions: unknown[]; total: number }>;
}

export interface AdminRouteOptions {
  /** Folder of the page's files; found next to this module (src/http → src/admin, dist/http → src/admin). */
  readonly directory?: string;
  readonly requireHttps?: boolean;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
};

const FILE_NAME = /^[a-z0-9][a-z0-9-]*\.(html|css|js|svg|ico)$/;

// The page runs only its own files and talks only to this origin.
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/**
 * The admin page's folder: src/admin next to the sources, also when running the compiled dist/ (dist/http/) or
 * the bundle (dist/openlines.mjs).
 */
export function adminDirectory(): string {
  const candidates = [
    new URL('../admin/', import.meta.url),
    new URL('../../src/admin/', import.meta.url),
    new URL('../src/admin/', import.meta.url),
  ];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(join(path, 'index.html'))) return path;
  }
  throw new Error('the admin page files (src/admin/index.html) were not found');
}

/** Credentials from the Authorization header; undefined when there are none. */
export function adminCredentials(header: string | undefined): Credentials | undefined {
  if (typeof header !== 'string') return undefined;
  const bearer = /^Bearer\s+(\S+)$/i.exec(header);
  if (bearer) return { token: bearer[1]! };
  const webhook = /^Webhook\s+(\d{1,10}):(\S{1,128})$/i.exec(header);
  if (webhook) return { webhook: { userId: webhook[1]!, code: webhook[2]! } };
  return undefined;
}

function sendJson(reply: FastifyReply, body: unknown) {
  reply.header('Cache-Control', 'no-store');
  return reply.code(200).type('application/json; charset=utf-8').send(encodePhpJson(body));
}

function queryOf(request: FastifyRequest): URLSearchParams {
  const url = request.raw.url ?? '';
  const at = url.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
}

function nonNegative(params: URLSearchParams, name: string, fallback: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw new RestError('INVALID_FORMAT', `A non-negative integer is expected in '${name}'`);
  return Number(raw);
}

export function adminRoutes(api: AdminApi, options: AdminRouteOptions = {}) {
  return async (app: FastifyInstance, ctx: { isHttps: boolean }): Promise<void> => {
    const directory = options.directory ?? adminDirectory();
    const files = new Set(readdirSync(directory).filter((name) => FILE_NAME.test(name)));

    const serveFile = async (name: string, reply: FastifyReply) => {
      if (!files.has(name)) return reply.callNotFound();
      const body = await readFile(join(directory, name));
      reply.headers(PAGE_HEADERS);
      return reply
        .code(200)
        .type(CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)]!)
        .send(body);
    };

    /** The caller behind the request, refused unless it is a portal administrator with scope imopenlines. */
    const admin = async (request: FastifyRequest): Promise<Caller> => {
      if (options.requireHttps && !ctx.isHttps) throw new RestError('INVALID_REQUEST');
      const credentials = adminCredentials(request.headers.authorization);
      if (!credentials) throw new RestError('NO_AUTH_FOUND');
      const caller = await api.authenticate(credentials);
      if (!caller.scopes.has('imopenlines')) throw new RestError('insufficient_scope');
      if (!caller.isAdmin) throw new RestError('ACCESS_DENIED', 'Only portal administrators may use the admin page');
      return caller;
    };

    const apiRoute = (work: (request: FastifyRequest) => Promise<unknown>) => {
      return async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          return sendJson(reply, await work(request));
        } catch (error) {
          if (error instanceof RestError) return sendError(reply, 'json', error);
          throw error;
        }
      };
    };

    app.get('/admin', (_request, reply) => reply.redirect('/admin/', 301));
    app.get('/admin/', (_request, reply) => serveFile('index.html', reply));
    app.get<{ Params: { file: string } }>('/admin/:file', (request, reply) => serveFile(request.params.file, reply));

    app.get(
      '/admin/api/catalogue',
      apiRoute(async () => ({ result: api.catalogue() })),
    );
    app.get(
      '/admin/api/session',
      apiRoute(async (request) => {
        const caller = await admin(request);
        return {
          result: {
            USER_ID: caller.userId,
            AUTH_KIND: caller.authKind,
            IS_ADMIN: caller.isAdmin,
            STRICT: caller.strict,
            PORTAL: api.portalName,
          },
        };
      }),
    );
    app.get(
      '/admin/api/history',
      apiRoute(async (request) => {
        await admin(request);
        const query = queryOf(request);
        const line = query.get('line');
        let lineId: number | null = null;
        if (line !== null && line !== '') {
          if (!/^\d{1,10}$/.test(line) || Number(line) <= 0) throw new RestError('CONFIG_ID_EMPTY');
          lineId = Number(line);
        }
        const limit = nonNegative(query, 'limit', 50);
        const offset = nonNegative(query, 'offset', 0);
        const { revisions, total } = await api.history({ lineId, limit, offset });
        return { result: revisions, total };
      }),
    );
  };
}
