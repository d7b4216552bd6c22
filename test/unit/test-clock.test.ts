// The test clock's controls (jobs/test-clock.ts) and its setting (OPENLINES_CLOCK / serve --clock): moving a
// manual clock fires the timers it passes in due order, then runs what is due at the new time; a system clock
// refuses to move.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, systemClock } from '../../src/clock.js';
import { TestClock, TestClockError } from '../../src/jobs/test-clock.js';
import { loadSettings, SettingsError } from '../../src/settings.js';

describe('TestClock', () => {
  it('TestClock.advance: timers fire at their due time on the way, then runDue at the new time', async () => {
    const clock = new ManualClock(1_000_000);
    const seen: string[] = [];
    const control = new TestClock(clock, clock, async () => {
      seen.push(`runDue at ${clock.now()}`);
    });
    clock.setTimeout(() => seen.push(`timer at ${clock.now()}`), 60_000);
    clock.setTimeout(() => seen.push(`late timer at ${clock.now()}`), 500_000);
    assert.equal(control.manual, true);
    assert.equal(await control.advance(120_000), 1_120_000);
    assert.deepEqual(seen, ['timer at 1060000', 'runDue at 1120000']);
    assert.equal(await control.set(1_600_000), 1_600_000);
    assert.deepEqual(seen.slice(2), ['late timer at 1500000', 'runDue at 1600000']);
    await assert.rejects(control.set(1_599_999), TestClockError);
    assert.equal(control.now(), 1_600_000);
  });

  it('TestClock: the system clock is read, never moved', async () => {
    let ran = false;
    const control = new TestClock(systemClock, null, async () => {
      ran = true;
    });
    assert.equal(control.manual, false);
    assert.ok(Math.abs(control.now() - Date.now()) < 1_000);
    await assert.rejects(control.advance(1_000), TestClockError);
    await assert.rejects(control.set(Date.now() + 1_000), TestClockError);
    assert.equal(ran, false);
  });
});

describe('settings: clock', () => {
  it('settings: OPENLINES_CLOCK and --clock choose system (default) or manual; anything else is refused', () => {
    assert.equal(loadSettings({}).clock, 'system');
    assert.equal(loadSettings({ OPENLINES_CLOCK: '' }).clock, 'system');
    assert.equal(loadSettings({ OPENLINES_CLOCK: 'manual' }).clock, 'manual');
    assert.equal(loadSettings({ OPENLINES_CLOCK: 'manual' }, { clock: 'system' }).clock, 'system');
    assert.equal(loadSettings({}, { clock: 'manual' }).clock, 'manual');
    assert.throws(() => loadSettings({ OPENLINES_CLOCK: 'fast' }), SettingsError);
  });
});
