// Issue 14 point 1: every figure of a `time` block comes from the server's one clock, so a wall clock that steps
// back or jumps while a call runs never gives a negative duration, and the dates say what the numbers say.
// The clock here moves on every reading (forwards by up to an hour, or backwards by up to an hour), so it changes
// between the request's arrival, the handler's start and the answer, on direct calls and inside batch.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { formatPhpDate } from '../../src/wire/php-date.js';
import { addLine } from '../helpers/lines.js';
import { STORES, startTestServer, type TestServer } from '../helpers/server.js';
import { clockReading } from '../helpers/test-clock.js';

const T0 = Date.parse('2026-03-29T00:30:00Z'); // an hour before Berlin's clocks go forward
const TIME_ZONE = 'Europe/Berlin';

/** A clock that jumps on every reading: a seeded walk with steps of −1 h … +1 h, sometimes standing still. */
function jumpingClock(seed: number) {
  let state = seed;
  let nowMs = T0;
  let readings = 0;
  let backwards = 0;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return {
    clock: clockReading(() => {
      readings += 1;
      const r = random();
      const step = r < 0.1 ? 0 : Math.floor((random() * 2 - 1) * 3_600_000);
      if (step < 0) backwards += 1;
      nowMs += step;
      return nowMs;
    }),
    stats: () => ({ readings, backwards }),
  };
}

interface TimeBlock {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
}

function assertConsistent(time: TimeBlock, where: string) {
  assert.ok(time.finish >= time.start, `${where}: finish ${time.finish} ≥ start ${time.start}`);
  assert.ok(time.duration >= 0, `${where}: duration ${time.duration} ≥ 0`);
  assert.ok(Math.abs(time.duration - (time.finish - time.start)) < 1e-6, `${where}: duration = finish − start`);
  assert.ok(time.processing >= 0 && time.processing <= time.duration + 1e-6, `${where}: 0 ≤ processing ≤ duration`);
  assert.equal(time.date_start, formatPhpDate(time.start * 1000, TIME_ZONE), `${where}: date_start is start`);
  assert.equal(time.date_finish, formatPhpDate(time.finish * 1000, TIME_ZONE), `${where}: date_finish is finish`);
  assert.equal(Date.parse(time.date_start) / 1000, Math.floor(time.start), `${where}: date_start's instant`);
  assert.equal(Date.parse(time.date_finish) / 1000, Math.floor(time.finish), `${where}: date_finish's instant`);
}

for (const store of STORES) {
  describe(`the time block from one clock (${store})`, () => {
    const jumping = jumpingClock(20_261_202);
    let t: TestServer;
    let lineId: number;

    before(async () => {
      t = await startTestServer({ store, clock: jumping.clock, settings: { timeZone: TIME_ZONE } });
      lineId = await addLine(t, { LINE_NAME: 'Clock' });
    });
    after(() => t.close());

    it('direct calls: duration ≥ 0, finish ≥ start, the dates match the numbers, while the clock jumps back', async () => {
      const calls: [string, Record<string, unknown>][] = [
        ['imopenlines.config.get', { CONFIG_ID: lineId }],
        ['imopenlines.config.list.get', {}],
        ['imopenlines.config.path.get', {}],
        ['imopenlines.config.update', { CONFIG_ID: lineId, PARAMS: { LINE_NAME: 'Clock 2' } }],
      ];
      for (let round = 0; round < 25; round++) {
        for (const [method, params] of calls) {
          const answer = await t.call(method, params);
          assert.equal(answer.status, 200, answer.text);
          assertConsistent(answer.body.time, `${method} #${round}`);
        }
      }
      assert.ok(jumping.stats().backwards > 20, `the clock stepped back often: ${JSON.stringify(jumping.stats())}`);
    });

    it('batch: the outer block and every command block, successes and failures alike', async () => {
      for (let round = 0; round < 10; round++) {
        const answer = await t.call('batch', {
          halt: 0,
          cmd: {
            get: `imopenlines.config.get?CONFIG_ID=${lineId}`,
            missing: 'imopenlines.config.get',
            list: 'imopenlines.config.list.get',
            path: 'imopenlines.config.path.get',
          },
        });
        assert.equal(answer.status, 200, answer.text);
        assertConsistent(answer.body.time, `batch #${round}`);
        const times = answer.body.result.result_time as Record<string, TimeBlock>;
        assert.deepEqual(Object.keys(times), ['get', 'list', 'path'], 'a time for each command that succeeded');
        for (const [key, time] of Object.entries(times)) assertConsistent(time, `batch #${round} cmd ${key}`);
      }
    });
  });
}
