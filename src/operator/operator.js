// The operator's workplace: sign in (a webhook URL or an OAuth token, kept in sessionStorage only), pause or
// resume, the sessions offered to you and your own ones, a conversation with its messages and system notes, a
// reply box and the operator actions. Everything goes through /rest/ like any client (the admin page's api.js);
// the lists and the open conversation are read again every few seconds, so new offers and replies appear
// without a reload.

import { ApiError, credential, parseCredential, rest } from '../admin/api.js';
import { clear, h } from '../admin/dom.js';

const POLL_MS = 2500;
const app = document.getElementById('app');
const who = document.getElementById('who');

let current = null; // the open chat id
let timer = 0;
let paused = false;

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
  clearInterval(timer);
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
  await refresh();
  clearInterval(timer);
  timer = setInterval(() => void refresh(), POLL_MS);
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

function sessionItem(session) {
  const votes = { like: ' · 👍 liked', dislike: ' · 👎 disliked' };
  const label = `Chat ${session.chatId} · line ${session.configId}${votes[session.vote] ?? ''}`;
  return h(
    'li',
    null,
    h(
      'button',
      {
        type: 'button',
        class: `session-item${session.chatId === current ? ' current' : ''}`,
        dataset: { chatId: String(session.chatId), status: session.status },
        onclick: () => open(session.chatId),
      },
      label,
    ),
  );
}

let sessions = [];
/** Names of the users the open conversation's messages name (im.dialog.messages.get `users`). */
const userNames = new Map();

async function refresh() {
  try {
    const [pause, list] = await Promise.all([
      rest('imopenlines.operator.pause.get'),
      rest('imopenlines.v2.Session.list', { limit: 50, order: 'dateCreate', orderDirection: 'desc' }),
    ]);
    paused = pause.result === true;
    renderPresence();
    sessions = list.result.sessions.filter((s) => s.status === 'new' || s.status === 'answered');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return showProblem(e);
    return;
  }
  const offered = document.getElementById('offered');
  const own = document.getElementById('own');
  if (!offered || !own) return;
  const waiting = sessions.filter((s) => s.status === 'new');
  const mine = sessions.filter((s) => s.status === 'answered');
  clear(offered).append(
    ...(waiting.length ? waiting.map(sessionItem) : [h('li', { class: 'muted' }, 'Nothing waiting.')]),
  );
  clear(own).append(...(mine.length ? mine.map(sessionItem) : [h('li', { class: 'muted' }, 'None yet.')]));
  if (current !== null) await loadMessages();
  // The KPI alerts addressed to you (im.notify.get), every other round: the calls stay under the rate plan.
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
            await refresh();
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
      await refresh();
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
    ),
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
