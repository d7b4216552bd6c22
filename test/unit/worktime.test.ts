import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isOpen,
  nextChange,
  parseHoliday,
  type WorkTimeRules,
  workStartsAt,
  workTimeOf,
} from '../../src/domain/lines/worktime.js';

/** The rules of a line with working hours on and these settings (a stored document's values). */
function rules(values: Record<string, unknown>, fallbackZone = 'UTC'): WorkTimeRules {
  return workTimeOf({ values: { WORKTIME_ENABLE: 'Y', ...values } }, fallbackZone);
}

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** isOpen at `from`, then each next change in turn. */
function walk(r: WorkTimeRules, from: string, steps: number): { open: boolean; changes: (string | null)[] } {
  const changes: (string | null)[] = [];
  let t: number | null = at(from);
  for (let i = 0; i < steps && t !== null; i++) {
    t = nextChange(r, t);
    changes.push(iso(t));
  }
  return { open: isOpen(r, at(from)), changes };
}

describe('worktime: the rules of a line', () => {
  it('WORKTIME_ENABLE=N: always working, nothing changes', () => {
    const r = workTimeOf({ values: { WORKTIME_ENABLE: 'N', WORKTIME_DAYOFF: ['MO', 'TU', 'WE', 'TH', 'FR'] } }, 'UTC');
    assert.equal(isOpen(r, at('2026-12-02T03:00:00Z')), true);
    assert.equal(nextChange(r, at('2026-12-02T03:00:00Z')), null);
  });

  it('the defaults: 9 to 18.30, both ends inclusive at minute precision', () => {
    const r = rules({}, 'UTC');
    assert.equal(isOpen(r, at('2026-12-02T08:59:59.999Z')), false);
    assert.equal(isOpen(r, at('2026-12-02T09:00:00Z')), true);
    assert.equal(isOpen(r, at('2026-12-02T18:30:59.999Z')), true);
    assert.equal(isOpen(r, at('2026-12-02T18:31:00Z')), false);
    assert.equal(iso(nextChange(r, at('2026-12-02T12:00:00.250Z'))), '2026-12-02T18:31:00.000Z');
    assert.equal(iso(nextChange(r, at('2026-12-02T18:31:00Z'))), '2026-12-03T09:00:00.000Z');
  });

  it('an empty or unknown WORKTIME_TIMEZONE reads in the portal zone', () => {
    assert.equal(rules({ WORKTIME_TIMEZONE: '' }, 'Europe/Berlin').timeZone, 'Europe/Berlin');
    assert.equal(rules({ WORKTIME_TIMEZONE: 'Mars/Olympus' }, 'Asia/Tokyo').timeZone, 'Asia/Tokyo');
    assert.equal(rules({ WORKTIME_TIMEZONE: 'America/New_York' }, 'UTC').timeZone, 'America/New_York');
  });
});

describe('worktime: DST in Europe/Berlin', () => {
  const berlin = { WORKTIME_TIMEZONE: 'Europe/Berlin', WORKTIME_FROM: '9', WORKTIME_TO: '18' };

  it('forward (29 March 2026): the Sunday opens at 9:00 summer time, 07:00 UTC', () => {
    const r = rules(berlin);
    // Saturday 23:00 CET.
    assert.deepEqual(walk(r, '2026-03-28T22:00:00Z', 2), {
      open: false,
      changes: ['2026-03-29T07:00:00.000Z', '2026-03-29T16:01:00.000Z'],
    });
  });

  it('forward: a boundary inside the skipped hour falls on the jump', () => {
    const r = rules({ ...berlin, WORKTIME_FROM: '2.30', WORKTIME_TO: '23.59' });
    // 01:30 CET: closed; 02:30 never happens, the wall clock goes 01:59:59 → 03:00 at 01:00 UTC.
    assert.equal(isOpen(r, at('2026-03-29T00:30:00Z')), false);
    assert.equal(iso(nextChange(r, at('2026-03-29T00:30:00Z'))), '2026-03-29T01:00:00.000Z');
    assert.equal(isOpen(r, at('2026-03-29T01:00:00Z')), true);
  });

  it('back (25 October 2026): the Sunday opens at 9:00 winter time, 08:00 UTC', () => {
    const r = rules(berlin);
    assert.deepEqual(walk(r, '2026-10-24T17:00:00Z', 2), {
      open: false,
      changes: ['2026-10-25T08:00:00.000Z', '2026-10-25T17:01:00.000Z'],
    });
  });

  it('back: the repeated hour is worked twice by the wall clock', () => {
    const r = rules({ ...berlin, WORKTIME_FROM: '0', WORKTIME_TO: '2.30' });
    // 02:15 CEST open; 02:31 CEST closed; 03:00 CEST becomes 02:00 CET: open again until 02:31 CET.
    assert.deepEqual(walk(r, '2026-10-25T00:15:00Z', 3), {
      open: true,
      changes: ['2026-10-25T00:31:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T01:31:00.000Z'],
    });
  });
});

describe('worktime: DST in America/New_York', () => {
  const ny = { WORKTIME_TIMEZONE: 'America/New_York', WORKTIME_FROM: '9', WORKTIME_TO: '17' };

  it('forward (8 March 2026): 9:00 EDT is 13:00 UTC', () => {
    assert.deepEqual(walk(rules(ny), '2026-03-07T23:00:00Z', 2), {
      open: false,
      changes: ['2026-03-08T13:00:00.000Z', '2026-03-08T21:01:00.000Z'],
    });
  });

  it('back (1 November 2026): 9:00 EST is 14:00 UTC', () => {
    assert.deepEqual(walk(rules(ny), '2026-10-31T22:00:00Z', 2), {
      open: false,
      changes: ['2026-11-01T14:00:00.000Z', '2026-11-01T22:01:00.000Z'],
    });
  });
});

describe('worktime: days in the line zone', () => {
  it('across midnight: Friday 23:30 in New York is Saturday in UTC, and still Friday for the line', () => {
    const r = rules({
      WORKTIME_TIMEZONE: 'America/New_York',
      WORKTIME_FROM: '0',
      WORKTIME_TO: '23.59',
      WORKTIME_DAYOFF: ['SA', 'SU'],
    });
    assert.deepEqual(walk(r, '2026-12-05T04:30:00Z', 2), {
      open: true,
      // Closes at Saturday 00:00 EST, opens at Monday 00:00 EST.
      changes: ['2026-12-05T05:00:00.000Z', '2026-12-07T05:00:00.000Z'],
    });
  });

  it('open around the clock: no change to report', () => {
    const r = rules({ WORKTIME_TIMEZONE: 'Europe/Berlin', WORKTIME_FROM: '0', WORKTIME_TO: '23.59' });
    assert.equal(isOpen(r, at('2026-03-29T01:30:00Z')), true);
    assert.equal(nextChange(r, at('2026-03-29T01:30:00Z')), null);
  });

  it('FROM after TO (never stored by the input pipeline) compares as the reference: never working', () => {
    const r = rules({ WORKTIME_FROM: '22', WORKTIME_TO: '6' });
    for (const hour of ['23', '03', '12']) assert.equal(isOpen(r, at(`2026-12-02T${hour}:00:00Z`)), false);
    assert.equal(nextChange(r, at('2026-12-02T23:00:00Z')), null);
  });

  it('a day off: every weekday listed is off all day; all seven: never opens', () => {
    const r = rules({ WORKTIME_TIMEZONE: 'Europe/Berlin', WORKTIME_DAYOFF: ['WE'] });
    // Wednesday 2 December 2026, 12:00 CET.
    assert.equal(isOpen(r, at('2026-12-02T11:00:00Z')), false);
    assert.equal(iso(nextChange(r, at('2026-12-02T11:00:00Z'))), '2026-12-03T08:00:00.000Z');
    const never = rules({ WORKTIME_DAYOFF: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] });
    assert.equal(isOpen(never, at('2026-12-02T11:00:00Z')), false);
    assert.equal(nextChange(never, at('2026-12-02T11:00:00Z')), null);
  });

  it('holidays: DD.MM in the line zone, day and month matched exactly', () => {
    const r = rules({ WORKTIME_TIMEZONE: 'Europe/Berlin', WORKTIME_HOLIDAYS: ['25.12', '1.01', '10.1'] });
    assert.equal(isOpen(r, at('2026-12-24T10:00:00Z')), true);
    assert.equal(isOpen(r, at('2026-12-25T10:00:00Z')), false);
    assert.equal(isOpen(r, at('2027-01-01T10:00:00Z')), false);
    assert.equal(isOpen(r, at('2027-01-10T10:00:00Z')), false);
    // "10.1" is 10 January, not 10 October (the reference's loose comparison; DECISIONS.md).
    assert.equal(isOpen(r, at('2026-10-10T10:00:00Z')), true);
    // Christmas Eve closes at 18:31, Christmas is skipped, the 26th opens at 9:00.
    assert.deepEqual(walk(r, '2026-12-24T10:00:00Z', 2), {
      open: true,
      changes: ['2026-12-24T17:31:00.000Z', '2026-12-26T08:00:00.000Z'],
    });
    // 25 December starts at 23:00 UTC on the 24th in Berlin.
    assert.equal(
      isOpen(
        rules({
          WORKTIME_HOLIDAYS: ['25.12'],
          WORKTIME_FROM: '0',
          WORKTIME_TO: '23.59',
          WORKTIME_TIMEZONE: 'Europe/Berlin',
        }),
        at('2026-12-24T23:30:00Z'),
      ),
      false,
    );
  });

  it('parseHoliday: D.M and DD.MM name a date; anything else none', () => {
    assert.equal(parseHoliday('01.05'), 501);
    assert.equal(parseHoliday('1.5'), 501);
    assert.equal(parseHoliday('10.10'), 1010);
    assert.equal(parseHoliday('32.01'), null);
    assert.equal(parseHoliday('01.13'), null);
    assert.equal(parseHoliday('0.1'), null);
    assert.equal(parseHoliday(''), null);
  });
});

describe('worktime: when work starts (KPI, §6)', () => {
  it('now while working; else the next opening, days off skipped; null when it never opens', () => {
    const r = rules({ WORKTIME_TIMEZONE: 'Europe/Berlin', WORKTIME_DAYOFF: ['SA', 'SU'] });
    assert.equal(iso(workStartsAt(r, at('2026-12-02T10:00:00Z'))), '2026-12-02T10:00:00.000Z');
    // Friday 20:00 CET: Monday 9:00.
    assert.equal(iso(workStartsAt(r, at('2026-12-04T19:00:00Z'))), '2026-12-07T08:00:00.000Z');
    const never = rules({ WORKTIME_DAYOFF: ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] });
    assert.equal(workStartsAt(never, at('2026-12-02T10:00:00Z')), null);
  });
});
