// Request limits end to end over real HTTP with a test clock: the leaky bucket per client address
// (openlines-api.md §1.7, QUERY_LIMIT_EXCEEDED 503) and the operating-time limit per method and credential
// (OPERATION_TIME_LIMIT 429). Nothing sleeps: the server's clock is moved by the test.

import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { buildGuards } from '../../src/rest/call-guards.js';
import { countLines } from '../../src/store/lines-repository.js';
import { SEED, TIME_KEYS } from '../helpers/seed.js';
import { type CallResult, STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { clockReading } from '../helpers/test-clock.js';

const T0 = Date.UTC(2026, 10, 23, 10, 5, 20);
const QUERY_LIMIT = { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' };
const TIME_LIMIT = {
  error: 'OPERATION_TIME_LIMIT',
  error_description: 'Method is blocked due to operation time limit.',
};

function testClock() {
  let nowMs = T0;
  return {
    now: () => nowMs,
    advance(ms: number) {
      nowMs += ms;
    },
  };
}

/** POSTs JSON from a chosen loopback source address (another "client" of the portal). */
function callFrom(localAddress: string, url: string, params: unknown): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(params);
    const req = httpRequest(
      url,
      { method: 'POST', localAddress, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: new Headers(), text, body: JSON.parse(text) });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** A cheap authenticated request: an empty batch (200). */
const ping = (t: TestServer) => t.call('batch', { cmd: [] });

async function statuses(calls: number, call: () => Promise<CallResult>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < calls; i++) out.push((await call()).status);
  return out;
}

const count = (list: number[], status: number) => list.filter((s) => s === status).length;

for (const store of STORES) {
  describe(`request rate: standard plan [${store}]`, () => {
    let t: TestServer;
    let clock: ReturnType<typeof testClock>;
    before(async () => {
      clock = testClock();
      t = await startTestServer({ store, settings: { ratePlan: 'standard' }, clock: clockReading(clock.now) });
    });
    after(() => t.close());

    it('a burst of 50 config.add passes, call 51 gets 503 QUERY_LIMIT_EXCEEDED and writes nothing', async () => {
      for (let i = 0; i < 50; i++) {
        const answer = await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: `Burst ${i}` } });
        assert.equal(answer.status, 200, `call ${i + 1}: ${answer.text}`);
      }
      assert.equal(await countLines(t.server.store.db), 50);
      const refused = await t.call('imopenlines.config.add', SEED);
      assert.equal(refused.status, 503);
      assert.deepEqual(refused.body, QUERY_LIMIT);
      assert.match(refused.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(await countLines(t.server.store.db), 50);
    });

    it('a refused request runs nothing: not the method lookup, not authentication', async () => {
      const unknown = await t.call('imopenlines.nothing', {});
      assert.deepEqual([unknown.status, unknown.body], [503, QUERY_LIMIT]);
      const badAuth = await t.request('/rest/1/wrongcode/imopenlines.config.add', { method: 'POST' });
      assert.deepEqual([badAuth.status, badAuth.body], [503, QUERY_LIMIT]);
    });

    it('after t seconds exactly floor(2·t) more pass', async () => {
      // The bucket is full (50). Each step moves the clock, then calls until refused; the total admitted since the
      // bucket was full is floor(2 · elapsed seconds), fractions carried over between steps.
      let elapsedMs = 0;
      let admitted = 0;
      for (const stepMs of [1300, 7250, 449, 1, 500, 25_000]) {
        clock.advance(stepMs);
        elapsedMs += stepMs;
        for (let answer = await ping(t); answer.status === 200; answer = await ping(t)) admitted++;
        assert.equal(admitted, Math.floor((2 * elapsedMs) / 1000), `after ${elapsedMs} ms`);
      }
      assert.equal(admitted, 2 + 15 + 0 + 1 + 1 + 50); // the last step empties the bucket: a full burst again
    });

    it('counts per client address: another address of the same portal has its own bucket', async () => {
      assert.equal((await ping(t)).status, 503);
      const other = await callFrom('127.0.0.2', `${t.hook}batch`, { cmd: [] });
      assert.equal(other.status, 200);
      assert.deepEqual(other.body.result.result, []);
    });

    it('a batch counts once, however many commands it carries', async () => {
      clock.advance(25_000); // empty bucket
      assert.equal(count(await statuses(49, () => ping(t)), 200), 49);
      const cmd = Array.from({ length: 20 }, (_, i) => `imopenlines.config.add?PARAMS[LINE_NAME]=Batch+${i}`);
      const batch = await t.call('batch', { halt: 1, cmd });
      assert.equal(batch.status, 200);
      assert.equal(batch.body.result.result.length, 20);
      assert.deepEqual(batch.body.result.result_error, []);
      assert.deepEqual((await ping(t)).body, QUERY_LIMIT);
    });
  });

  describe(`request rate: enterprise and off plans [${store}]`, () => {
    it('enterprise: a burst of 250 passes, call 251 fails; after 1.9 s exactly 9 more pass', async () => {
      const clock = testClock();
      const t = await startTestServer({ store, settings: { ratePlan: 'enterprise' }, clock: clockReading(clock.now) });
      try {
        const burst = await statuses(251, () => ping(t));
        assert.deepEqual([count(burst, 200), burst.at(-1)], [250, 503]);
        clock.advance(1900);
        const more = await statuses(12, () => ping(t));
        assert.deepEqual(more, [...Array(9).fill(200), 503, 503, 503]);
      } finally {
        await t.close();
      }
    });

    it('off: nothing is refused', async () => {
      const clock = testClock();
      const t = await startTestServer({ store, settings: { ratePlan: 'off' }, clock: clockReading(clock.now) });
      try {
        assert.equal(count(await statuses(300, () => ping(t)), 200), 300);
      } finally {
        await t.close();
      }
    });
  });

  describe(`operating time [${store}]`, () => {
    let t: TestServer;
    let clock: ReturnType<typeof testClock>;
    before(async () => {
      clock = testClock();
      // Every method call costs 100 s of operating time; the limit is the self-hosted default, 420 s.
      const settings = { ratePlan: 'off' as const, operatingLimitSeconds: 420, portalName: 'openlines' };
      const guards = buildGuards(settings, clockReading(clock.now), { operatingCostMs: () => 100_000 });
      t = await startTestServer({ store, settings, guards, clock: clockReading(clock.now) });
    });
    after(() => t.close());

    it('reports time.operating and time.operating_reset_at on every answer', async () => {
      const answer = await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'Op 1' } });
      assert.equal(answer.status, 200);
      assert.deepEqual(Object.keys(answer.body.time), [...TIME_KEYS]);
      assert.equal(answer.body.time.operating, 100);
      assert.equal(answer.body.time.operating_reset_at, T0 / 1000 + 600);
    });

    it('the call crossing 420 s completes, the next is refused with 429 and writes nothing', async () => {
      const seen: number[] = [];
      for (let i = 2; i <= 5; i++) {
        const answer = await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: `Op ${i}` } });
        assert.equal(answer.status, 200, answer.text);
        seen.push(answer.body.time.operating);
      }
      assert.deepEqual(seen, [200, 300, 400, 500]);
      const lines = await countLines(t.server.store.db);
      const refused = await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'Op 6' } });
      assert.deepEqual([refused.status, refused.body], [429, TIME_LIMIT]);
      assert.equal(await countLines(t.server.store.db), lines);
    });

    it('inside batch: the blocked method fails per command, batch itself is not counted', async () => {
      const batch = await t.call('batch', { halt: 0, cmd: { a: 'imopenlines.config.add?PARAMS[LINE_NAME]=x' } });
      assert.equal(batch.status, 200);
      assert.deepEqual(batch.body.result.result, []);
      assert.deepEqual(batch.body.result.result_error, { a: TIME_LIMIT });
      assert.equal(batch.body.time.operating, 0);
    });

    it('inside batch: a method’s limit is read once per batch, so a batch crossing it completes; the next call is refused', async () => {
      const hook = await t.webhookFor(1);
      const cmd = Object.fromEntries(
        Array.from({ length: 6 }, (_, i) => [`c${i}`, `imopenlines.config.add?PARAMS[LINE_NAME]=Batch%20${i}`]),
      );
      const batch = await t.call('batch', { halt: 0, cmd }, { hook });
      assert.equal(batch.status, 200, batch.text);
      assert.equal(Object.keys(batch.body.result.result).length, 6, batch.text);
      assert.deepEqual(batch.body.result.result_error, []);
      const refused = await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'After batch' } }, { hook });
      assert.deepEqual([refused.status, refused.body], [429, TIME_LIMIT]);
    });

    it('another webhook is not affected', async () => {
      const hook = await t.webhookFor(1);
      const answer = await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'Other hook' } }, { hook });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.time.operating, 100);
    });

    it('is refused until the buckets expire, ten minutes after their first call', async () => {
      clock.advance(599_999);
      assert.equal((await t.call('imopenlines.config.add', {})).status, 429);
      clock.advance(1);
      const answer = await t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: 'After reset' } });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.time.operating, 100);
      assert.equal(answer.body.time.operating_reset_at, (T0 + 600_000) / 1000 + 600);
    });
  });
}
