// `openlines app …` and `openlines token …` run as real processes against a data folder; a server on the same
// store then accepts what they printed (a token, a code exchanged at /oauth/token/) and refuses it once the
// application is removed.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { startServer } from '../../src/server.js';
import { loadSettings } from '../../src/settings.js';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

async function cli(dataDir: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...CLI, ...args], {
      env: { ...process.env, OPENLINES_DATA: dataDir, DATABASE_URL: '', PORT: '', HOST: '127.0.0.1', PUBLIC_URL: '' },
      // Generous: each command is a whole Node process with tsx, and test files run side by side.
      timeout: 180_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('openlines app / token commands', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-cli-oauth-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('create an app, issue a token and a code, use them over HTTP, remove the app', async () => {
    const created = await cli(dataDir, [
      'app',
      'create',
      '--name',
      'Connector',
      '--scope',
      'imopenlines,imconnector',
      '--redirect-uri',
      'https://app.example/callback',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const app = JSON.parse(created.stdout);
    assert.deepEqual(Object.keys(app), ['client_id', 'client_secret', 'application_token']);
    assert.match(app.application_token, /^[0-9a-f]{32}$/);
    assert.match(app.client_id, /^local\.[0-9a-f]{14}\.\d{8}$/);

    // Independent commands run side by side: each is a whole Node process.
    const [listed, issued, coded, ...refusals] = await Promise.all([
      cli(dataDir, ['app', 'list']),
      cli(dataDir, ['token', 'issue', '--app', app.client_id, '--user', '1', '--scope', 'imopenlines']),
      cli(dataDir, ['token', 'code', '--app', app.client_id, '--user', '1']),
      cli(dataDir, ['token', 'issue', '--app', app.client_id, '--user', '1', '--scope', 'imbot']),
    ]);
    assert.equal(listed!.code, 0, listed!.stderr);
    assert.match(
      listed!.stdout,
      new RegExp(
        `${app.client_id.replace(/\./g, '\\.')}\\tConnector\\timopenlines,imconnector\\tN\\thttps://app.example/callback\\t`,
      ),
    );
    assert.ok(!listed!.stdout.includes(app.client_secret), 'the secret is never shown again');

    assert.equal(issued!.code, 0, issued!.stderr);
    const token = JSON.parse(issued!.stdout);
    assert.equal(token.scope, 'imopenlines');
    assert.equal(token.user_id, 1);
    assert.equal(token.expires_in, 3600);
    assert.equal(token.client_endpoint, 'http://127.0.0.1:8080/rest/');

    assert.equal(coded!.code, 0, coded!.stderr);
    const { code, expires_in } = JSON.parse(coded!.stdout);
    assert.equal(expires_in, 30);

    assert.deepEqual(
      refusals.map((r) => [r.code, r.stderr.trim().split('\n').at(-1)]),
      [[2, "openlines: scope 'imbot' is not among the application's scopes (imopenlines,imconnector)"]],
    );

    const settings = { ...loadSettings({ OPENLINES_DATA: dataDir }), port: 0, httpsPort: -1, ratePlan: 'off' as const };
    const server = await startServer(settings, { logger: pino({ level: 'silent' }) });
    try {
      const call = (auth: string) =>
        fetch(`${server.httpUrl}/rest/imopenlines.config.add`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ auth, PARAMS: { LINE_NAME: 'From the CLI' } }),
        });
      assert.equal((await call(token.access_token)).status, 200);
      const exchanged = await fetch(
        `${server.httpUrl}/oauth/token/?${new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: app.client_id,
          client_secret: app.client_secret,
          code,
        })}`,
      );
      assert.equal(exchanged.status, 200);
      const pair = (await exchanged.json()) as { access_token: string; scope: string };
      assert.equal(pair.scope, 'imopenlines,imconnector');
      assert.equal((await call(pair.access_token)).status, 200);

      const removed = await cli(dataDir, ['app', 'remove', app.client_id]);
      assert.equal(removed.code, 0, removed.stderr);
      assert.equal(removed.stdout, `Application ${app.client_id} removed\n`);
      for (const access of [token.access_token, pair.access_token]) {
        const refused = await call(access);
        assert.equal(refused.status, 401);
        assert.deepEqual(await refused.json(), {
          error: 'NO_AUTH_FOUND',
          error_description: 'Wrong authorization data',
        });
      }
    } finally {
      await server.close();
    }
  });
});
