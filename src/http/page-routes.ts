// /admin/: the operators' web page, static files from src/admin. The page has no API of its own: it calls the
// REST API (/rest/…) like any client, imopenlines.config.* for lines and openlines.admin.* for the rest.

import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

export interface PageRouteOptions {
  /** Folder of the page's files; found next to this module (src/http → src/admin, dist/http → src/admin). */
  readonly directory?: string;
}

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
};

export const FILE_NAME = /^[a-z0-9][a-z0-9-]*\.(html|css|js|svg|ico)$/;

// The page runs only its own files and talks only to this origin.
export const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-cache',
};

/**
 * A page's folder (src/admin, src/chat) next to the sources, also when running the compiled dist/ (dist/http/) or
 * the bundle (dist/openlines.mjs).
 */
export function pagesDirectory(name: 'admin' | 'chat' | 'operator'): string {
  const candidates = [
    new URL(`../${name}/`, import.meta.url),
    new URL(`../../src/${name}/`, import.meta.url),
    new URL(`../src/${name}/`, import.meta.url),
  ];
  for (const candidate of candidates) {
    const path = fileURLToPath(candidate);
    if (existsSync(join(path, 'index.html'))) return path;
  }
  throw new Error(`the ${name} page files (src/${name}/index.html) were not found`);
}

/** The admin page's folder. */
export function adminDirectory(): string {
  return pagesDirectory('admin');
}

export function pageRoutes(options: PageRouteOptions = {}) {
  return async (app: FastifyInstance): Promise<void> => {
    await servePage(app, 'admin', options.directory ?? adminDirectory());
    // The operators' workplace: its own files; it loads the admin page's modules and stylesheet (../admin/).
    await servePage(app, 'operator', pagesDirectory('operator'));
  };
}

async function servePage(app: FastifyInstance, name: string, directory: string): Promise<void> {
  const files = new Set(readdirSync(directory).filter((file) => FILE_NAME.test(file)));

  const serveFile = async (file: string, reply: FastifyReply) => {
    if (!files.has(file)) return reply.callNotFound();
    const body = await readFile(join(directory, file));
    reply.headers(PAGE_HEADERS);
    return reply
      .code(200)
      .type(CONTENT_TYPES[file.slice(file.lastIndexOf('.') + 1)]!)
      .send(body);
  };

  app.get(`/${name}`, (_request, reply) => reply.redirect(`/${name}/`, 301));
  app.get(`/${name}/`, (_request, reply) => serveFile('index.html', reply));
  app.get<{ Params: { file: string } }>(`/${name}/:file`, (request, reply) => serveFile(request.params.file, reply));
}
