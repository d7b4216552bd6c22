// The official client, @bitrix24/b24jssdk, unmodified, drives a line through its whole life over HTTPS:
// add → get → list.get → update → get → delete → get.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SEED } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('./fixtures/config-lifecycle.mjs', import.meta.url));

describe('@bitrix24/b24jssdk: the line configuration methods', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ https: true });
  });
  after(() => t.close());

  it('imopenlines.config.*: add → get → list.get → update → get → delete → get through the official SDK', async () => {
    const hook = `${t.server.httpsUrl}/rest/1/${t.webhookCode}/`;
    const { stdout } = await run(process.execPath, [SCRIPT, hook, JSON.stringify(SEED)], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: t.server.certPath! },
      timeout: 60_000,
    });
    const answer = JSON.parse(stdout.trim().split('\n').at(-1)!);
    assert.equal(answer.ok, true, stdout);
    const [add, get, list, update, reread, remove, gone] = answer.steps;
    for (const step of answer.steps) assert.deepEqual([step.ok, step.status], [true, 200], JSON.stringify(step));
    assert.equal(typeof add.result, 'number');
    const id = String(add.result);
    assert.equal(get.result.ID, id);
    assert.equal(get.result.QUEUE_TYPE, 'strictly');
    assert.equal(get.result.MAX_CHAT, '4');
    assert.deepEqual(get.result.WORKTIME_DAYOFF, ['SA', 'SU']);
    assert.deepEqual(list.result, [
      {
        ID: id,
        LINE_NAME: 'Online Store Support Line',
        MAX_CHAT: '4',
        QUEUE: ['1'],
        QUEUE_USERS_FIELDS: { 1: { USER_NAME: 'Admin', USER_WORK_POSITION: '', USER_AVATAR: '', USER_AVATAR_ID: '0' } },
      },
    ]);
    assert.equal(update.result, true);
    assert.equal(reread.result.LINE_NAME, 'Renamed by the SDK');
    assert.equal(reread.result.MAX_CHAT, '6');
    assert.deepEqual(reread.result.QUEUE, []);
    assert.equal(remove.result, true);
    assert.equal(gone.result, false);
  });
});
