// Graceful behaviour of a real `openlines serve` process (issue 8):
// - SIGTERM while a request is in flight: the request still gets its complete answer, then the process closes
//   the store and exits 0 (SQLite: the WAL is checkpointed away; the writes are all there);
// - PostgreSQL stopped under a running server: every request gets a clear 503 STORE_UNAVAILABLE, the process
//   stays up, and it serves again once PostgreSQL is back.
// "In flight" is made exact with `Expect: 100-continue`: the server answers 100 once it has read the request's
// headers, and the body is sent only after SIGTERM has been received (the process prints it).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../src/store/open-store.js';
import { startServeProcess } from '../helpers/server-process.js';
import { createTestDatabase, postgresCluster, STORES } from '../helpers/stores.js';

interface RawAnswer {
  status: number;
  headers: string;
  body: string;
}

/** Waits until `predicate` holds, polling; bounded. */
async function until(predicate: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Sends a POST in two steps: headers with `Expect: 100-continue`, then — after `between()` — the body. Resolves
 * with the whole answer once the server closes the connection.
 */
async function postInTwoSteps(
  url: string,
  path: string,
  body: string,
  between: () => Promise<void>,
): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  let received = '';
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('utf8');
  });
  const closed = new Promise<void>((resolve, reject) => {
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
  socket.write(
    [
      `POST ${path} HTTP/1.1`,
      `Host: ${hostname}:${port}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Expect: 100-continue',
      'Connection: close',
      '',
      '',
    ].join('\r\n'),
  );
  await until(() => received.includes('100 Continue'), 'the 100 Continue');
  received = received.slice(received.indexOf('\r\n\r\n') + 4);
  await between();
  socket.write(body);
  await closed;
  const split = received.indexOf('\r\n\r\n');
  const headers = received.slice(0, split);
  let payload = received.slice(split + 4);
  if (/transfer-encoding: chunked/i.test(headers)) {
    // De-chunk: size line, data, CRLF.
    let out = '';
    let rest = payload;
    for (;;) {
      const lineEnd = rest.indexOf('\r\n');
      const size = Number.parseInt(rest.slice(0, lineEnd), 16);
      if (!size) break;
      out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
      rest = rest.slice(lineEnd + 2 + size + 2);
    }
    payload = out;
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headers)?.[1]), headers, body: payload };
}

for (const store of STORES) {
  describe(`graceful shutdown [${store}]`, () => {
    it('SIGTERM during a batch of 50 adds: the answer arrives complete, then the store closes and the exit is 0', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'openlines-graceful-'));
      const database = await createTestDatabase(store, dataDir);
      const server = await startServeProcess({ databaseUrl: database.url, dataDir });
      try {
        const hookPath = new URL(server.firstHook!).pathname;
        const cmd = Array.from({ length: 50 }, (_, i) => `imopenlines.config.add?PARAMS[LINE_NAME]=Graceful%20${i}`);
        const answer = await postInTwoSteps(server.url, `${hookPath}batch`, JSON.stringify({ cmd }), async () => {
          process.kill(server.pid, 'SIGTERM');
          await until(() => server.output().includes('SIGTERM received'), 'the server to start closing');
        });
        assert.equal(answer.status, 200, `${answer.headers}\n${answer.body}\n${server.output()}`);
        const result = JSON.parse(answer.body).result;
        assert.deepEqual(
          result.result,
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        assert.deepEqual(result.result_error, []);
        const exit = await server.exited;
        assert.deepEqual(exit, { code: 0, signal: null }, server.output());

        if (store === 'sqlite') {
          // A clean close checkpoints the WAL into the database file and removes it.
          const wal = `${dataDir}/openlines.db-wal`;
          assert.ok(!existsSync(wal) || statSync(wal).size === 0, 'the WAL is checkpointed on close');
        }
        const reopened = await openStore(database.url, { migrate: false });
        try {
          const names = await reopened.db.selectFrom('lines').select('line_name').orderBy('id').execute();
          assert.deepEqual(
            names.map((n) => n.line_name),
            Array.from({ length: 50 }, (_, i) => `Graceful ${i}`),
          );
        } finally {
          await reopened.close();
        }
      } finally {
        await server.kill('SIGKILL');
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
}

describe('PostgreSQL stopped under a running server', {
  skip: STORES.includes('postgres') ? false : 'OPENLINES_TEST_STORES excludes postgres',
}, () => {
  it('each request gets 503 STORE_UNAVAILABLE, the process stays up, and it recovers when PostgreSQL returns', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'openlines-pg-down-'));
    const database = await createTestDatabase('postgres', dataDir);
    const cluster = await postgresCluster();
    // The default rate plan: the request-rate bucket lives in PostgreSQL too, so it is the first to fail.
    const server = await startServeProcess({ databaseUrl: database.url, dataDir, env: { RATE_PLAN: 'enterprise' } });
    const base = `${server.url}${new URL(server.firstHook!).pathname}`;
    const post = async (path: string, body: unknown) => {
      const response = await fetch(path.startsWith('http') ? path : `${server.url}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text) };
    };
    let paused = false;
    try {
      const added = await post(`${base}imopenlines.config.add`, { PARAMS: { LINE_NAME: 'Before the outage' } });
      assert.equal(added.status, 200, added.text);

      cluster.pause();
      paused = true;
      const calls: [string, unknown][] = [
        [`${base}imopenlines.config.get`, { CONFIG_ID: added.body.result }],
        [`${base}imopenlines.config.add`, { PARAMS: { LINE_NAME: 'During the outage' } }],
        [`${base}imopenlines.config.list.get`, {}],
        [`${base}batch`, { cmd: ['imopenlines.config.get?CONFIG_ID=1'] }],
        ['/rest/imopenlines.config.get', { auth: 'sometoken', CONFIG_ID: 1 }],
        ['/oauth/token/', { grant_type: 'refresh_token', client_id: 'x', client_secret: 'y', refresh_token: 'z' }],
      ];
      for (let round = 0; round < 3; round++) {
        for (const [path, body] of calls) {
          const answer = await post(path, body);
          assert.equal(answer.status, 503, `${path}: ${answer.text}`);
          assert.deepEqual(answer.body, {
            error: 'STORE_UNAVAILABLE',
            error_description: 'The store is temporarily unavailable, try again later',
          });
        }
      }
      const hook = new URL(server.firstHook!).pathname.split('/');
      const admin = await fetch(`${server.url}/rest/${hook[2]}/${hook[3]}/openlines.admin.session.get`);
      assert.equal(admin.status, 503, await admin.text());
      assert.ok(server.isRunning(), 'the server is still up');

      cluster.resume();
      paused = false;
      // The pool replaces its broken connections on the next queries: a few attempts at most.
      let got: { status: number; text: string; body: { result?: { LINE_NAME?: string } } } | undefined;
      for (let attempt = 0; attempt < 200; attempt++) {
        got = await post(`${base}imopenlines.config.get`, { CONFIG_ID: added.body.result });
        if (got.status === 200) break;
        assert.equal(got.status, 503, got.text);
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(got?.status, 200, got?.text);
      assert.equal(got?.body.result?.LINE_NAME, 'Before the outage');
      const after = await post(`${base}imopenlines.config.add`, { PARAMS: { LINE_NAME: 'After the outage' } });
      assert.equal(after.status, 200, after.text);
      const listed = await post(`${base}imopenlines.config.list.get`, { PARAMS: { select: ['LINE_NAME'] } });
      assert.deepEqual(
        listed.body.result.map((l: { LINE_NAME: string }) => l.LINE_NAME),
        ['Before the outage', 'After the outage'],
      );
      assert.ok(!/"level":(50|60)/.test(server.output()), `no internal error logged:\n${server.output()}`);
    } finally {
      if (paused) cluster.resume();
      await server.kill('SIGTERM');
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
