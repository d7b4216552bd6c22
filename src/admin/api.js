// The credential (kept in sessionStorage only: it dies with the tab) and the one kind of call the page makes: a
// REST method through /rest/ (imopenlines.config.* for lines, openlines.admin.* for the session, the catalogue
// and the history), in strict mode so a bad value comes back as ERROR_ARGUMENT naming the field.

const KEY = 'openlines.admin.credential';

export class ApiError extends Error {
  constructor(code, description, argument, status) {
    super(description || code);
    this.code = code;
    this.argument = argument;
    this.status = status;
  }
}

/** Reads what the operator typed: a webhook URL (…/rest/<user>/<code>/), "<user>:<code>", or an OAuth token. */
export function parseCredential(text) {
  const input = String(text ?? '').trim();
  if (input === '') return null;
  const url = /\/rest\/(\d{1,10})\/([^/?#\s]{1,128})/.exec(input);
  if (url) return { kind: 'webhook', userId: url[1], code: url[2] };
  const pair = /^(\d{1,10})[:/]([^/?#\s:]{1,128})\/?$/.exec(input);
  if (pair) return { kind: 'webhook', userId: pair[1], code: pair[2] };
  if (/^\S{8,512}$/.test(input)) return { kind: 'token', token: input };
  return null;
}

export const credential = {
  get() {
    try {
      const raw = sessionStorage.getItem(KEY);
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  },
  set(value) {
    sessionStorage.setItem(KEY, JSON.stringify(value));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

async function readAnswer(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok || (body && typeof body === 'object' && 'error' in body)) {
    throw new ApiError(
      body?.error ?? `HTTP_${response.status}`,
      body?.error_description ?? response.statusText,
      body?.argument,
      response.status,
    );
  }
  return body;
}

/** One REST method call; resolves to the whole answer ({result, total?, next?, time}). */
export async function rest(method, params = {}, cred = credential.get()) {
  if (!cred) throw new ApiError('NO_AUTH_FOUND', 'Not signed in');
  const headers = { 'Content-Type': 'application/json', 'X-Openlines-Strict': '1' };
  let url = `/rest/${method}.json`;
  if (cred.kind === 'webhook') url = `/rest/${cred.userId}/${encodeURIComponent(cred.code)}/${method}.json`;
  else headers.Authorization = `Bearer ${cred.token}`;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(params), cache: 'no-store' });
  return readAnswer(response);
}
