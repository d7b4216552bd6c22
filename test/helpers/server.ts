// Starts a real openlines server on loopback ports with a fresh store, for one test file or one test.
// STORES lists the stores every integration suite runs against (narrow with OPENLINES_TEST_STORES=sqlite).

import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Clock } from '../../src/clock.js';
import type { CallGuards } from '../../src/rest/call-guards.js';
import { type RunningServer, startServer } from '../../src/server.js';
import { loadSettings, type Settings } from '../../src/settings.js';
import { createTestDatabase, type StoreKind } from './stores.js';

export { STORES, type StoreKind } from './stores.js';

export interface TestServerOptions {
  readonly store?: StoreKind;
  readonly settings?: Partial<Settings>;
  readonly guards?: CallGuards;
  readonly clock?: Clock;
  /** Serve HTTPS too (off by default: certificate generation costs time). */
  readonly https?: boolean;
  /** The event streams' keep-alive interval (real time). */
  readonly streamHeartbeatMs?: number;
}

export interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes
  body: any;
}

export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  /** Base URL of user 1's webhook, ending in "/": `${hook}imopenlines.config.add`. */
  readonly hook: string;
  readonly webhookCode: string;
  /** POSTs JSON to the webhook (or `path` relative to the server) and parses the answer. */
  call(
    method: string,
    params?: unknown,
    init?: { headers?: Record<string, string>; hook?: string },
  ): Promise<CallResult>;
  request(path: string, init?: RequestInit): Promise<CallResult>;
  /** A new webhook URL for a user, e.g. one with other scopes. */
  webhookFor(userId: number, scopes?: string[], options?: { strict?: boolean; expiresAt?: Date }): Promise<string>;
  close(): Promise<void>;
}

export async function parseAnswer(response: Response): Promise<CallResult> {
  // An event stream (openlines.workplace.stream) never ends: its first chunk is the answer.
  if (response.headers.get('content-type')?.startsWith('text/event-stream') && response.body) {
    const reader = response.body.getReader();
    const first = await reader.read();
    await reader.cancel();
    const text = first.value ? new TextDecoder().decode(first.value) : '';
    return { status: response.status, headers: response.headers, text, body: undefined };
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-test-'));
  const database = await createTestDatabase(options.store ?? 'sqlite', dataDir);
  const settings: Settings = {
    ...loadSettings({}, { data: dataDir, database: database.url }),
    port: 0,
    httpsPort: options.https ? 0 : -1,
    ratePlan: 'off',
    logLevel: 'silent',
    ...options.settings,
  };
  const server = await startServer(settings, {
    logger: pino({ level: process.env.OPENLINES_TEST_LOG ?? 'silent' }),
    ...(options.guards ? { guards: options.guards } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.streamHeartbeatMs !== undefined ? { streamHeartbeatMs: options.streamHeartbeatMs } : {}),
  });
  if (!server.firstWebhook) throw new Error('a fresh store must create the first webhook');
  const { code } = server.firstWebhook;
  const url = server.httpUrl;
  const hook = `${url}/rest/1/${code}/`;
  const request = async (path: string, init?: RequestInit) =>
    parseAnswer(await fetch(path.startsWith('http') ? path : `${url}${path}`, init));
  return {
    server,
    url,
    hook,
    webhookCode: code,
    request,
    call: (method, params = {}, init = {}) =>
      request(`${init.hook ?? hook}${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...init.headers },
        body: JSON.stringify(params),
      }),
    async webhookFor(userId, scopes = ['imopenlines', 'imconnector', 'im'], hookOptions = {}) {
      const created = await server.directory.createWebhook({
        userId,
        scopes,
        strict: hookOptions.strict ?? false,
        expiresAt: hookOptions.expiresAt ?? null,
      });
      return `${url}/rest/${userId}/${created.code}/`;
    },
    async close() {
      await server.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A request with headers fetch refuses to send (Connection: Upgrade, h2c), through node:http. */
export function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? 'POST', headers: options.headers ?? {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
        let body: unknown;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers, text, body });
      });
    });
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}
