import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { RequestRateLimiter, rateLimitsOf } from '../../src/rest/rate-limiter.js';
import { clockReading } from '../helpers/test-clock.js';

function testClock(startMs = Date.UTC(2026, 10, 23, 10, 5, 20)) {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    advance(ms: number) {
      nowMs += ms;
    },
  };
}

/** How many of `attempts` calls in a row pass. */
function admitted(limiter: RequestRateLimiter, address: string, attempts: number): number {
  let passed = 0;
  for (let i = 0; i < attempts; i++) if (limiter.tryAdmit(address)) passed++;
  return passed;
}

describe('rate limiter: plans', () => {
  it('rateLimitsOf: standard 2/s burst 50, enterprise 5/s burst 250, off none (openlines-api.md §1.7)', () => {
    assert.deepEqual(rateLimitsOf('standard'), { drainPerSecond: 2, burst: 50 });
    assert.deepEqual(rateLimitsOf('enterprise'), { drainPerSecond: 5, burst: 250 });
    assert.equal(rateLimitsOf('off'), null);
  });
});

for (const plan of ['standard', 'enterprise'] as const) {
  const limits = rateLimitsOf(plan)!;
  describe(`rate limiter: ${plan} plan`, () => {
    it(`a burst of ${limits.burst} passes and call ${limits.burst + 1} fails`, () => {
      const clock = testClock();
      const limiter = new RequestRateLimiter(limits, clockReading(clock.now));
      assert.equal(admitted(limiter, '10.0.0.1', limits.burst), limits.burst);
      assert.equal(limiter.tryAdmit('10.0.0.1'), false);
      assert.equal(limiter.level('10.0.0.1'), limits.burst);
    });

    it(`after t seconds exactly floor(${limits.drainPerSecond}·t) more pass`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 0, max: (limits.burst / limits.drainPerSecond) * 1000 }), (elapsedMs) => {
          const clock = testClock();
          const limiter = new RequestRateLimiter(limits, clockReading(clock.now));
          admitted(limiter, 'a', limits.burst + 5);
          clock.advance(elapsedMs);
          const expected = Math.floor((limits.drainPerSecond * elapsedMs) / 1000);
          assert.equal(admitted(limiter, 'a', limits.burst + 1), expected);
        }),
        { numRuns: 200 },
      );
    });

    it('refused calls add nothing: the bucket drains as if they never came', () => {
      const clock = testClock();
      const limiter = new RequestRateLimiter(limits, clockReading(clock.now));
      admitted(limiter, 'a', limits.burst);
      for (let i = 0; i < 1000; i++) assert.equal(limiter.tryAdmit('a'), false);
      clock.advance(1000);
      assert.equal(admitted(limiter, 'a', 100), limits.drainPerSecond);
    });

    it('an idle bucket never holds more than the burst', () => {
      const clock = testClock();
      const limiter = new RequestRateLimiter(limits, clockReading(clock.now));
      admitted(limiter, 'a', 3);
      clock.advance(86_400_000);
      assert.equal(admitted(limiter, 'a', limits.burst * 2), limits.burst);
    });
  });
}

describe('rate limiter: keys and clocks', () => {
  it('counts each client address separately', () => {
    const clock = testClock();
    const limiter = new RequestRateLimiter({ drainPerSecond: 2, burst: 50 }, clockReading(clock.now));
    assert.equal(admitted(limiter, '10.0.0.1', 60), 50);
    assert.equal(admitted(limiter, '10.0.0.2', 60), 50);
    assert.equal(limiter.level('10.0.0.3'), 0);
  });

  it('a clock that steps back neither drains nor refills', () => {
    const clock = testClock();
    const limiter = new RequestRateLimiter({ drainPerSecond: 2, burst: 50 }, clockReading(clock.now));
    admitted(limiter, 'a', 50);
    clock.advance(-60_000);
    assert.equal(limiter.tryAdmit('a'), false);
    clock.advance(60_000 + 500);
    assert.equal(admitted(limiter, 'a', 10), 1);
  });

  it('forgets drained addresses once many are tracked, and keeps counting the busy ones', () => {
    const clock = testClock();
    const limiter = new RequestRateLimiter({ drainPerSecond: 2, burst: 50 }, clockReading(clock.now));
    admitted(limiter, 'busy', 50);
    for (let i = 0; i < 10_000; i++) limiter.tryAdmit(`idle-${i}`);
    assert.equal(limiter.trackedAddresses, 10_001);
    clock.advance(1000);
    limiter.tryAdmit('newcomer'); // a new address past the threshold sweeps (at most once a second)
    assert.equal(limiter.trackedAddresses, 2);
    assert.equal(limiter.level('busy'), 48);
  });
});
