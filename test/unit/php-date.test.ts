// formatPhpDate computes the local time from a cached per-hour offset (issue 10); it must print exactly what
// the zone's rules give for the instant, which Intl's formatToParts tells directly. Compared over random
// instants in zones with DST (both hemispheres), half- and quarter-hour offsets, and around transitions.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatPhpDate } from '../../src/wire/php-date.js';

const ZONES = [
  'UTC',
  'Europe/Berlin',
  'America/New_York',
  'America/St_Johns',
  'Australia/Lord_Howe',
  'Australia/Adelaide',
  'Asia/Kathmandu',
  'Asia/Kolkata',
  'Pacific/Chatham',
  'America/Sao_Paulo',
  'Africa/Casablanca',
  'Europe/Moscow',
];

const formats = new Map<string, Intl.DateTimeFormat>();

/** date('c') straight from Intl, slowly: the zone's local fields for this very instant, and their offset. */
function viaIntl(epochMs: number, timeZone: string): string {
  const whole = Math.floor(epochMs / 1000) * 1000;
  const parts: Record<string, string> = {};
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formats.set(timeZone, format);
  }
  for (const p of format.formatToParts(new Date(whole))) parts[p.type] = p.value;
  const local = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!, +parts.second!);
  const offset = Math.round((local - whole) / 60_000);
  const abs = Math.abs(offset);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

describe('formatPhpDate', () => {
  it('prints the seed example', () => {
    assert.equal(formatPhpDate(Date.UTC(2026, 10, 23, 9, 25, 59, 900), 'Europe/Berlin'), '2026-11-23T10:25:59+01:00');
    assert.equal(formatPhpDate(Date.UTC(2026, 10, 23, 9, 25, 59), 'UTC'), '2026-11-23T09:25:59+00:00');
  });

  it('agrees with Intl at random instants from 1990 to 2090', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2090, 0, 1) }),
        (zone, ms) => formatPhpDate(ms, zone) === viaIntl(ms, zone),
      ),
      { numRuns: 3000 },
    );
  });

  it('agrees with Intl every few minutes around the DST changes of 2026', () => {
    const days = [Date.UTC(2026, 2, 29), Date.UTC(2026, 9, 25), Date.UTC(2026, 2, 8), Date.UTC(2026, 10, 1)];
    const southern = [Date.UTC(2026, 3, 5), Date.UTC(2026, 9, 4)];
    for (const zone of ZONES) {
      for (const day of [...days, ...southern]) {
        for (let ms = day - 12 * 3_600_000; ms < day + 36 * 3_600_000; ms += 7 * 60_000 + 13_000) {
          assert.equal(formatPhpDate(ms, zone), viaIntl(ms, zone), `${zone} at ${new Date(ms).toISOString()}`);
        }
      }
    }
  });
});
