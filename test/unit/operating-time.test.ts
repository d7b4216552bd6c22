import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OperatingTime } from '../../src/rest/operating-time.js';
import { RestError } from '../../src/wire/errors.js';
import { clockReading } from '../helpers/test-clock.js';

// 10:05:20 UTC, the docs' example (openlines-api.md §1.7): a bucket started then drops out at 10:15:20.
const T0 = Date.UTC(2026, 10, 23, 10, 5, 20);
const ADD = 'imopenlines.config.add';
const HOOK = 'webhook:1';

function setUp(limitSeconds = 0) {
  let nowMs = T0;
  const operating = new OperatingTime({ limitSeconds, clock: clockReading(() => nowMs) });
  return {
    operating,
    now: () => nowMs,
    at(ms: number) {
      nowMs = ms;
    },
    /** Records a call of `seconds` that finishes now. */
    call(seconds: number, method = ADD, credential = HOOK) {
      return operating.record(credential, method, seconds * 1000, nowMs);
    },
    blocked(method = ADD, credential = HOOK): boolean {
      try {
        operating.check(credential, method);
        return false;
      } catch (error) {
        assert.ok(error instanceof RestError);
        assert.equal(error.code, 'OPERATION_TIME_LIMIT');
        assert.equal(error.status, 429);
        assert.deepEqual(error.toBody(), {
          error: 'OPERATION_TIME_LIMIT',
          error_description: 'Method is blocked due to operation time limit.',
        });
        return true;
      }
    },
  };
}

describe('operating time: accounting', () => {
  it('a call of 0.1 s or less is not recorded; reset is ten minutes from now (LoadLimiter minimalFixTime)', () => {
    const s = setUp();
    assert.deepEqual(s.call(0.1), { seconds: 0, resetAt: T0 / 1000 + 600 });
    assert.deepEqual(s.call(0.05), { seconds: 0, resetAt: T0 / 1000 + 600 });
  });

  it('sums calls over 0.1 s and reports the oldest bucket’s expiry: first call 10:05:20 → 10:15:20', () => {
    const s = setUp();
    assert.deepEqual(s.call(2), { seconds: 2, resetAt: Date.UTC(2026, 10, 23, 10, 15, 20) / 1000 });
    s.at(T0 + 30_000); // 10:05:50: the same bucket
    assert.deepEqual(s.call(3), { seconds: 5, resetAt: Date.UTC(2026, 10, 23, 10, 15, 20) / 1000 });
    s.at(T0 + 70_000); // 10:06:30: a new bucket
    assert.deepEqual(s.call(1.5), { seconds: 6.5, resetAt: Date.UTC(2026, 10, 23, 10, 15, 20) / 1000 });
  });

  it('a bucket drops out ten minutes after its first call; the next oldest sets the reset time', () => {
    const s = setUp();
    s.call(2); // bucket 10:05, first call 10:05:20
    s.at(Date.UTC(2026, 10, 23, 10, 7, 45));
    s.call(4); // bucket 10:07, first call 10:07:45
    s.at(Date.UTC(2026, 10, 23, 10, 15, 19, 999));
    assert.deepEqual(s.operating.state(HOOK, ADD, s.now()), {
      seconds: 6,
      resetAt: Date.UTC(2026, 10, 23, 10, 15, 20) / 1000,
    });
    s.at(Date.UTC(2026, 10, 23, 10, 15, 20));
    assert.deepEqual(s.operating.state(HOOK, ADD, s.now()), {
      seconds: 4,
      resetAt: Date.UTC(2026, 10, 23, 10, 17, 45) / 1000,
    });
    s.at(Date.UTC(2026, 10, 23, 10, 17, 45));
    assert.deepEqual(s.operating.state(HOOK, ADD, s.now()), {
      seconds: 0,
      resetAt: Date.UTC(2026, 10, 23, 10, 27, 45) / 1000,
    });
    assert.equal(s.operating.trackedKeys, 0);
  });

  it('counts per method and per credential; method names in any case are one method', () => {
    const s = setUp();
    s.call(5);
    s.call(7, 'imopenlines.config.get');
    s.call(11, ADD, 'webhook:2');
    s.call(1, 'IMOPENLINES.CONFIG.ADD');
    assert.equal(s.operating.state(HOOK, ADD, s.now()).seconds, 6);
    assert.equal(s.operating.state(HOOK, 'imopenlines.config.get', s.now()).seconds, 7);
    assert.equal(s.operating.state('webhook:2', ADD, s.now()).seconds, 11);
    assert.equal(s.operating.state('oauth:app', ADD, s.now()).seconds, 0);
  });

  it('an injected cost replaces the measured duration', () => {
    let nowMs = T0;
    const operating = new OperatingTime({
      limitSeconds: 0,
      clock: clockReading(() => nowMs),
      costMs: (method) => method.length * 1000,
    });
    assert.equal(operating.record(HOOK, 'abc', 0.001, nowMs).seconds, 3);
    nowMs += 1;
    assert.equal(operating.record(HOOK, 'abc', 50_000, nowMs).seconds, 6);
  });
});

describe('operating time: the limit', () => {
  it('is off at 0: nothing is refused, the time is still counted', () => {
    const s = setUp(0);
    for (let i = 0; i < 10; i++) s.call(100);
    assert.equal(s.blocked(), false);
    assert.equal(s.operating.state(HOOK, ADD, s.now()).seconds, 1000);
  });

  it('the call that crosses the limit completes; the next one is refused until buckets expire', () => {
    const s = setUp(420);
    for (let i = 0; i < 4; i++) {
      assert.equal(s.blocked(), false);
      s.call(100);
    }
    assert.equal(s.blocked(), false, '400 s used: not over 420 yet');
    s.call(100); // 500 s: this one still ran
    assert.equal(s.blocked(), true);
    assert.equal(s.blocked('imopenlines.config.get'), false, 'other methods are unaffected');
    assert.equal(s.blocked(ADD, 'webhook:2'), false, 'other credentials are unaffected');
    s.at(T0 + 599_999);
    assert.equal(s.blocked(), true);
    s.at(T0 + 600_000);
    assert.equal(s.blocked(), false);
  });

  it('exactly at the limit is not over it', () => {
    const s = setUp(420);
    s.call(420);
    assert.equal(s.blocked(), false);
    s.call(0.2);
    assert.equal(s.blocked(), true);
  });

  it('unblocks when enough old buckets expire, not all of them', () => {
    const s = setUp(420);
    s.call(300); // bucket 10:05 (first 10:05:20)
    s.at(Date.UTC(2026, 10, 23, 10, 9, 0));
    s.call(200); // bucket 10:09
    assert.equal(s.blocked(), true);
    s.at(Date.UTC(2026, 10, 23, 10, 15, 20));
    assert.equal(s.blocked(), false);
    assert.deepEqual(s.operating.state(HOOK, ADD, s.now()), {
      seconds: 200,
      resetAt: Date.UTC(2026, 10, 23, 10, 19, 0) / 1000,
    });
  });
});
