// PHP date('c') in the portal's time zone, and which zones exist: the dates of `time` blocks, lines and history.

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormatters.set(timeZone, f);
  }
  return f;
}

/** The zone's UTC offset in minutes at an instant, as Intl reports it (slow: formatToParts). */
function exactOffsetMinutes(epochMs: number, timeZone: string): number {
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(epochMs))) parts[p.type] = p.value;
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  return Math.round((local - epochMs) / 60_000);
}

const HOUR_MS = 3_600_000;
const OFFSET_CACHE_HOURS = 10_000;
/** Per zone: UTC hour → the offset that holds through that whole hour (issue 10: Intl was ~4% of a call). */
const offsetsByHour = new Map<string, Map<number, number>>();

function offsetMinutes(epochMs: number, timeZone: string): number {
  if (timeZone === 'UTC') return 0;
  const hour = Math.floor(epochMs / HOUR_MS);
  let zone = offsetsByHour.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsetsByHour.set(timeZone, zone);
  }
  const known = zone.get(hour);
  if (known !== undefined) return known;
  // Zones change offset at most once in an hour, so equal offsets at both ends mean no change inside it.
  const first = exactOffsetMinutes(hour * HOUR_MS, timeZone);
  if (first !== exactOffsetMinutes(hour * HOUR_MS + HOUR_MS - 1000, timeZone)) {
    return exactOffsetMinutes(epochMs, timeZone);
  }
  if (zone.size >= OFFSET_CACHE_HOURS) zone.clear();
  zone.set(hour, first);
  return first;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** PHP date('c'): 2026-11-23T10:25:59+01:00 in the portal's zone; seconds, no fraction, never "Z". */
export function formatPhpDate(epochMs: number, timeZone: string): string {
  const whole = Math.floor(epochMs / 1000) * 1000;
  const offset = offsetMinutes(whole, timeZone);
  const local = new Date(whole + offset * 60_000);
  const abs = Math.abs(offset);
  return `${local.getUTCFullYear()}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())}T${pad2(
    local.getUTCHours(),
  )}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())}${offset < 0 ? '-' : '+'}${pad2(
    Math.floor(abs / 60),
  )}:${pad2(abs % 60)}`;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}
