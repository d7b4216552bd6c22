// The history panel: revisions newest first, each with who changed the line, how they were signed in, and
// the field-level diff. Created and deleted lines list only the fields that differ from their defaults.

import { formatDate, h } from './dom.js';

const VERB = { add: 'Created', update: 'Updated', delete: 'Deleted' };
const AUTH = { webhook: 'webhook', app: 'OAuth app', cli: 'command line' };

function sameJson(a, b) {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function formatValue(field, value) {
  if (value === null || value === undefined || value === '') return '—';
  if (field === 'QUEUE' && Array.isArray(value)) {
    return value.length
      ? value.map((e) => ('department' in e ? `department ${e.department}` : `user ${e.user}`)).join(', ')
      : '(empty)';
  }
  if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function cell(field, value) {
  const text = formatValue(field, value);
  return h(
    'td',
    { class: 'value', title: text.length > 80 ? text : undefined },
    text.length > 80 ? `${text.slice(0, 80)}…` : text,
  );
}

function fieldCell(byName, name) {
  const f = byName.get(name);
  return h('th', { scope: 'row' }, f ? f.label : 'Queue', h('code', null, name));
}

function changeTable(revision, changes, byName) {
  const isUpdate = revision.action === 'update';
  return h(
    'table',
    { class: 'diff' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, 'Field'),
        isUpdate ? h('th', null, 'Before') : null,
        h('th', null, isUpdate ? 'After' : 'Value'),
      ),
    ),
    h(
      'tbody',
      null,
      changes.map((c) =>
        h(
          'tr',
          { dataset: { field: c.field } },
          fieldCell(byName, c.field),
          isUpdate ? cell(c.field, c.before) : null,
          cell(c.field, revision.action === 'delete' ? c.before : c.after),
        ),
      ),
    ),
  );
}

function revisionItem(revision, byName) {
  let shown = revision.changes;
  let hidden = [];
  if (revision.action !== 'update') {
    const isDefault = (c) => {
      const f = byName.get(c.field);
      return f !== undefined && sameJson(revision.action === 'delete' ? c.before : c.after, f.default);
    };
    shown = revision.changes.filter((c) => !isDefault(c));
    hidden = revision.changes.filter(isDefault);
  }
  return h(
    'li',
    { class: `revision action-${revision.action}`, dataset: { revision: revision.id } },
    h(
      'div',
      { class: 'revision-head' },
      h('span', { class: `badge badge-${revision.action}` }, VERB[revision.action] ?? revision.action),
      h('time', { datetime: revision.date }, formatDate(revision.date)),
    ),
    h(
      'p',
      { class: 'revision-who' },
      `by user ${revision.userId} · ${AUTH[revision.authKind] ?? revision.authKind} `,
      h('code', null, revision.credentialId),
    ),
    shown.length ? changeTable(revision, shown, byName) : null,
    hidden.length
      ? h(
          'details',
          { class: 'defaults' },
          h('summary', null, `${hidden.length} fields at their defaults`),
          changeTable(revision, hidden, byName),
        )
      : null,
  );
}

/** The panel's list; `more` is called by the "Show older" button when older revisions exist. */
export function renderHistory(revisions, total, catalogue, more) {
  const byName = new Map(catalogue.fields.map((f) => [f.name, f]));
  if (revisions.length === 0) return h('p', { class: 'muted' }, 'No changes recorded yet.');
  return h(
    'div',
    null,
    h(
      'ol',
      { class: 'revisions' },
      revisions.map((r) => revisionItem(r, byName)),
    ),
    revisions.length < total
      ? h('button', { type: 'button', class: 'button small', onclick: more }, 'Show older changes')
      : null,
  );
}
