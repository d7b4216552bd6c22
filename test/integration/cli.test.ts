// The operators' command line, run as a real process: serve prints working webhook URLs and stops cleanly;
// user, department and webhook commands change the same store.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

function cli(dataDir: string, args: string[]) {
  return run(process.execPath, [...CLI, ...args], {
    env: { ...process.env, OPENLINES_DATA: dataDir, DATABASE_URL: '' },
    timeout: 60_000,
  });
}

describe('openlines CLI', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'openlines-cli-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serve prints both webhook URLs on first start, they work, and SIGTERM stops it cleanly', async () => {
    const child = spawn(process.execPath, [...CLI, 'serve', '--port', '0', '--https-port', '0'], {
      env: { ...process.env, OPENLINES_DATA: dataDir, DATABASE_URL: '', LOG_LEVEL: 'warn' },
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 60_000;
    while (!/Incoming webhook: https:/.test(out) && Date.now() < deadline && child.exitCode === null) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const http = /Incoming webhook: (http:\/\/\S+\/rest\/1\/[a-z0-9]+\/)/.exec(out)?.[1];
    const https = /Incoming webhook: (https:\/\/\S+\/rest\/1\/[a-z0-9]+\/)/.exec(out)?.[1];
    assert.ok(http && https, out);
    assert.match(out, /TLS certificate: \S+cert\.pem/);
    const answer = await fetch(`${http}imopenlines.config.add`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"PARAMS":{"LINE_NAME":"from the CLI test"}}',
    });
    assert.match(await answer.text(), /^\{"result":1,"time":\{/);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(out, /SIGTERM received/);
  });

  it('adds departments and users, and creates, lists and revokes webhooks', async () => {
    const dept = (await cli(dataDir, ['department', 'add', '--name', 'Support'])).stdout.trim();
    assert.match(dept, /^\d+$/);
    const user = (await cli(dataDir, ['user', 'add', '--name', 'Olga', '--department', dept])).stdout.trim();
    assert.equal(user, '2');
    const created = (await cli(dataDir, ['webhook', 'create', '--user', user, '--scope', 'imopenlines'])).stdout;
    const url = created.trim().split('\n').at(-1)!;
    assert.match(url, /^http:\/\/127\.0\.0\.1:8080\/rest\/2\/[a-z0-9]{16}\/$/);
    const list = (await cli(dataDir, ['webhook', 'list'])).stdout;
    assert.match(list, /\n2\t2\timopenlines\tactive/);
    assert.doesNotMatch(list, new RegExp(url.split('/')[5]!), 'codes are never shown again');
    await cli(dataDir, ['webhook', 'revoke', '2']);
    assert.match((await cli(dataDir, ['webhook', 'list'])).stdout, /\n2\t2\timopenlines\trevoked/);
  });

  it('refuses bad input with a clear message and exit code 2', async () => {
    for (const args of [
      ['webhook', 'create', '--user', '1', '--scope', 'crm'],
      ['webhook', 'create', '--user', 'x', '--scope', 'imopenlines'],
      ['webhook', 'create', '--user', '99', '--scope', 'imopenlines'],
      ['user', 'add', '--name', 'X', '--department', '77'],
      ['webhook', 'revoke', '99'],
    ]) {
      await assert.rejects(cli(dataDir, args), (e: { code: number; stderr: string }) => {
        assert.equal(e.code, 2, args.join(' '));
        assert.match(e.stderr, /^openlines: /);
        return true;
      });
    }
  });
});
