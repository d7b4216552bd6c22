// The official client, @bitrix24/b24jssdk, unmodified: B24Hook against the HTTPS listener, trusting the
// server's generated certificate through NODE_EXTRA_CA_CERTS.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { findLine } from '../../src/store/lines-repository.js';
import { SEED, TIME_KEYS } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./fixtures/hook-call.mjs', import.meta.url));

async function sdkCall(t: TestServer, method: string, params: unknown) {
  const hook = `${t.server.httpsUrl}/rest/1/${t.webhookCode}/`;
  const { stdout } = await run(process.execPath, [SCRIPT, hook, method, JSON.stringify(params)], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: t.server.certPath! },
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe('@bitrix24/b24jssdk B24Hook over HTTPS', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ https: true });
  });
  after(() => t.close());

  it('adds the seed line with imopenlines.config.add and gets its id', async () => {
    const answer = await sdkCall(t, 'imopenlines.config.add', SEED);
    assert.equal(answer.ok, true, JSON.stringify(answer));
    assert.equal(answer.status, 200);
    assert.equal(typeof answer.data.result, 'number');
    assert.deepEqual(Object.keys(answer.data.time).sort(), [...TIME_KEYS].sort());
    const row = await findLine(t.server.store.db, answer.data.result);
    assert.equal(row!.values.LINE_NAME, 'Online Store Support Line');
  });

  it('surfaces a Bitrix24 error code to the client', async () => {
    const answer = await sdkCall(t, 'imopenlines.config.nothing', {});
    assert.equal(answer.ok, false);
    assert.match(JSON.stringify(answer), /ERROR_METHOD_NOT_FOUND/);
  });
});
