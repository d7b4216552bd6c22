// A line's working hours (runtime-sessions.md §4; DECISIONS.md "The line at work"): whether the line works at a
// moment, and when that next changes. Pure: the rules are read from the line once, then every question is answered
// from the instant alone, in the line's zone (WORKTIME_TIMEZONE, or the portal's), DST-correct through Intl.
//
// The reference's rule, at minute precision in the zone's wall clock: off on a listed weekday (WORKTIME_DAYOFF), off
// on a listed DD.MM (WORKTIME_HOLIDAYS), otherwise working iff FROM ≤ H.MM ≤ TO, both ends inclusive ("18.30" is
// still working, 18:31 is not). There are no overnight ranges: a FROM after TO (the input pipeline never stores
// one) compares as the reference does and never works. WORKTIME_ENABLE=N: always working.

import { isValidTimeZone } from '../../wire/php-date.js';
import { parseHour } from './field-kinds.js';
import { type Line, lineValue } from './line.js';

const MINUTE_MS = 60_000;
const DAY_MINUTES = 24 * 60;
/** How far nextChange looks ahead: a year and a little, so a yearly holiday list is always crossed once. */
const HORIZON_MS = 370 * 24 * 3600 * 1000;
const DAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

export interface WorkTimeRules {
  readonly enabled: boolean;
  /** The zone the rules are read in (the line's, or the fallback when the line names none or an unknown one). */
  readonly timeZone: string;
  /** Minutes after local midnight; both ends inclusive at minute precision. */
  readonly fromMinute: number;
  readonly toMinute: number;
  /** ISO weekdays off, 1 = Monday … 7 = Sunday. */
  readonly daysOff: ReadonlySet<number>;
  /** Holidays as `month * 100 + day` (1 May = 501): day and month compared exactly, as numbers. */
  readonly holidays: ReadonlySet<number>;
}

/** The wall clock of a zone at an instant. */
interface Wall {
  /** The wall time as if it were UTC (local year … millisecond). */
  readonly wallMs: number;
  /** wallMs - instant: the zone's offset then. */
  readonly offsetMs: number;
  readonly month: number;
  readonly day: number;
  /** 1 = Monday … 7 = Sunday. */
  readonly isoWeekday: number;
  /** Minutes after local midnight. */
  readonly minute: number;
}

/**
 * A holiday entry (`DD.MM`, `D.M`) as `month * 100 + day`, or null when it names no date. Exact: `10.1` is the
 * tenth of January (the reference's loose PHP comparison would also take it for `10.10`; DECISIONS.md).
 */
export function parseHoliday(entry: string): number | null {
  const m = /^(\d{1,2})\.(\d{1,2})$/.exec(entry.trim());
  if (!m) return null;
  const day = Number(m[1]);
  const month = Number(m[2]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return null;
  return month * 100 + day;
}

const toMinute = (raw: unknown, fallback: number): number => {
  const parsed = parseHour(raw);
  return parsed ? Math.min(parsed.hours * 60 + parsed.minutes, DAY_MINUTES - 1) : fallback;
};

/** The working-hours rules of a line; `fallbackZone` (the portal's) when WORKTIME_TIMEZONE is empty or unknown. */
export function workTimeOf(line: Pick<Line, 'values'>, fallbackZone: string): WorkTimeRules {
  const zone = lineValue(line, 'WORKTIME_TIMEZONE').trim();
  const holidays = new Set<number>();
  for (const entry of lineValue(line, 'WORKTIME_HOLIDAYS')) {
    const date = parseHoliday(String(entry));
    if (date !== null) holidays.add(date);
  }
  const daysOff = new Set<number>();
  for (const code of lineValue(line, 'WORKTIME_DAYOFF')) {
    const index = DAY_CODES.indexOf(String(code).toUpperCase() as (typeof DAY_CODES)[number]);
    if (index >= 0) daysOff.add(index + 1);
  }
  return {
    enabled: lineValue(line, 'WORKTIME_ENABLE') === 'Y',
    timeZone: zone !== '' && isValidTimeZone(zone) ? zone : fallbackZone,
    fromMinute: toMinute(lineValue(line, 'WORKTIME_FROM'), 9 * 60),
    toMinute: toMinute(lineValue(line, 'WORKTIME_TO'), 18 * 60 + 30),
    daysOff,
    holidays,
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function wallAt(atMs: number, timeZone: string): Wall {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  const parts: Record<string, number> = {};
  for (const p of f.formatToParts(new Date(atMs))) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const year = parts.year!;
  const month = parts.month!;
  const day = parts.day!;
  const hour = parts.hour! % 24;
  const millis = ((atMs % 1000) + 1000) % 1000;
  const wallMs = Date.UTC(year, month - 1, day, hour, parts.minute!, parts.second!) + millis;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return {
    wallMs,
    offsetMs: wallMs - atMs,
    month,
    day,
    isoWeekday: weekday === 0 ? 7 : weekday,
    minute: hour * 60 + parts.minute!,
  };
}

function worksAt(rules: WorkTimeRules, wall: Wall): boolean {
  if (rules.daysOff.has(wall.isoWeekday)) return false;
  if (rules.holidays.has(wall.month * 100 + wall.day)) return false;
  return rules.fromMinute <= wall.minute && wall.minute <= rules.toMinute;
}

/** True when the line works at `atMs` (always, with WORKTIME_ENABLE=N). */
export function isOpen(rules: WorkTimeRules, atMs: number): boolean {
  return !rules.enabled || worksAt(rules, wallAt(atMs, rules.timeZone));
}

/**
 * The first instant after `atMs` at which isOpen differs from isOpen(atMs), or null when it does not change within
 * about a year (working hours off, every day off, open around the clock).
 *
 * The state depends only on the wall clock's date and minute, so it can change only where the wall clock reaches
 * local midnight, FROM or the minute after TO, or where it jumps (a DST change). The walk goes from one such
 * instant to the next, finding a jump between two by bisection.
 */
export function nextChange(rules: WorkTimeRules, atMs: number): number | null {
  if (!rules.enabled || rules.daysOff.size === 7) return null;
  const start = isOpen(rules, atMs);
  const boundaries = [rules.fromMinute, rules.toMinute + 1, DAY_MINUTES].map((m) => m * MINUTE_MS);
  let at = atMs;
  while (at - atMs < HORIZON_MS) {
    const wall = wallAt(at, rules.timeZone);
    const midnight = wall.wallMs - (wall.wallMs % (DAY_MINUTES * MINUTE_MS));
    const sinceMidnight = wall.wallMs - midnight;
    const step = boundaries.find((b) => b > sinceMidnight)! - sinceMidnight;
    let next = at + step;
    if (wallAt(next, rules.timeZone).offsetMs !== wall.offsetMs) next = jumpBetween(rules.timeZone, at, next);
    at = next;
    if (worksAt(rules, wallAt(at, rules.timeZone)) !== start) return at;
  }
  return null;
}

/** The instant of the offset change in (lo, hi]: zones change on whole seconds, so bisect over seconds. */
function jumpBetween(timeZone: string, lo: number, hi: number): number {
  const before = wallAt(lo, timeZone).offsetMs;
  let low = Math.floor(lo / 1000); // the old offset holds at this second
  let high = Math.ceil(hi / 1000); // the new one at this
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (wallAt(mid * 1000, timeZone).offsetMs === before) low = mid;
    else high = mid;
  }
  return high * 1000;
}

/**
 * When work starts at or after `atMs`: `atMs` while working, else the next opening (KPI deadlines start there, §6;
 * the reference's getNextWorkDayStart); null when the line does not open within about a year.
 */
export function workStartsAt(rules: WorkTimeRules, atMs: number): number | null {
  return isOpen(rules, atMs) ? atMs : nextChange(rules, atMs);
}
