// The line form, generated from the catalogue projection (openlines.admin.catalogue.get): one section per group, one
// control per field chosen by its widget, labels, help and allowed values from the catalogue. Nothing here
// names a field. Only changed fields are sent (plus the fields they must be sent with), so a save never
// rewrites what the operator did not touch.

import { h, unescapeHtml } from './dom.js';

const QUEUE = 'QUEUE';

const text = (value) => (value === null || value === undefined ? '' : String(value));
const listOf = (value) => {
  if (Array.isArray(value)) return value.map(text).filter((v) => v !== '');
  if (value === null || value === undefined || value === '') return [];
  return String(value)
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
};

/** "9" / "18.30" (stored) → "09:00" / "18:30" (an <input type=time> value). */
function hourToTime(value) {
  const m = /^(\d{1,2})(?:[.:](\d{1,2}))?$/.exec(text(value).trim());
  if (!m) return '';
  const minutes = m[2] === undefined ? 0 : m[2].length === 1 ? Number(m[2]) * 10 : Number(m[2]);
  return `${m[1].padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}

/** Per widget: build the control, read its value as comparable text, and turn it into the wire value. */
const WIDGETS = {
  checkbox: {
    control: (f, value) =>
      h('input', { type: 'checkbox', id: `f-${f.name}`, name: f.name, checked: text(value) === 'Y' }),
    initial: (_f, value) => (text(value) === 'Y' ? 'Y' : 'N'),
    read: (_f, el) => (el.checked ? 'Y' : 'N'),
    param: (_f, canonical) => canonical,
  },
  number: {
    control: (f, value) =>
      h('input', {
        type: 'number',
        id: `f-${f.name}`,
        name: f.name,
        value: text(value),
        min: f.min,
        max: f.max,
        step: 1,
        inputmode: 'numeric',
      }),
    initial: (_f, value) => text(value),
    read: (_f, el) => el.value.trim(),
    param: (_f, canonical) => canonical,
  },
  select: {
    control: (f, value) =>
      h(
        'select',
        { id: `f-${f.name}`, name: f.name },
        f.values.map((v) =>
          h('option', { value: v, selected: text(value) === v }, f.valueLabels?.[v] ? `${f.valueLabels[v]} (${v})` : v),
        ),
      ),
    initial: (_f, value) => text(value),
    read: (_f, el) => el.value,
    param: (_f, canonical) => canonical,
  },
  text: {
    control: (f, value) =>
      h('input', {
        type: 'text',
        id: `f-${f.name}`,
        name: f.name,
        value: shownText(f, value),
        maxlength: f.maxLength,
        placeholder: f.autoDefault ? 'Automatic name' : undefined,
        autocomplete: 'off',
      }),
    initial: (f, value) => shownText(f, value),
    read: (_f, el) => el.value,
    param: (_f, canonical) => canonical,
  },
  textarea: {
    control: (f, value) =>
      h('textarea', { id: `f-${f.name}`, name: f.name, rows: 3, maxlength: f.maxLength, value: shownText(f, value) }),
    initial: (f, value) => shownText(f, value),
    read: (_f, el) => el.value,
    param: (_f, canonical) => canonical,
  },
  time: {
    control: (f, value) => h('input', { type: 'time', id: `f-${f.name}`, name: f.name, value: hourToTime(value) }),
    initial: (_f, value) => hourToTime(value),
    read: (_f, el) => el.value,
    param: (_f, canonical) => canonical,
  },
  days: {
    control: (f, value) => {
      const chosen = new Set(listOf(value));
      return h(
        'div',
        { class: 'days', id: `f-${f.name}`, role: 'group' },
        f.values.map((day) =>
          h(
            'label',
            { class: 'day' },
            h('input', { type: 'checkbox', name: `${f.name}[]`, value: day, checked: chosen.has(day) }),
            h('span', null, day),
          ),
        ),
      );
    },
    initial: (f, value) => {
      const chosen = new Set(listOf(value));
      return f.values.filter((d) => chosen.has(d)).join(',');
    },
    read: (_f, el) =>
      [...el.querySelectorAll('input:checked')]
        .map((input) => input.value)
        .filter(Boolean)
        .join(','),
    param: (_f, canonical) => listOf(canonical),
  },
  list: {
    control: (f, value) =>
      h('input', {
        type: 'text',
        id: `f-${f.name}`,
        name: f.name,
        value: listOf(value).join(', '),
        placeholder: f.kind === 'holidays' ? '1.01, 25.12' : '1, 7',
        autocomplete: 'off',
      }),
    initial: (_f, value) => listOf(value).join(','),
    read: (_f, el) => listOf(el.value).join(','),
    param: (f, canonical) => (canonical === '' ? (f.kind === 'userList' ? '' : []) : listOf(canonical)),
  },
  object: {
    control: (f, value) => {
      const current = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
      return h(
        'div',
        { class: 'object', id: `f-${f.name}`, role: 'group' },
        f.keys.map((key) =>
          h(
            'label',
            { class: 'object-key' },
            h('span', null, key),
            h('input', { type: 'text', name: `${f.name}.${key}`, dataset: { key }, value: text(current[key]) }),
          ),
        ),
      );
    },
    initial: (f, value) => {
      const current = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
      return JSON.stringify(f.keys.map((k) => text(current[k])));
    },
    read: (f, el) => JSON.stringify(f.keys.map((k) => el.querySelector(`[data-key="${k}"]`).value.trim())),
    param: (f, canonical) => {
      const values = JSON.parse(canonical);
      const out = {};
      f.keys.forEach((k, i) => {
        if (values[i] !== '') out[k] = values[i];
      });
      return Object.keys(out).length ? out : '';
    },
  },
  readonly: {
    control: (f, value) =>
      h('output', { id: `f-${f.name}`, class: 'readonly' }, value === null || value === undefined ? '—' : text(value)),
    initial: () => '',
    read: () => '',
    param: () => undefined,
  },
};

function shownText(f, value) {
  const raw = text(value);
  return f.htmlEscape ? unescapeHtml(raw) : raw;
}

/** The queue editor: ordered rows of (user | department, id), as CONFIG_QUEUE lists them. */
function queueEditor(entries) {
  const rows = h('ol', { class: 'queue-rows' });
  const addRow = (type = 'user', id = '') => {
    const row = h(
      'li',
      { class: 'queue-row' },
      h(
        'select',
        { 'aria-label': 'Entry type', class: 'queue-type' },
        h('option', { value: 'user', selected: type === 'user' }, 'User'),
        h('option', { value: 'department', selected: type === 'department' }, 'Department'),
      ),
      h('input', {
        type: 'number',
        min: 1,
        step: 1,
        class: 'queue-id',
        'aria-label': 'Id',
        placeholder: 'id',
        value: text(id),
      }),
      h('button', { type: 'button', class: 'icon-button', title: 'Remove', onclick: () => row.remove() }, '×'),
    );
    rows.append(row);
    return row;
  };
  for (const e of entries) addRow(e.type, e.id);
  const element = h(
    'div',
    { class: 'queue', id: `f-${QUEUE}` },
    rows,
    h(
      'button',
      {
        type: 'button',
        class: 'button small',
        id: 'queue-add',
        onclick: () => addRow().querySelector('input').focus(),
      },
      '+ Add operator or department',
    ),
  );
  const read = () =>
    [...rows.querySelectorAll('.queue-row')]
      .map((row) => ({ type: row.querySelector('select').value, id: row.querySelector('input').value.trim() }))
      .filter((e) => e.id !== '');
  return { element, read };
}

const queueText = (entries) => entries.map((e) => `${e.type}:${e.id}`).join(',');

/**
 * @param catalogue the projection from openlines.admin.catalogue.get
 * @param options.line the line as config.list.get prints it (strings), or null for a new line
 * @param options.configQueue CONFIG_QUEUE of the line ([{ENTITY_TYPE, ENTITY_ID}]), or the new line's start queue
 */
export function buildLineForm(catalogue, { line, configQueue }) {
  const isNew = line === null;
  const controls = new Map();
  const startQueue = (configQueue ?? []).map((e) => ({ type: e.ENTITY_TYPE, id: String(e.ENTITY_ID) }));
  const queue = queueEditor(startQueue);
  const queueInitial = queueText(startQueue);
  const sections = [];
  for (const group of catalogue.groups) {
    const fields = catalogue.fields.filter((f) => f.group === group.id && !(isNew && f.readOnly));
    if (fields.length === 0) continue;
    const items = [];
    if (group.id === 'queue') items.push(queueItem());
    for (const f of fields) {
      const widget = WIDGETS[f.widget] ?? WIDGETS.text;
      const value = isNew ? f.default : line[f.name];
      const control = widget.control(f, value);
      controls.set(f.name, { field: f, widget, control, initial: widget.initial(f, value) });
      items.push(fieldItem(f, control));
    }
    sections.push(
      h(
        'section',
        { class: 'group', id: `g-${group.id}` },
        h('h2', null, group.label),
        h('div', { class: 'fields' }, items),
      ),
    );
  }

  function queueItem() {
    return h(
      'div',
      { class: 'field wide', dataset: { field: QUEUE } },
      h('div', { class: 'label' }, h('span', { class: 'label-text' }, 'Queue'), h('code', null, QUEUE)),
      queue.element,
      h(
        'p',
        { class: 'help' },
        'Operators in order: users, and departments (every member, sub-departments included). An empty queue makes you the only operator.',
      ),
      h('p', { class: 'field-error', id: `e-${QUEUE}`, hidden: true }),
    );
  }

  function fieldItem(f, control) {
    const inline = f.widget === 'checkbox';
    const wide = f.widget === 'textarea' || f.widget === 'object' || f.widget === 'days';
    const label = h(
      'label',
      { class: 'label', for: f.widget === 'days' || f.widget === 'object' ? undefined : `f-${f.name}` },
      inline ? control : null,
      h('span', { class: 'label-text' }, f.label),
      h('code', null, f.name),
    );
    const hints = [f.help];
    if (f.unit) hints.push(`In ${f.unit}.`);
    return h(
      'div',
      {
        class: `field${inline ? ' inline' : ''}${wide ? ' wide' : ''}${f.readOnly ? ' is-readonly' : ''}`,
        dataset: { field: f.name },
      },
      label,
      inline ? null : control,
      h('p', { class: 'help' }, hints.join(' ')),
      h('p', { class: 'field-error', id: `e-${f.name}`, hidden: true }),
    );
  }

  const element = h('div', { class: 'line-form' }, sections);

  return {
    element,
    sections: catalogue.groups.filter((g) => element.querySelector(`#g-${g.id}`)),
    /** PARAMS for config.add/update: changed fields, the fields they go with, and QUEUE when it changed. */
    params() {
      const params = {};
      const changed = [];
      for (const [name, c] of controls) {
        if (c.field.readOnly) continue;
        if (c.widget.read(c.field, c.control) !== c.initial) changed.push(name);
      }
      const send = new Set(changed);
      for (const name of changed) for (const partner of controls.get(name).field.sendWith ?? []) send.add(partner);
      for (const name of send) {
        const c = controls.get(name);
        if (!c) continue;
        params[name] = c.widget.param(c.field, c.widget.read(c.field, c.control));
      }
      const entries = queue.read();
      if (queueText(entries) !== queueInitial || (isNew && entries.length)) {
        params[QUEUE] = entries.map((e) => ({ ENTITY_TYPE: e.type, ENTITY_ID: e.id }));
      }
      return params;
    },
    clearErrors() {
      for (const el of element.querySelectorAll('.field-error')) {
        el.hidden = true;
        el.textContent = '';
      }
      for (const el of element.querySelectorAll('.field.has-error')) el.classList.remove('has-error');
    },
    /** Shows a message under the field; false when the form has no such field. */
    showError(name, message) {
      const slot = element.querySelector(`#e-${CSS.escape(name)}`);
      if (!slot) return false;
      slot.textContent = message;
      slot.hidden = false;
      const field = slot.closest('.field');
      field?.classList.add('has-error');
      field?.scrollIntoView({ block: 'center', behavior: 'instant' });
      field?.querySelector('input, select, textarea')?.focus({ preventScroll: true });
      return true;
    },
  };
}
