// The admin page: sign-in, the list of lines (search, paging), the line form (create, edit, delete), the
// history of a line and the failed event deliveries. Routes live in the URL hash: #/lines?q=&page=, #/lines/new,
// #/lines/<id>, #/events.

import { ApiError, credential, parseCredential, rest } from './api.js';
import { clear, formatDate, h } from './dom.js';
import { renderFailedDeliveries } from './events.js';
import { buildLineForm } from './form.js';
import { renderHistory } from './history.js';
import { scheduleBadge } from './schedule.js';

const PAGE_SIZE = 20;

let chatPathCache = null;

/** The public path of the lines' customer chats (imopenlines.config.path.get PUBLIC_PATH), asked once. */
async function chatPath() {
  if (chatPathCache === null) {
    try {
      chatPathCache = (await rest('imopenlines.config.path.get')).result.PUBLIC_PATH ?? '/contact_center/';
    } catch {
      chatPathCache = '/contact_center/';
    }
  }
  return chatPathCache;
}

/** A link to a line's customer chat page, opened in a new tab. */
function chatLink(path, id) {
  return h(
    'a',
    { class: 'chat-link', href: `${path}${id}/`, target: '_blank', rel: 'noopener', title: 'Open the customer chat' },
    'chat ↗',
  );
}
const HISTORY_PAGE = 20;
const LIST_COLUMNS = ['ID', 'LINE_NAME', 'ACTIVE', 'QUEUE_TYPE', 'QUEUE_TIME', 'DATE_MODIFY'];

const app = document.getElementById('app');
const who = document.getElementById('who');
const notice = document.getElementById('notice');

let session = null;
let catalogue = null;
let noticeTimer = 0;

function describe(error) {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

function say(message, kind = 'ok') {
  clearTimeout(noticeTimer);
  notice.textContent = message;
  notice.className = `notice notice-${kind}`;
  notice.hidden = false;
  noticeTimer = setTimeout(() => {
    notice.hidden = true;
  }, 5000);
}

function field(name) {
  return catalogue.fields.find((f) => f.name === name);
}

function signOut() {
  credential.clear();
  session = null;
  location.hash = '#/';
  route();
}

function renderWho() {
  clear(who);
  if (!session) return;
  const via = session.AUTH_KIND === 'oauth' ? 'OAuth token' : 'webhook';
  who.append(
    h('a', { class: 'button ghost small', href: '#/events', id: 'nav-events' }, 'Failed events'),
    h('span', { class: 'who' }, `${session.PORTAL} · user ${session.USER_ID} · ${via}`),
    h('button', { type: 'button', class: 'button ghost small', id: 'sign-out', onclick: signOut }, 'Sign out'),
  );
}

// ---- Sign-in

function showSignIn(problem) {
  renderWho();
  const input = h('input', {
    type: 'password',
    id: 'credential',
    name: 'credential',
    autocomplete: 'off',
    spellcheck: 'false',
    placeholder: 'http://127.0.0.1:8080/rest/1/abc123…/',
    required: true,
  });
  const error = h('p', { class: 'form-error', id: 'sign-in-error', hidden: !problem }, problem ?? '');
  const submit = async (event) => {
    event.preventDefault();
    const cred = parseCredential(input.value);
    if (!cred) {
      error.textContent = 'Paste an incoming webhook URL (…/rest/<user>/<code>/) or an OAuth access token.';
      error.hidden = false;
      return;
    }
    try {
      session = (await rest('openlines.admin.session.get', {}, cred)).result;
      credential.set(cred);
      location.hash = '#/lines';
      await route();
    } catch (e) {
      error.textContent = `Sign-in refused: ${describe(e)}`;
      error.hidden = false;
    }
  };
  clear(app).append(
    h(
      'section',
      { class: 'card sign-in' },
      h('h1', null, 'Sign in'),
      h(
        'p',
        { class: 'muted' },
        'Use an incoming webhook of a portal administrator, or an OAuth access token. It is kept in this browser tab only and forgotten when the tab closes.',
      ),
      h(
        'form',
        { onsubmit: submit, id: 'sign-in-form' },
        h(
          'label',
          { for: 'credential', class: 'label' },
          h('span', { class: 'label-text' }, 'Webhook URL or access token'),
        ),
        input,
        error,
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'submit', class: 'button primary', id: 'sign-in' }, 'Sign in'),
        ),
      ),
    ),
  );
  input.focus();
}

// ---- The list of lines

function listHash(q, page) {
  const query = new URLSearchParams();
  if (q) query.set('q', q);
  if (page > 1) query.set('page', String(page));
  const text = query.toString();
  return `#/lines${text ? `?${text}` : ''}`;
}

function cellText(name, value) {
  const f = field(name);
  if (value === null || value === undefined) return '—';
  if (f?.kind === 'date') return formatDate(value);
  if (f?.valueLabels?.[value]) return f.valueLabels[value];
  if (f?.kind === 'yn') return value === 'Y' ? 'Yes' : 'No';
  if (f?.unit === 'seconds') return `${value} s`;
  return String(value);
}

async function showList(q, page) {
  const search = h('input', {
    type: 'search',
    id: 'search',
    placeholder: 'Search by name',
    value: q,
    'aria-label': 'Search lines by name',
  });
  let timer = 0;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      location.hash = listHash(search.value.trim(), 1);
    }, 300);
  });
  const body = h('div', { class: 'list-body' }, h('p', { class: 'loading' }, 'Loading lines…'));
  clear(app).append(
    h(
      'section',
      { class: 'card' },
      h(
        'div',
        { class: 'toolbar' },
        h('h1', null, 'Open lines'),
        h(
          'form',
          {
            class: 'search',
            role: 'search',
            onsubmit: (e) => {
              e.preventDefault();
              location.hash = listHash(search.value.trim(), 1);
            },
          },
          search,
        ),
        h('a', { class: 'button primary', href: '#/lines/new', id: 'new-line' }, '+ New line'),
      ),
      body,
    ),
  );
  if (q) {
    search.focus();
    search.setSelectionRange(q.length, q.length);
  }
  let answer;
  try {
    answer = await rest('imopenlines.config.list.get', {
      PARAMS: {
        select: LIST_COLUMNS,
        filter: q ? { '%LINE_NAME': q } : {},
        order: { ID: 'ASC' },
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
      },
    });
  } catch (e) {
    clear(body).append(h('p', { class: 'form-error' }, `Could not load the lines: ${describe(e)}`));
    return;
  }
  const rows = Array.isArray(answer.result) ? answer.result : [];
  const total = answer.total ?? rows.length;
  const publicPath = await chatPath();
  if (rows.length === 0) {
    clear(body).append(
      h('p', { class: 'empty' }, q ? `No line matches “${q}”.` : 'No lines yet. Create the first one.'),
    );
    return;
  }
  const first = (page - 1) * PAGE_SIZE + 1;
  const last = first + rows.length - 1;
  clear(body).append(
    h(
      'table',
      { class: 'lines', id: 'lines' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          LIST_COLUMNS.map((name) => h('th', { scope: 'col' }, field(name)?.label ?? name)),
        ),
      ),
      h(
        'tbody',
        null,
        rows.map((row) =>
          h(
            'tr',
            { dataset: { id: row.ID } },
            LIST_COLUMNS.map((name) =>
              h(
                'td',
                { class: `col-${name.toLowerCase()}` },
                name === 'LINE_NAME'
                  ? [h('a', { href: `#/lines/${row.ID}` }, row.LINE_NAME), ' ', chatLink(publicPath, row.ID)]
                  : name === 'ACTIVE'
                    ? h('span', { class: `pill ${row.ACTIVE === 'Y' ? 'on' : 'off'}` }, cellText(name, row[name]))
                    : cellText(name, row[name]),
              ),
            ),
          ),
        ),
      ),
    ),
    h(
      'nav',
      { class: 'pager', 'aria-label': 'Pages' },
      h('a', { class: 'button small', href: listHash(q, page - 1), hidden: page <= 1, id: 'prev-page' }, '‹ Previous'),
      h('span', { class: 'muted', id: 'page-info' }, `${first}–${last} of ${total}`),
      h('a', { class: 'button small', href: listHash(q, page + 1), hidden: last >= total, id: 'next-page' }, 'Next ›'),
    ),
  );
}

// ---- One line: form, history, delete

function confirmDelete(line) {
  return new Promise((resolve) => {
    const dialog = h(
      'dialog',
      { class: 'confirm', id: 'confirm-delete' },
      h(
        'form',
        { method: 'dialog' },
        h('h2', null, 'Delete this line?'),
        h(
          'p',
          null,
          `“${line.LINE_NAME}” (line ${line.ID}) and its queue will be removed. Its history stays. This cannot be undone.`,
        ),
        h(
          'div',
          { class: 'actions' },
          h('button', { value: 'cancel', class: 'button', id: 'cancel-delete' }, 'Cancel'),
          h('button', { value: 'delete', class: 'button danger', id: 'confirm-delete-button' }, 'Delete line'),
        ),
      ),
    );
    dialog.addEventListener('close', () => {
      dialog.remove();
      resolve(dialog.returnValue === 'delete');
    });
    document.body.append(dialog);
    dialog.showModal();
  });
}

async function loadHistory(panel, id, limit) {
  try {
    const answer = await rest('openlines.admin.history.get', { LINE_ID: id, LIMIT: limit });
    clear(panel).append(
      renderHistory(answer.result, answer.total, catalogue, () => loadHistory(panel, id, limit + HISTORY_PAGE)),
    );
  } catch (e) {
    clear(panel).append(h('p', { class: 'form-error' }, `Could not load the history: ${describe(e)}`));
  }
}

async function showEditor(id) {
  clear(app).append(h('p', { class: 'loading' }, 'Loading…'));
  let line = null;
  let configQueue = [{ ENTITY_TYPE: 'user', ENTITY_ID: String(session.USER_ID) }];
  if (id !== null) {
    try {
      const answer = await rest('imopenlines.config.list.get', {
        PARAMS: { filter: { ID: id } },
        OPTIONS: { CONFIG_QUEUE: 'Y' },
      });
      line = answer.result[0] ?? null;
    } catch (e) {
      clear(app).append(h('p', { class: 'form-error' }, `Could not load line ${id}: ${describe(e)}`));
      return;
    }
    if (!line) {
      clear(app).append(
        h(
          'section',
          { class: 'card' },
          h('h1', null, `Line ${id} does not exist`),
          h('a', { href: '#/lines' }, '‹ All lines'),
        ),
      );
      return;
    }
    configQueue = line.CONFIG_QUEUE ?? [];
  }
  const form = buildLineForm(catalogue, { line, configQueue });
  const banner = h('p', { class: 'form-error banner', id: 'form-error', hidden: true });
  const saveButton = h(
    'button',
    { type: 'submit', class: 'button primary', id: 'save' },
    id === null ? 'Create line' : 'Save changes',
  );

  const save = async (event) => {
    event.preventDefault();
    form.clearErrors();
    banner.hidden = true;
    const params = form.params();
    if (id !== null && Object.keys(params).length === 0) {
      say('Nothing changed.', 'info');
      return;
    }
    saveButton.disabled = true;
    try {
      if (id === null) {
        const answer = await rest('imopenlines.config.add', { PARAMS: params });
        say(`Line ${answer.result} created.`);
        location.hash = `#/lines/${answer.result}`;
      } else {
        await rest('imopenlines.config.update', { CONFIG_ID: id, PARAMS: params });
        say('Changes saved.');
        await showEditor(id);
      }
    } catch (e) {
      const placed = e instanceof ApiError && e.argument ? form.showError(e.argument, e.message) : false;
      banner.textContent = placed ? `Not saved: check ${e.argument}. ${e.message}` : `Not saved: ${describe(e)}`;
      banner.hidden = false;
      if (!placed) banner.scrollIntoView({ block: 'center' });
    } finally {
      saveButton.disabled = false;
    }
  };

  const remove = async () => {
    if (!(await confirmDelete(line))) return;
    try {
      await rest('imopenlines.config.delete', { CONFIG_ID: id });
      say(`Line ${id} deleted.`);
      location.hash = '#/lines';
    } catch (e) {
      say(`Could not delete: ${describe(e)}`, 'error');
    }
  };

  const nav = h(
    'nav',
    { class: 'groups', 'aria-label': 'Groups' },
    form.sections.map((g) => h('a', { href: `#g-${g.id}`, onclick: jumpTo(g.id) }, g.label)),
  );
  const historyPanel = h('div', { class: 'history-body', id: 'history' }, h('p', { class: 'loading' }, 'Loading…'));
  const title = id === null ? 'New line' : line.LINE_NAME;
  clear(app).append(
    h(
      'div',
      { class: 'editor' },
      h(
        'div',
        { class: 'editor-head' },
        h('a', { href: '#/lines', class: 'back' }, '‹ All lines'),
        h('h1', null, title, id === null ? null : h('span', { class: 'muted id' }, ` · line ${id}`)),
        id === null ? null : scheduleBadge(rest, id),
        id === null ? null : chatLink(await chatPath(), id),
      ),
      h(
        'div',
        { class: 'editor-grid' },
        nav,
        h(
          'form',
          { class: 'card form-card', id: 'line-form', onsubmit: save, novalidate: true },
          banner,
          form.element,
          h(
            'div',
            { class: 'savebar' },
            saveButton,
            h('a', { class: 'button', href: '#/lines' }, 'Cancel'),
            id === null
              ? null
              : h(
                  'button',
                  { type: 'button', class: 'button danger push', id: 'delete', onclick: remove },
                  'Delete line',
                ),
          ),
        ),
        id === null ? null : h('aside', { class: 'card history' }, h('h2', null, 'History'), historyPanel),
      ),
    ),
  );
  if (id !== null) await loadHistory(historyPanel, id, HISTORY_PAGE);
}

// ---- Failed event deliveries

const EVENTS_PAGE = 50;

async function showFailedEvents(limit = EVENTS_PAGE) {
  const body = h('div', { class: 'list-body', id: 'failed-events' }, h('p', { class: 'loading' }, 'Loading…'));
  clear(app).append(
    h(
      'section',
      { class: 'card' },
      h(
        'div',
        { class: 'toolbar' },
        h('h1', null, 'Failed event deliveries'),
        h('a', { href: '#/lines' }, '‹ All lines'),
      ),
      h(
        'p',
        { class: 'muted' },
        'Deliveries to applications’ handlers that failed after their last attempt. Retry makes one due now with its attempts reset.',
      ),
      body,
    ),
  );
  let answer;
  try {
    answer = await rest('openlines.admin.events.failed', { LIMIT: limit });
  } catch (e) {
    clear(body).append(h('p', { class: 'form-error' }, `Could not load the deliveries: ${describe(e)}`));
    return;
  }
  const retry = async (delivery) => {
    try {
      await rest('openlines.admin.events.retry', { ID: delivery.id });
      say(`Delivery ${delivery.id} is due now.`);
      await showFailedEvents(limit);
    } catch (e) {
      say(`Could not retry: ${describe(e)}`, 'error');
    }
  };
  clear(body).append(
    renderFailedDeliveries(answer.result, answer.total ?? answer.result.length, {
      retry,
      more: () => showFailedEvents(limit + EVENTS_PAGE),
    }),
  );
}

function jumpTo(groupId) {
  return (event) => {
    event.preventDefault();
    document.getElementById(`g-${groupId}`)?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  };
}

// ---- Routing

async function route() {
  const cred = credential.get();
  if (!cred) return showSignIn();
  try {
    session ??= (await rest('openlines.admin.session.get', {}, cred)).result;
    catalogue ??= (await rest('openlines.admin.catalogue.get', {}, cred)).result;
  } catch (e) {
    credential.clear();
    session = null;
    return showSignIn(`Signed out: ${describe(e)}`);
  }
  renderWho();
  const hash = location.hash || '#/lines';
  const [path, query = ''] = hash.slice(1).split('?');
  if (path === '/lines/new') return showEditor(null);
  if (path === '/events') return showFailedEvents();
  const match = /^\/lines\/(\d+)$/.exec(path);
  if (match) return showEditor(Number(match[1]));
  const params = new URLSearchParams(query);
  const page = Math.max(1, Number.parseInt(params.get('page') ?? '1', 10) || 1);
  return showList(params.get('q') ?? '', page);
}

window.addEventListener('hashchange', () => {
  route();
});
route();
