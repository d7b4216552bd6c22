import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error -- a browser module of the admin page, plain JavaScript without types.
import { describeSchedule } from '../../src/admin/schedule.js';

describe('admin page: the working-hours badge', () => {
  const zone = 'Europe/Berlin';
  it('open: until the last working minute, today', () => {
    const text = describeSchedule({
      OPEN: true,
      TIME: '2026-12-02T17:05:00+01:00',
      NEXT_CHANGE: '2026-12-02T21:01:00+01:00',
      TIMEZONE: zone,
    });
    assert.equal(text, 'open now · until 21:00 Europe/Berlin');
  });
  it('closed: opens another day, with the day named', () => {
    const text = describeSchedule({
      OPEN: false,
      TIME: '2026-12-25T12:00:00+01:00',
      NEXT_CHANGE: '2026-12-28T09:00:00+01:00',
      TIMEZONE: zone,
    });
    assert.equal(text, 'closed · opens Mon 28 Dec 09:00 Europe/Berlin');
  });
  it('no change ahead', () => {
    assert.equal(
      describeSchedule({ OPEN: true, TIME: '2026-12-25T12:00:00Z', NEXT_CHANGE: null, TIMEZONE: zone }),
      'open now',
    );
  });
});
