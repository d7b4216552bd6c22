// The official client, @bitrix24/b24jssdk, unmodified, running actions.v2.batch.make against the server over plain
// HTTP: B24Hook plus the one-line axios interceptor that only turns its forced https:// back into http://
// (clients.md §2.5 item 2). Array and named calls, $result references, a failing command, and how the SDK reads
// 503 QUERY_LIMIT_EXCEEDED (its retries sleep real seconds, so retries are set to one attempt here).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type AjaxResult, ApiVersion, B24Hook } from '@bitrix24/b24jssdk';
import { findLine } from '../../src/store/lines-repository.js';
import { SEED } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { clockReading } from '../helpers/test-clock.js';

interface SeenRequest {
  url: string;
  body: unknown;
}

function hookFor(t: TestServer, options: { maxRetries?: number } = {}) {
  const b24 = new B24Hook(
    { b24Url: t.url, userId: 1, secret: t.webhookCode },
    options.maxRetries === undefined
      ? undefined
      : {
          restrictionParams: {
            maxRetries: options.maxRetries,
            rateLimit: { burstLimit: 1000, drainRate: 1000, adaptiveEnabled: false },
          },
        },
  );
  b24.offClientSideWarning();
  const seen: SeenRequest[] = [];
  const https = t.url.replace(/^http:/, 'https:');
  for (const version of [ApiVersion.v2, ApiVersion.v3]) {
    b24.getHttpClient(version).ajaxClient.interceptors.request.use((config) => {
      config.url = config.url?.replace(https, t.url);
      seen.push({ url: config.url ?? '', body: config.data });
      return config;
    });
  }
  return { b24, seen };
}

const bodyOf = (seen: SeenRequest[]) => JSON.parse(JSON.stringify(seen.at(-1)?.body));

describe('@bitrix24/b24jssdk actions.v2.batch.make over plain HTTP', () => {
  let t: TestServer;
  let nowMs = Date.now();
  const doc = async (id: number) => (await findLine(t.server.store.db, id))!.values;

  before(async () => {
    t = await startTestServer({ settings: { ratePlan: 'standard' }, clock: clockReading(() => nowMs) });
  });
  after(() => t.close());

  it('array calls: cmd is sent as a JSON array and the results come back in order', async () => {
    const { b24, seen } = hookFor(t);
    const response = await b24.actions.v2.batch.make({
      calls: [
        ['imopenlines.config.add', SEED],
        ['imopenlines.config.add', { PARAMS: { LINE_NAME: 'Copy of $result[0]' } }],
        ['imopenlines.config.get', { CONFIG_ID: '$result[0]' }],
      ],
      options: { isHaltOnError: true },
    });
    assert.equal(response.isSuccess, true, JSON.stringify(response.getErrorMessages()));
    const body = bodyOf(seen);
    assert.equal(body.halt, 1);
    assert.ok(Array.isArray(body.cmd));
    assert.match(seen.at(-1)!.url, /\/rest\/1\/[^/]+\/batch\?bx24_request_id=/);
    const [id, copyId, got] = response.getData() as [number, number, { ID: string; LINE_NAME: string }];
    assert.equal(typeof id, 'number');
    assert.equal((await doc(id)).LINE_NAME, 'Online Store Support Line');
    assert.equal((await doc(copyId)).LINE_NAME, `Copy of ${id}`);
    assert.equal(got.ID, String(id));
  });

  it('named calls: cmd is sent as a JSON object and the results come back by name', async () => {
    const { b24, seen } = hookFor(t);
    const response = await b24.actions.v2.batch.make({
      calls: {
        add: ['imopenlines.config.add', SEED],
        empty: { method: 'imopenlines.config.add', params: {} },
        list: ['imopenlines.config.list.get', {}],
      },
      options: { isHaltOnError: false },
    });
    assert.equal(response.isSuccess, true, JSON.stringify(response.getErrorMessages()));
    const body = bodyOf(seen);
    assert.equal(body.halt, 0);
    assert.deepEqual(Object.keys(body.cmd), ['add', 'empty', 'list']);
    assert.equal(body.cmd.empty, 'imopenlines.config.add?');
    const data = response.getData() as { add: number; empty: number; list: { ID: string }[] };
    assert.equal(typeof data.add, 'number');
    assert.equal(data.empty, data.add + 1);
    assert.ok(data.list.some((line) => line.ID === String(data.add)));
  });

  it('a failing command: the batch is not successful, the error is under its index, nothing is thrown', async () => {
    const { b24 } = hookFor(t);
    const response = await b24.actions.v2.batch.make({
      calls: [
        ['imopenlines.config.add', { PARAMS: { LINE_NAME: 'Before the failure' } }],
        ['imopenlines.config.nothing', {}],
        ['imopenlines.config.add', { PARAMS: { LINE_NAME: 'Not run' } }],
      ],
      options: { isHaltOnError: false, returnAjaxResult: true },
    });
    assert.equal(response.isSuccess, false);
    assert.match(JSON.stringify(response.getErrorMessages()), /Method not found!/);
    const rows = response.getData() as AjaxResult[];
    assert.equal(rows.length, 3);
    assert.equal(rows[0]!.isSuccess, true);
    assert.equal(rows[1]!.isSuccess, false);
    assert.equal(rows[2]!.isSuccess, true, 'halt 0: the third command ran');
  });

  it('503 QUERY_LIMIT_EXCEEDED reaches the SDK as its rate-limit error (status 503, code QUERY_LIMIT_EXCEEDED)', async () => {
    const { b24 } = hookFor(t, { maxRetries: 1 });
    nowMs += 60_000; // an empty bucket: exactly 50 requests pass
    for (let i = 0; i < 50; i++) {
      assert.equal((await t.call('batch', { cmd: [] })).status, 200);
    }
    await assert.rejects(
      b24.actions.v2.batch.make({ calls: [['imopenlines.config.add', {}]], options: { isHaltOnError: true } }),
      (error: { code?: string; status?: number }) => {
        assert.equal(error.code, 'QUERY_LIMIT_EXCEEDED');
        assert.equal(error.status, 503);
        return true;
      },
    );
    nowMs += 500; // one request drains
    const response = await b24.actions.v2.batch.make({
      calls: [['imopenlines.config.add', { PARAMS: { LINE_NAME: 'After the wait' } }]],
      options: { isHaltOnError: true },
    });
    assert.equal(response.isSuccess, true);
  });
});
