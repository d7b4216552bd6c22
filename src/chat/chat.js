// The customer chat of a line: the conversation so far (api/state), new messages live (api/stream, server-sent
// events, reconnecting by itself), and the visitor's messages (api/messages). The visitor is named by an HttpOnly
// cookie the server sets, so the chat survives a reload. Texts go in as text, never as markup.

const list = document.getElementById('messages');
const empty = document.getElementById('chat-empty');
const status = document.getElementById('status');
const form = document.getElementById('compose');
const input = document.getElementById('text');
const errorLine = document.getElementById('chat-error');
const sendButton = document.getElementById('send');

const rate = document.getElementById('rate');

const shown = new Set();
let voted = false;
let lastId = 0;
let stream = null;

/** BB-code of system and operator texts, as plain text: [br] is a new line, other tags go. */
function plain(text) {
  return String(text)
    .replace(/\[br\]/gi, '\n')
    .replace(/\[USER=(\d+)\]([^[]*)\[\/USER\]/gi, (_m, _id, name) => name || 'an operator')
    .replace(/\[\/?(b|i|u|s|url[^\]]*|user[^\]]*)\]/gi, '');
}

function time(iso) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function add(message) {
  if (shown.has(message.id)) return;
  shown.add(message.id);
  lastId = Math.max(lastId, message.id);
  const item = document.createElement('li');
  item.className = `chat-message from-${message.author}`;
  item.dataset.id = String(message.id);
  if (message.author === 'operator') {
    const who = document.createElement('span');
    who.className = 'chat-author';
    who.textContent = message.name || 'Operator';
    item.append(who);
  }
  const body = document.createElement('span');
  body.className = 'chat-text';
  body.textContent = plain(message.text);
  item.append(body);
  const at = document.createElement('span');
  at.className = 'chat-time';
  at.textContent = time(message.date);
  item.append(at);
  list.append(item);
  empty.hidden = true;
  if (message.author === 'operator' && !voted) rate.hidden = false;
  item.scrollIntoView({ block: 'end' });
}

function showError(text) {
  errorLine.textContent = text;
  errorLine.hidden = text === '';
}

async function readJson(response) {
  try {
    return await response.json();
  } catch {
    return null;
  }
}

function connect() {
  if (stream) stream.close();
  stream = new EventSource(`api/stream?after=${lastId}`);
  stream.addEventListener('open', () => {
    status.textContent = 'Online';
  });
  stream.addEventListener('messages', (event) => {
    for (const message of JSON.parse(event.data)) add(message);
  });
  stream.addEventListener('error', () => {
    status.textContent = 'Reconnecting…';
    // The browser retries by itself; a stream the server refused (closed for good) is opened again later.
    if (stream.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
  });
}

async function start() {
  let body = null;
  try {
    body = await readJson(await fetch('api/state', { cache: 'no-store' }));
  } catch {
    body = null;
  }
  if (!body || body.error) {
    status.textContent = 'Unavailable';
    showError(body?.error_description ?? 'The chat cannot be reached; try again in a moment.');
    if (!body) setTimeout(start, 3000);
    return;
  }
  const { line, messages } = body.result;
  document.getElementById('line-name').textContent = line.name;
  document.title = line.name;
  if (line.voteText) document.getElementById('rate-text').textContent = plain(line.voteText);
  for (const message of messages) add(message);
  if (!line.active) {
    status.textContent = 'Closed';
    showError('The chat is turned off on this line.');
    sendButton.disabled = true;
    input.disabled = true;
    return;
  }
  connect();
}

async function send() {
  const text = input.value;
  if (text.trim() === '') return;
  sendButton.disabled = true;
  showError('');
  try {
    const response = await fetch('api/messages', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ text }),
      cache: 'no-store',
    });
    const body = await readJson(response);
    if (!response.ok || !body || body.error) {
      showError(body?.error_description ?? `The message was not sent (HTTP ${response.status}).`);
      return;
    }
    input.value = '';
    // Shown at once, without waiting for the stream's next look.
    const fresh = await readJson(await fetch('api/state', { cache: 'no-store' }));
    for (const message of fresh?.result?.messages ?? []) add(message);
  } catch {
    showError('The message was not sent: the server cannot be reached.');
  } finally {
    sendButton.disabled = false;
    input.focus();
  }
}

/** Like or dislike: the thanks comes back as a system message. */
async function vote(value) {
  showError('');
  try {
    const response = await fetch('api/vote', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ vote: value }),
      cache: 'no-store',
    });
    const body = await readJson(response);
    if (!response.ok || !body || body.error) {
      showError(body?.error_description ?? `The rating was not sent (HTTP ${response.status}).`);
      return;
    }
    voted = true;
    rate.hidden = true;
    const fresh = await readJson(await fetch('api/state', { cache: 'no-store' }));
    for (const message of fresh?.result?.messages ?? []) add(message);
  } catch {
    showError('The rating was not sent: the server cannot be reached.');
  }
}

document.getElementById('like').addEventListener('click', () => void vote('like'));
document.getElementById('dislike').addEventListener('click', () => void vote('dislike'));

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void send();
});
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    void send();
  }
});

void start();
