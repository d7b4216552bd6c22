// The operator's workplace: sign in (a webhook URL or an OAuth token, kept in sessionStorage only), pause or
// resume, the sessions offered to you, your own ones and the ones you finished, a conversation with its messages
// and system notes, a reply box, the operator actions and the session's history. Everything goes through /rest/
// like any client (the admin page's api.js). Live updates come from openlines.workplace.stream — server-sent events
// under /rest/ with the same credentials, read with the browser's EventSource, which reconnects by itself and
// resumes from the last event id (a server restart included). Only while the stream is down are the lists read
// again every few seconds (imopenlines.v2.Session.list); `?poll=<ms>` sets that interval, `?stream=0` polls only.

import { ApiError, credential, parseCredential, rest } from '../admin/api.js';
import { clear, h } from '../admin/dom.js';

const PAGE_PARAMS = new URLSearchParams(location.search);
const POLL_MS = Math.max(500, Number(PAGE_PARAMS.get('poll')) || 2500);
/** `?stream=0`: no stream, polling only (what the page falls back to; for trying and testing that mode). */
const STREAM_OFF = PAGE_PARAMS.get('stream') === '0';
const STREAM = 'openlines.workplace.stream';
const app = document.getElementById('app');
const who = document.getElementById('who');

let current = null; // the open chat id
let timer = 0;
let paused = false;
/** The live stream (EventSource) and the timer that retries it after it failed for good. */
let source = null;
let retryTimer = 0;

function describe(error) {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}

/** BB-code as plain text: [br] is a new line, other tags go. */
function plain(text) {
  return String(text)
    .replace(/\[br\]/gi, '\n')
    .replace(/\[USER=(\d+)\]([^[]*)\[\/USER\]/gi, (_m, id, name) => name || userNames.get(Number(id)) || `user ${id}`)
    .replace(/\[\/?(b|i|u|s|url[^\]]*|user[^\]]*)\]/gi, '');
}

// ---- Sign-in

function showSignIn(problem) {
  stopLive();
  clear(who);
  const input = h('input', {
    id: 'credential',
    name: 'credential',
    class: 'input',
    type: 'password',
    autocomplete: 'off',
    placeholder: 'http://…/rest/<user>/<code>/ or an OAuth token',
  });
  const error = h('p', { class: 'form-error', id: 'sign-in-error', role: 'alert', hidden: !problem }, problem ?? '');
  const submit = async (event) => {
    event.preventDefault();
    const parsed = parseCredential(input.value);
    if (!parsed) {
      error.textContent = 'Paste a webhook URL (…/rest/<user>/<code>/) or an OAuth access token.';
      error.hidden = false;
      return;
    }
    try {
      await rest('imopenlines.operator.pause.get', {}, parsed);
    } catch (e) {
      error.textContent = `Sign-in failed: ${describe(e)}`;
      error.hidden = false;
      return;
    }
    credential.set(parsed);
    void showWorkplace();
  };
  clear(app).append(
    h(
      'section',
      { class: 'card sign-in' },
      h('h1', null, 'Operator sign-in'),
      h(
        'form',
        { onsubmit: submit, id: 'sign-in-form' },
        h('label', { for: 'credential', class: 'label' }, 'Your webhook URL or OAuth token'),
        input,
        error,
        h('button', { type: 'submit', class: 'button primary', id: 'sign-in' }, 'Sign in'),
      ),
    ),
  );
  input.focus();
}

// ---- The workplace

async function showWorkplace() {
  const cred = credential.get();
  if (!cred) return showSignIn();
  const presence = h('button', { type: 'button', class: 'button small', id: 'presence', onclick: togglePause }, '…');
  const signOut = h(
    'button',
    {
      type: 'button',
      class: 'button small ghost',
      id: 'sign-out',
      onclick: () => {
        credential.clear();
        showSignIn();
      },
    },
    'Sign out',
  );
  clear(who).append(
    h('span', { class: 'live', id: 'live', role: 'status', dataset: { state: 'connecting' } }, 'Connecting…'),
    h('span', { class: 'who' }, cred.kind === 'webhook' ? `user ${cred.userId}` : 'OAuth'),
    presence,
    signOut,
  );
  clear(app).append(
    h(
      'div',
      { class: 'workplace' },
      h(
        'aside',
        { class: 'card sessions' },
        h('h2', null, 'Offered to you'),
        h('ul', { class: 'session-list', id: 'offered' }),
        h('h2', null, 'Your conversations'),
        h('ul', { class: 'session-list', id: 'own' }),
        h('h2', null, 'Finished'),
        h('ul', { class: 'session-list', id: 'finished' }),
        h('h2', null, 'Alerts'),
        h('ul', { class: 'session-list', id: 'alerts', 'aria-live': 'polite' }),
      ),
      h(
        'section',
        { class: 'card conversation', id: 'conversation' },
        h('p', { class: 'empty' }, 'Choose a conversation.'),
      ),
    ),
  );
  renderSessions();
  await Promise.all([refreshPresence(), loadAlerts()]);
  if (STREAM_OFF) {
    setLive('polling');
    startPolling();
  } else startLive(cred);
}

// ---- Live: the workplace stream, and polling only while it is down

function setLive(state) {
  const badge = document.getElementById('live');
  if (!badge) return;
  badge.dataset.state = state;
  badge.textContent = { live: 'Live', reconnecting: 'Reconnecting…', polling: 'Polling', connecting: 'Connecting…' }[
    state
  ];
}

function streamUrl(cred) {
  if (cred.kind === 'webhook') return `/rest/${cred.userId}/${encodeURIComponent(cred.code)}/${STREAM}`;
  return `/rest/${STREAM}?auth=${encodeURIComponent(cred.token)}`;
}

function startPolling() {
  if (timer) return;
  void refresh();
  timer = setInterval(() => void refresh(), POLL_MS);
}

function stopPolling() {
  clearInterval(timer);
  timer = 0;
}

function stopLive() {
  stopPolling();
  clearTimeout(retryTimer);
  source?.close();
  source = null;
}

function startLive(cred) {
  source?.close();
  const stream = new EventSource(streamUrl(cred));
  source = stream;
  const on = (name, handle) =>
    stream.addEventListener(name, (event) => {
      if (source === stream) handle(JSON.parse(event.data));
    });
  on('OnOpenlinesWorkplaceState', (data) => {
    setLive('live');
    stopPolling();
    sessions.clear();
    for (const item of data.SESSIONS) sessions.set(item.SESSION.id, item);
    renderSessions();
    if (current !== null) void loadMessages();
  });
  on('OnOpenlinesSessionOffer', (data) => upsertSession(data));
  on('OnOpenlinesSessionUpdate', (data) => upsertSession(data));
  on('OnOpenlinesMessageAdd', (data) => {
    if (data.CHAT_ID === current) void loadMessages();
    else if (data.MESSAGE.author_id !== 0 && !unread.has(data.CHAT_ID)) {
      unread.add(data.CHAT_ID);
      renderSessions();
    }
  });
  on('OnOpenlinesNotifyAdd', () => void loadAlerts());
  stream.onerror = () => {
    if (source !== stream) return;
    if (stream.readyState === EventSource.CLOSED) {
      // Refused (an HTTP error, e.g. while a server shuts down): poll, and try the stream again in a while.
      setLive('polling');
      startPolling();
      clearTimeout(retryTimer);
      retryTimer = setTimeout(() => {
        const again = credential.get();
        if (again && source === stream) startLive(again);
      }, 5000);
    } else {
      // The browser reconnects by itself (and resumes from the last event id); meanwhile the lists are polled.
      setLive('reconnecting');
      startPolling();
    }
  };
}

function renderPresence() {
  const button = document.getElementById('presence');
  if (!button) return;
  button.textContent = paused ? 'Paused · resume' : 'Online · pause';
  button.className = `button small ${paused ? '' : 'primary'}`;
  button.setAttribute('aria-pressed', String(paused));
}

async function togglePause() {
  try {
    await rest(paused ? 'imopenlines.operator.pause.stop' : 'imopenlines.operator.pause.start');
    paused = !paused;
    renderPresence();
  } catch (e) {
    showProblem(e);
  }
}

function showProblem(error) {
  if (error instanceof ApiError && (error.status === 401 || error.code === 'NO_AUTH_FOUND')) {
    credential.clear();
    showSignIn('Your sign-in is no longer valid; sign in again.');
    return;
  }
  const box = document.getElementById('conversation');
  if (box) {
    const line = box.querySelector('.form-error') ?? h('p', { class: 'form-error', role: 'alert' });
    line.textContent = describe(error);
    box.prepend(line);
  }
}

function sessionItem(item) {
  const session = item.SESSION;
  const votes = { like: ' · 👍 liked', dislike: ' · 👎 disliked' };
  const state = item.CLOSING
    ? ' · finished'
    : session.status === 'closed' || session.status === 'spam'
      ? ' · closed'
      : '';
  const fresh = unread.has(session.chatId);
  const label = `${fresh ? '● ' : ''}Chat ${session.chatId} · line ${session.configId}${state}${votes[session.vote] ?? ''}`;
  return h(
    'li',
    null,
    h(
      'button',
      {
        type: 'button',
        class: `session-item${session.chatId === current ? ' current' : ''}${fresh ? ' unread' : ''}`,
        title: fresh ? 'New messages' : null,
        dataset: { chatId: String(session.chatId), sessionId: String(session.id), status: session.status },
        onclick: () => open(session.chatId),
      },
      label,
    ),
  );
}

/** The sessions shown, by id, as the stream sends them: {SESSION (the v2.Session.list item), WAIT_ANSWER, CLOSING}. */
const sessions = new Map();
/** Chats with messages (not system notes) that came while another conversation was open. */
const unread = new Set();
/** Sessions closed for good while this tab watched them: shown under Finished. */
const closedHere = new Map();
/** Names of the users the open conversation's messages name (im.dialog.messages.get `users`). */
const userNames = new Map();

function upsertSession(item) {
  const id = item.SESSION.id;
  if (item.VISIBLE) sessions.set(id, item);
  else {
    const before = sessions.get(id);
    sessions.delete(id);
    if (before && !before.WAIT_ANSWER && ['closed', 'spam'].includes(item.SESSION.status)) closedHere.set(id, item);
  }
  renderSessions();
}

function renderSessions() {
  const offered = document.getElementById('offered');
  const own = document.getElementById('own');
  const finished = document.getElementById('finished');
  if (!offered || !own || !finished) return;
  const all = [...sessions.values()].sort((a, b) => b.SESSION.id - a.SESSION.id);
  const waiting = all.filter((s) => s.WAIT_ANSWER);
  const mine = all.filter((s) => !s.WAIT_ANSWER && !s.CLOSING);
  const done = [...all.filter((s) => !s.WAIT_ANSWER && s.CLOSING), ...[...closedHere.values()].reverse()].slice(0, 10);
  const list = (items, empty) => (items.length ? items.map(sessionItem) : [h('li', { class: 'muted' }, empty)]);
  clear(offered).append(...list(waiting, 'Nothing waiting.'));
  clear(own).append(...list(mine, 'None yet.'));
  clear(finished).append(...list(done, 'None.'));
}

async function refreshPresence() {
  try {
    paused = (await rest('imopenlines.operator.pause.get')).result === true;
    renderPresence();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) showProblem(e);
  }
}

/** The fallback while the stream is down: the sessions you may see (imopenlines.v2.Session.list). */
async function refresh() {
  let list;
  try {
    list = await rest('imopenlines.v2.Session.list', { limit: 50, order: 'dateCreate', orderDirection: 'desc' });
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return showProblem(e);
    return;
  }
  if (source && source.readyState === EventSource.OPEN && timer === 0) return;
  sessions.clear();
  for (const s of list.result.sessions) {
    if (s.status !== 'new' && s.status !== 'answered' && s.status !== 'paused') continue;
    // The v2 item does not tell a finished session (status 50) from an answered one: the stream does.
    sessions.set(s.id, { SESSION: s, WAIT_ANSWER: s.status === 'new', CLOSING: false, VISIBLE: true });
  }
  renderSessions();
  if (current !== null) await loadMessages();
  rounds += 1;
  if (rounds % 2 === 1) await loadAlerts();
}

let rounds = 0;

async function loadAlerts() {
  const box = document.getElementById('alerts');
  if (!box) return;
  let answer;
  try {
    answer = await rest('im.notify.get', { LIMIT: 5 });
  } catch {
    return;
  }
  const items = answer.result.notifications ?? [];
  clear(box).append(
    ...(items.length
      ? items.map((n) => h('li', { class: 'alert-item', dataset: { id: String(n.id) } }, plain(n.text)))
      : [h('li', { class: 'muted' }, 'No alerts.')]),
  );
}

function open(chatId) {
  current = chatId;
  if (unread.delete(chatId)) renderSessions();
  for (const item of document.querySelectorAll('.session-item')) {
    item.classList.toggle('current', Number(item.dataset.chatId) === chatId);
  }
  const box = document.getElementById('conversation');
  const text = h('textarea', { id: 'reply-text', rows: 2, placeholder: 'Your reply… (Enter sends)' });
  const send = async () => {
    if (text.value.trim() === '') return;
    try {
      await rest('im.message.add', { DIALOG_ID: `chat${chatId}`, MESSAGE: text.value });
      text.value = '';
      await loadMessages();
    } catch (e) {
      showProblem(e);
    }
  };
  text.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void send();
    }
  });
  const action = (id, label, method, extra = {}) =>
    h(
      'button',
      {
        type: 'button',
        class: `button small${id === 'finish' ? ' danger' : ''}`,
        id,
        onclick: async () => {
          try {
            await rest(method, { CHAT_ID: chatId, ...extra });
            const done = document.getElementById('action-result');
            if (done) done.textContent = `${label}: done`;
            if (timer) await refresh();
          } catch (e) {
            showProblem(e);
          }
        },
      },
      label,
    );
  async function transfer(event) {
    event.preventDefault();
    const to = document.getElementById('transfer-to').value.trim();
    if (to === '') return;
    try {
      await rest('imopenlines.operator.transfer', { CHAT_ID: chatId, TRANSFER_ID: to });
      document.getElementById('action-result').textContent = `Transferred to ${to}`;
      if (timer) await refresh();
    } catch (e) {
      showProblem(e);
    }
  }
  clear(box).append(
    h(
      'div',
      { class: 'conversation-head' },
      h('h2', null, `Chat ${chatId}`),
      action('answer', 'Answer', 'imopenlines.operator.answer'),
      action('skip', 'Skip', 'imopenlines.operator.skip'),
      action('pin', 'Pin', 'imopenlines.session.mode.pin'),
      action('spam', 'Spam', 'imopenlines.operator.spam'),
      action('finish', 'Finish', 'imopenlines.operator.finish'),
      h(
        'button',
        { type: 'button', class: 'button small ghost', id: 'history', onclick: () => showHistory(chatId) },
        'History',
      ),
    ),
    h('section', { class: 'history', id: 'history-view', hidden: true, 'aria-label': 'Session history' }),
    h(
      'form',
      { class: 'transfer', id: 'transfer-form', onsubmit: transfer },
      h('label', { for: 'transfer-to', class: 'label' }, 'Transfer to'),
      h('input', { id: 'transfer-to', type: 'text', class: 'input', placeholder: 'a user id, or queue<line id>' }),
      h('button', { type: 'submit', class: 'button small', id: 'transfer' }, 'Transfer'),
    ),
    h('p', { class: 'muted', id: 'action-result', role: 'status', 'aria-live': 'polite' }),
    h('ol', { class: 'op-messages', id: 'messages', 'aria-live': 'polite' }),
    h(
      'div',
      { class: 'reply' },
      text,
      h('button', { type: 'button', class: 'button primary', id: 'reply-send', onclick: send }, 'Send'),
    ),
  );
  void loadMessages();
}

async function loadMessages() {
  const chatId = current;
  let answer;
  try {
    answer = await rest('im.dialog.messages.get', { DIALOG_ID: `chat${chatId}`, LIMIT: 50 });
  } catch (e) {
    return showProblem(e);
  }
  if (chatId !== current) return;
  const list = document.getElementById('messages');
  if (!list) return;
  const users = new Map(answer.result.users.map((u) => [u.id, u]));
  for (const user of answer.result.users) if (!user.connector) userNames.set(user.id, user.name);
  const messages = [...answer.result.messages].sort((a, b) => a.id - b.id);
  const known = [...list.children].map((li) => li.dataset.id).join(',');
  if (known === messages.map((m) => String(m.id)).join(',')) return;
  clear(list).append(
    ...messages.map((m) => {
      const user = users.get(m.author_id);
      const kind = m.author_id === 0 ? 'system' : user?.connector ? 'customer' : 'operator';
      return h(
        'li',
        { class: `op-message from-${kind}`, dataset: { id: String(m.id) } },
        kind === 'system' ? null : h('strong', null, `${user?.name || 'User'}: `),
        plain(m.text),
      );
    }),
  );
  list.scrollTop = list.scrollHeight;
}

if (credential.get()) void showWorkplace();
else showSignIn();

// ---- The session's history (imopenlines.session.history.get): the messages of the chat's newest session

async function showHistory(chatId) {
  const box = document.getElementById('history-view');
  if (!box) return;
  let answer;
  try {
    answer = await rest('imopenlines.session.history.get', { CHAT_ID: chatId });
  } catch (e) {
    return showProblem(e);
  }
  if (chatId !== current) return;
  const history = answer.result;
  const users = history.users ?? {};
  const ids = history.usersMessage?.[`chat${chatId}`] ?? Object.keys(history.message ?? {}).map(Number);
  const items = ids
    .map((id) => history.message[id])
    .filter(Boolean)
    .map((m) => {
      const name = m.senderid === 0 ? 'System' : (users[m.senderid]?.name ?? `User ${m.senderid}`);
      const when = new Date(m.date).toLocaleString();
      return h(
        'li',
        { class: `history-item${m.senderid === 0 ? ' from-system' : ''}`, dataset: { id: String(m.id) } },
        h('span', { class: 'history-meta' }, `${when} · ${name}`),
        plain(m.text),
      );
    });
  clear(box).append(
    h(
      'div',
      { class: 'history-head' },
      h('h3', null, `Session ${history.sessionId} · history`),
      h(
        'button',
        {
          type: 'button',
          class: 'button small ghost',
          id: 'history-close',
          onclick: () => {
            box.hidden = true;
            document.getElementById('history')?.focus();
          },
        },
        'Close',
      ),
    ),
    h('ol', { class: 'history-list', id: 'history-list' }, ...items),
  );
  box.hidden = false;
  document.getElementById('history-close')?.focus();
}
