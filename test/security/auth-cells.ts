// The authentication matrix extended (issue 8): test/integration/auth-matrix.test.ts checks every credential ×
// every method on the plain URLs; here the same credentials go through tricked URLs and headers — dot segments,
// encoded slashes and NULs, overlong and odd user ids, letter case, doubled slashes, smuggled credentials,
// malformed Authorization headers, secrets of one kind presented as another — and the admin API. A cell is one
// request; each is expected either to pass authentication or to be refused (401/403, or 404/400 when the URL
// itself is refused). A refused cell answered otherwise is an unexpected success. The long mode adds every method
// and random mutations of valid credentials (fast-check). Sent with node:http so paths arrive byte for byte.

import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import { KNOWN_SCOPES } from '../../src/domain/directory/directory-service.js';
import { buildRegistry } from '../../src/methods/index.js';
import type { MethodDefinition } from '../../src/methods/registry.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import type { StoreKind } from '../helpers/stores.js';
import { clockReading } from '../helpers/test-clock.js';

export interface AuthCellsOptions {
  readonly store: StoreKind;
  /** Every method and random credential mutations (long mode); otherwise one method per family. */
  readonly extended: boolean;
  readonly seed: number;
  /** How many random mutations per method in the extended mode. */
  readonly mutations?: number;
}

export interface AuthCellsReport {
  cells: number;
  refusalsExpected: number;
  unexpectedSuccesses: number;
  /** Cells expected to pass that were refused, or answers of the wrong shape. */
  mismatches: number;
  readonly failures: string[];
}

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: answers are arbitrary JSON
  body: any;
  text: string;
}

/** Answers that mean the request did not get past authentication (or never named a method). */
const REFUSALS: Record<string, number[]> = {
  NO_AUTH_FOUND: [401],
  expired_token: [401],
  insufficient_scope: [403],
  WRONG_AUTH_TYPE: [403],
  ERROR_METHOD_NOT_FOUND: [404],
  NOT_FOUND: [404],
  INVALID_REQUEST: [400],
  ACCESS_DENIED: [403],
};

export function isRefusal(answer: Answer): boolean {
  const code = answer.body?.error;
  return typeof code === 'string' && (REFUSALS[code]?.includes(answer.status) ?? false);
}

/** Sends a request with the path exactly as given (no URL normalisation). */
export function sendRaw(
  base: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers['content-length'] = Buffer.byteLength(options.body);
    const req = httpRequest(
      { host: url.hostname, port: url.port, path, method: options.method ?? 'POST', headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = JSON.parse(text);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, body, text });
        });
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

interface Cell {
  readonly name: string;
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly method?: string;
  /** true: must pass authentication; false: must be refused. */
  readonly allowed: boolean;
}

const ALL_METHODS = buildRegistry().list();

/** A scope the method does not accept. */
function otherScope(method: MethodDefinition): string {
  return KNOWN_SCOPES.find((s) => !method.scopes.includes(s))!;
}

/** Flips the case of the first letter, replaces, inserts or drops one character: never the same secret. */
function breakSecret(secret: string, kind: number, at: number): string {
  const i = at % secret.length;
  const c = secret[i]!;
  switch (kind % 5) {
    case 0: {
      const letter = secret.search(/[a-z]/);
      return letter === -1
        ? `${secret}x`
        : secret.slice(0, letter) + secret[letter]!.toUpperCase() + secret.slice(letter + 1);
    }
    case 1:
      return (
        secret.slice(0, i) +
        (c === 'z' ? 'y' : c === '9' ? '8' : String.fromCharCode(c.charCodeAt(0) + 1)) +
        secret.slice(i + 1)
      );
    case 2:
      return `${secret.slice(0, i)}a${secret.slice(i)}`;
    case 3:
      return secret.slice(0, i) + secret.slice(i + 1);
    default:
      return `${secret}${encodeURIComponent(['\u0000', ' ', '/', '%', '\t'][at % 5]!)}`;
  }
}

export async function runAuthCells(options: AuthCellsOptions): Promise<AuthCellsReport> {
  const report: AuthCellsReport = {
    cells: 0,
    refusalsExpected: 0,
    unexpectedSuccesses: 0,
    mismatches: 0,
    failures: [],
  };
  const start = Date.parse('2026-11-23T10:00:00Z');
  let nowMs = start;
  const t: TestServer = await startTestServer({ store: options.store, clock: clockReading(() => nowMs) });
  try {
    const d = t.server.directory;
    const oauth = t.server.oauth;
    const operator = await d.addUser({ name: 'Operator' });
    const leaver = await d.addUser({ name: 'Leaver' });
    const code = t.webhookCode;
    const operatorHook = new URL(await t.webhookFor(operator)).pathname.split('/')[3]!;
    const revoked = await d.createWebhook({ userId: 1, scopes: ['imopenlines', 'imconnector'] });
    await d.revokeWebhook(revoked.id);
    const expiredHook = new URL(
      await t.webhookFor(1, ['imopenlines', 'imconnector'], { expiresAt: new Date(start - 1) }),
    ).pathname.split('/')[3]!;
    const leaverHook = new URL(await t.webhookFor(leaver)).pathname.split('/')[3]!;
    const app = await oauth.createApp({ name: 'Cells', scopes: [...KNOWN_SCOPES] });
    const issued = await oauth.issueToken(app.clientId, 1, 'imopenlines,imconnector');
    const token = issued.accessToken;
    const refresh = issued.refreshToken;
    const leaverToken = (await oauth.issueToken(app.clientId, leaver)).accessToken;
    nowMs = start - 2 * 3_600_000;
    const expiredToken = (await oauth.issueToken(app.clientId, 1)).accessToken;
    nowMs = start;
    const scoped = new Map<string, { hook: string; token: string }>();
    for (const scope of KNOWN_SCOPES) {
      scoped.set(scope, {
        hook: new URL(await t.webhookFor(1, [scope])).pathname.split('/')[3]!,
        token: (await oauth.issueToken(app.clientId, 1, scope)).accessToken,
      });
    }
    await t.server.store.db.updateTable('users').set({ active: 0 }).where('id', '=', leaver).execute();

    const methods = options.extended
      ? ALL_METHODS
      : ['imopenlines.config.get', 'imopenlines.config.list.get', 'imconnector.list'].map(
          (name) => ALL_METHODS.find((m) => m.name === name)!,
        );

    const cellsFor = (m: MethodDefinition): Cell[] => {
      const name = m.name;
      const hookOk = !m.appContextOnly;
      const cells: Cell[] = [];
      const hook = (cellName: string, path: string, allowed: boolean, extra: Partial<Cell> = {}) =>
        cells.push({ name: cellName, path, allowed, ...extra });
      const bearer = (cellName: string, header: string, allowed: boolean, path = `/rest/${name}`) =>
        cells.push({ name: cellName, path, headers: { authorization: header }, allowed });

      // Webhook URLs: the plain one, tolerated variants, and tricks.
      hook('plain webhook URL', `/rest/1/${code}/${name}`, hookOk);
      hook('method name in upper case', `/rest/1/${code}/${name.toUpperCase()}`, hookOk);
      hook('.json suffix', `/rest/1/${code}/${name}.json`, hookOk);
      hook('doubled slashes', `/rest//1//${code}//${name}`, hookOk);
      hook('leading zeros in the user id', `/rest/001/${code}/${name}`, hookOk);
      hook('percent-encoded method letters', `/rest/1/${code}/${name.replace(/o/g, '%6F')}`, hookOk);
      hook('dot-dot after the code', `/rest/1/${code}/../${name}`, false);
      hook('dot-dot to the bare method', `/rest/1/${code}/../x`, false);
      hook('dot-dot climbing out of a wrong code', `/rest/1/wrongcode1234567/../${code}/${name}`, false);
      hook('dot-dot climbing out of another user', `/rest/${operator}/../1/${code}/${name}`, false);
      hook('encoded dot-dot', `/rest/1/${code}/%2e%2e/${name}`, false);
      hook('single dot segment', `/rest/1/./${code}/${name}`, false);
      hook('encoded slash between id and code', `/rest/1%2F${code}/${name}`, false);
      hook('encoded slash between code and method', `/rest/1/${code}%2F${name}`, false);
      hook('double-encoded slash', `/rest/1/${code}%252F${name}`, false);
      hook('backslash separators', `/rest/1\\${code}\\${name}`, false);
      hook('wrong code', `/rest/1/wrongcode1234567/${name}`, false);
      hook('code in upper case', `/rest/1/${code.toUpperCase()}/${name}`, false);
      hook('code with a NUL appended', `/rest/1/${code}%00/${name}`, false);
      hook('code with a space prepended', `/rest/1/%20${code}/${name}`, false);
      hook('code cut short', `/rest/1/${code.slice(0, -1)}/${name}`, false);
      hook('code with ;params', `/rest/1/${code};x=1/${name}`, false);
      hook('code of another user', `/rest/${operator}/${code}/${name}`, false);
      hook('operator code under user 1', `/rest/1/${operatorHook}/${name}`, false);
      hook('overlong user id', `/rest/${'9'.repeat(30)}/${code}/${name}`, false);
      hook('user id 2^32+1 (wraps to 1 in 32 bits)', `/rest/4294967297/${code}/${name}`, false);
      hook('negative user id', `/rest/-1/${code}/${name}`, false);
      hook('user id 0', `/rest/0/${code}/${name}`, false);
      hook('user id with a plus', `/rest/+1/${code}/${name}`, false);
      hook('user id 1.0', `/rest/1.0/${code}/${name}`, false);
      hook('user id in hex', `/rest/0x1/${code}/${name}`, false);
      hook('user id in full-width digits', `/rest/%EF%BC%91/${code}/${name}`, false);
      hook('overlong code', `/rest/1/${code}${'a'.repeat(5_000)}/${name}`, false);
      hook('overlong method name', `/rest/1/${code}/${name}${'x'.repeat(300)}`, false);
      hook('extra segment after the method', `/rest/1/${code}/${name}/x`, false);
      hook('extra segment before the id', `/rest/x/1/${code}/${name}`, false);
      hook('REST in upper case', `/REST/1/${code}/${name}`, false);
      hook('through the admin prefix', `/admin/../rest/1/${code}/${name}`, false);
      hook('revoked webhook', `/rest/1/${revoked.code}/${name}`, false);
      hook('expired webhook', `/rest/1/${expiredHook}/${name}`, false);
      hook('webhook of an inactive user', `/rest/${leaver}/${leaverHook}/${name}`, false);
      hook('webhook without the scope', `/rest/1/${scoped.get(otherScope(m))!.hook}/${name}`, false);
      hook('wrong path code, valid aplogin/ap', `/rest/1/wrongcode1234567/${name}`, false, {
        body: { aplogin: '1', ap: code },
      });
      hook('valid aplogin/ap in the query', `/rest/${name}?aplogin=1&ap=${code}`, hookOk);
      hook('aplogin of another user with a valid ap', `/rest/${name}?aplogin=${operator}&ap=${code}`, false);
      hook('ap as an array', `/rest/${name}?aplogin=1&ap[]=${code}`, false);
      hook('access token in the webhook code slot', `/rest/1/${token}/${name}`, false);

      // Tokens: header forms, parameters, and secrets of other kinds.
      bearer('bearer token', `Bearer ${token}`, true);
      bearer('bearer in lower case', `bearer ${token}`, true);
      bearer('bearer with trailing garbage', `Bearer ${token} x`, false);
      bearer('bearer with a changed letter', `Bearer ${token.slice(0, -1)}${token.endsWith('a') ? 'b' : 'a'}`, false);
      bearer('bearer in upper case', `Bearer ${token.toUpperCase()}`, false);
      bearer('bearer cut short', `Bearer ${token.slice(0, 20)}`, false);
      bearer('refresh token as access token', `Bearer ${refresh}`, false);
      bearer('client secret as access token', `Bearer ${app.clientSecret}`, false);
      bearer('client id as access token', `Bearer ${app.clientId}`, false);
      bearer('webhook code as access token', `Bearer ${code}`, false);
      bearer('Basic scheme', `Basic ${Buffer.from(`1:${code}`).toString('base64')}`, false);
      bearer('expired token', `Bearer ${expiredToken}`, false);
      bearer('token of an inactive user', `Bearer ${leaverToken}`, false);
      bearer('token without the scope', `Bearer ${scoped.get(otherScope(m))!.token}`, false);
      bearer('bad bearer beats a valid webhook path', `Bearer nosuchtoken`, false, `/rest/1/${code}/${name}`);
      cells.push({ name: 'auth parameter', path: `/rest/${name}?auth=${token}`, allowed: true });
      cells.push({ name: 'auth as an array', path: `/rest/${name}?auth[]=${token}`, allowed: false });
      cells.push({ name: 'auth nested in an object', path: `/rest/${name}?auth[x]=${token}`, allowed: false });
      cells.push({ name: 'access_token empty', path: `/rest/${name}?access_token=`, allowed: false });
      cells.push({
        name: 'auth with SQL',
        path: `/rest/${name}?auth=${encodeURIComponent("' OR '1'='1")}`,
        allowed: false,
      });
      cells.push({
        name: 'auth with a LIKE wildcard',
        path: `/rest/${name}?auth=${encodeURIComponent(`${token.slice(0, 10)}%`)}`,
        allowed: false,
      });
      cells.push({ name: 'no credentials', path: `/rest/${name}`, allowed: false });
      return cells;
    };

    const judge = async (m: string, cell: Cell) => {
      const body = cell.body === undefined ? '{}' : JSON.stringify(cell.body);
      let answer: Answer;
      try {
        answer = await sendRaw(t.url, cell.path, {
          method: cell.method ?? 'POST',
          headers: { 'content-type': 'application/json', ...cell.headers },
          body,
        });
      } catch (error) {
        report.mismatches++;
        report.failures.push(`${m} / ${cell.name}: request failed ${(error as Error).message}`);
        return;
      }
      report.cells++;
      const refused = isRefusal(answer);
      if (!cell.allowed) {
        report.refusalsExpected++;
        if (!refused) {
          report.unexpectedSuccesses++;
          if (report.failures.length < 40) {
            report.failures.push(
              `${m} / ${cell.name} (${cell.path.slice(0, 120)}): ${answer.status} ${answer.text.slice(0, 200)}`,
            );
          }
        }
      } else if (refused || answer.status >= 500) {
        report.mismatches++;
        if (report.failures.length < 40) {
          report.failures.push(
            `${m} / ${cell.name} must pass authentication: ${answer.status} ${answer.text.slice(0, 200)}`,
          );
        }
      }
    };

    for (const m of methods) for (const cell of cellsFor(m)) await judge(m.name, cell);

    // The admin methods (openlines.admin.*): administrators only, with the credentials the page sends.
    const session = 'openlines.admin.session.get';
    const adminCells: Cell[] = [
      { name: 'admin webhook', path: `/rest/1/${code}/${session}`, allowed: true },
      { name: 'admin token', path: `/rest/${session}`, headers: { authorization: `Bearer ${token}` }, allowed: true },
      { name: 'non-admin webhook', path: `/rest/${operator}/${operatorHook}/${session}`, allowed: false },
      { name: 'wrong code', path: `/rest/1/wrongcode1234567/${session}`, allowed: false },
      { name: 'code of user 1 as another user', path: `/rest/${operator}/${code}/${session}`, allowed: false },
      {
        name: 'refresh token',
        path: `/rest/${session}`,
        headers: { authorization: `Bearer ${refresh}` },
        allowed: false,
      },
      {
        name: 'expired token',
        path: `/rest/${session}`,
        headers: { authorization: `Bearer ${expiredToken}` },
        allowed: false,
      },
      { name: 'no credentials', path: `/rest/${session}`, allowed: false },
      {
        name: 'history without credentials',
        path: '/rest/openlines.admin.history.get?LINE_ID=1',
        allowed: false,
      },
      {
        name: 'history, non-admin',
        path: `/rest/${operator}/${operatorHook}/openlines.admin.history.get?LINE_ID=1`,
        allowed: false,
      },
      {
        name: 'session through a dot-dot',
        path: `/admin/x/../../rest/1/wrongcode1234567/${session}`,
        allowed: false,
      },
    ];
    for (const cell of adminCells) await judge('admin', { ...cell, method: 'GET' });

    if (options.extended) {
      // Random breakage of each valid secret in each slot: never accepted.
      const mutations = options.mutations ?? 60;
      for (const m of methods) {
        const samples = fc.sample(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('path', 'bearer', 'auth', 'ap')), {
          numRuns: mutations,
          seed: options.seed + m.name.length,
        });
        for (const [kind, at, slot] of samples) {
          const broken = breakSecret(slot === 'path' || slot === 'ap' ? code : token, kind, at);
          const cell: Cell =
            slot === 'path'
              ? { name: `broken code ${broken}`, path: `/rest/1/${broken}/${m.name}`, allowed: false }
              : slot === 'ap'
                ? { name: `broken ap ${broken}`, path: `/rest/${m.name}?aplogin=1&ap=${broken}`, allowed: false }
                : slot === 'auth'
                  ? { name: `broken auth ${broken}`, path: `/rest/${m.name}?auth=${broken}`, allowed: false }
                  : {
                      name: `broken bearer ${broken}`,
                      path: `/rest/${m.name}`,
                      headers: { authorization: `Bearer ${broken}` },
                      allowed: false,
                    };
          await judge(m.name, cell);
        }
      }
    }
    return report;
  } finally {
    await t.close();
  }
}
