// The server's clock: ManualClock moves only when told and fires its timers in due order, letting each one's
// work finish before the next (the test clock every timer test builds on).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, systemClock } from '../../src/clock.js';

const T0 = Date.parse('2026-12-02T10:00:00Z');

describe('ManualClock', () => {
  it('fires due timers earliest first, ties in the order they were set, at their own due time', async () => {
    const clock = new ManualClock(T0);
    const fired: string[] = [];
    const at = (name: string) => () => fired.push(`${name}@${clock.now() - T0}`);
    clock.setTimeout(at('c'), 300);
    clock.setTimeout(at('a'), 100);
    clock.setTimeout(at('b1'), 200);
    clock.setTimeout(at('b2'), 200);
    clock.setTimeout(at('late'), 10_000);
    await clock.advance(300);
    assert.deepEqual(fired, ['a@100', 'b1@200', 'b2@200', 'c@300']);
    assert.equal(clock.now(), T0 + 300);
    assert.equal(clock.pending, 1);
  });

  it("waits for each timer's asynchronous work before the next, and fires timers that work sets within the move", async () => {
    const clock = new ManualClock(T0);
    const log: string[] = [];
    clock.setTimeout(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push('first done');
      clock.setTimeout(() => log.push('chained'), 50);
    }, 100);
    clock.setTimeout(() => log.push('second'), 120);
    await clock.advance(200);
    assert.deepEqual(log, ['first done', 'second', 'chained']);
  });

  it('clearTimeout cancels; a move with nothing due changes the time at once', () => {
    const clock = new ManualClock(T0);
    let fired = false;
    const handle = clock.setTimeout(() => {
      fired = true;
    }, 10);
    clock.clearTimeout(handle);
    void clock.advance(60_000);
    assert.equal(clock.now(), T0 + 60_000, 'no await needed when no timer is due');
    assert.equal(fired, false);
  });

  it('set() may go backwards (as a wall clock can) and fires nothing; forwards it fires what falls due', async () => {
    const clock = new ManualClock(T0);
    const fired: number[] = [];
    clock.setTimeout(() => fired.push(clock.now()), 1_000);
    await clock.set(T0 - 3_600_000);
    assert.equal(clock.now(), T0 - 3_600_000);
    assert.deepEqual(fired, []);
    await clock.set(T0 + 2_000);
    assert.deepEqual(fired, [T0 + 1_000]);
    assert.equal(clock.now(), T0 + 2_000);
  });

  it('refuses a negative advance', () => {
    assert.throws(() => new ManualClock(T0).advance(-1), RangeError);
  });

  it('keeps whole milliseconds, as Date.now does (stores keep times in integer columns)', () => {
    assert.throws(() => new ManualClock(T0 + 0.5), RangeError);
    assert.throws(() => new ManualClock(T0).advance(0.25), RangeError);
    assert.throws(() => new ManualClock(T0).set(T0 + 1.5), RangeError);
    assert.equal(Number.isInteger(systemClock.now()), true);
  });
});

describe('systemClock', () => {
  it('reads the wall clock and runs real timers', async () => {
    const before = Date.now();
    assert.ok(Math.abs(systemClock.now() - before) < 1_000);
    await new Promise<void>((resolve) => systemClock.setTimeout(resolve, 1));
    let ran = false;
    systemClock.clearTimeout(
      systemClock.setTimeout(() => {
        ran = true;
      }, 1),
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(ran, false);
  });
});
