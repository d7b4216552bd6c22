// The success envelope: {"result": …, "time": {…}} plus top-level next/total (openlines-api.md §1.4).

export interface TimeBlock {
  start: number;
  finish: number;
  duration: number;
  processing: number;
  date_start: string;
  date_finish: string;
  operating_reset_at: number;
  operating: number;
}

export interface SuccessBody {
  result: unknown;
  next?: number;
  total?: number;
  time: TimeBlock;
}

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

/** PHP date('c'): 2026-11-23T10:25:59+01:00 in the portal's zone; seconds, no fraction, never "Z". */
export function formatPhpDate(epochMs: number, timeZone: string): string {
  const whole = Math.floor(epochMs / 1000) * 1000;
  const parts: Record<string, string> = {};
  for (const p of formatterFor(timeZone).formatToParts(new Date(whole))) parts[p.type] = p.value;
  const local = Date.UTC(
    Number(parts.year),
    Number(parts.month) - 1,
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
  );
  const offsetMinutes = Math.round((local - whole) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface Timing {
  startMs: number;
  processingMs: number;
  operatingSeconds: number;
  operatingResetAt: number;
}

export function timeBlock(t: Timing, finishMs: number, timeZone: string): TimeBlock {
  return {
    start: t.startMs / 1000,
    finish: finishMs / 1000,
    duration: (finishMs - t.startMs) / 1000,
    processing: t.processingMs / 1000,
    date_start: formatPhpDate(t.startMs, timeZone),
    date_finish: formatPhpDate(finishMs, timeZone),
    operating_reset_at: t.operatingResetAt,
    operating: t.operatingSeconds,
  };
}
