// The failed-deliveries panel: event deliveries that failed after their last attempt (openlines.admin.events.failed),
// newest first, each with its application, handler, attempts and last error, and a Retry button
// (openlines.admin.events.retry: due now, attempts reset; the server sends it within a second or so).

import { formatDate, h } from './dom.js';

/**
 * The panel's table; `retry(delivery)` is called by a row's button and resolves when the server has answered.
 * `more` is called by the "Show older" button when older failures exist.
 */
export function renderFailedDeliveries(deliveries, total, { retry, more }) {
  if (deliveries.length === 0) return h('p', { class: 'empty', id: 'no-failed' }, 'No failed deliveries.');
  return h(
    'div',
    null,
    h(
      'table',
      { class: 'lines deliveries', id: 'deliveries' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          ['ID', 'Event', 'Application', 'Handler', 'Attempts', 'Failed', 'Last error', ''].map((title) =>
            h('th', { scope: 'col' }, title),
          ),
        ),
      ),
      h(
        'tbody',
        null,
        deliveries.map((d) => {
          const button = h('button', { type: 'button', class: 'button small', dataset: { retry: d.id } }, 'Retry');
          button.addEventListener('click', async () => {
            button.disabled = true;
            try {
              await retry(d);
            } finally {
              button.disabled = false;
            }
          });
          return h(
            'tr',
            { dataset: { id: d.id } },
            h('td', { class: 'col-id' }, String(d.id)),
            h('td', null, h('code', null, d.event)),
            h('td', { title: d.app }, d.appName || d.app || '(removed)'),
            h('td', { class: 'value', title: d.handler }, d.handler),
            h('td', null, String(d.attempt)),
            h('td', null, d.failedAt ? h('time', { datetime: d.failedAt }, formatDate(d.failedAt)) : '—'),
            h('td', { class: 'last-error' }, d.lastError ?? '—'),
            h('td', null, button),
          );
        }),
      ),
    ),
    deliveries.length < total
      ? h('button', { type: 'button', class: 'button small', onclick: more }, 'Show older failures')
      : null,
  );
}
