// The line's working hours at a glance, next to its name: "open now · until 21:00 Europe/Berlin" or
// "closed · opens Mon 28 Dec 09:00 Europe/Berlin", from openlines.line.schedule (the same rules the sessions use).
// Its dates come in the line's zone, so the wall clock is read straight from them.

import { h } from './dom.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** The wall clock of a PHP date ('2026-12-28T09:00:00+01:00') as a UTC epoch, so arithmetic keeps the wall time. */
function wallOf(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5])) : Number.NaN;
}

const pad = (n) => String(n).padStart(2, '0');

/** "09:00" today, "Mon 28 Dec 09:00" another day. */
function when(wallMs, todayMs) {
  const d = new Date(wallMs);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  if (Math.floor(wallMs / 86_400_000) === Math.floor(todayMs / 86_400_000)) return time;
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${time}`;
}

/** The text for an openlines.line.schedule answer. */
export function describeSchedule(s) {
  const now = wallOf(s.TIME);
  if (s.NEXT_CHANGE === null) return s.OPEN ? 'open now' : 'closed · does not open within a year';
  const change = wallOf(s.NEXT_CHANGE);
  // The last working minute is still working (the reference's inclusive end): it closes after it.
  return s.OPEN
    ? `open now · until ${when(change - 60_000, now)} ${s.TIMEZONE}`
    : `closed · opens ${when(change, now)} ${s.TIMEZONE}`;
}

/** A badge that fills itself from openlines.line.schedule; quietly empty when the call fails. */
export function scheduleBadge(rest, lineId) {
  const badge = h('span', { class: 'schedule muted', id: 'schedule' });
  rest('openlines.line.schedule', { CONFIG_ID: lineId })
    .then((answer) => {
      badge.textContent = describeSchedule(answer.result);
      badge.dataset.open = answer.result.OPEN ? 'Y' : 'N';
    })
    .catch(() => {
      badge.remove();
    });
  return badge;
}
