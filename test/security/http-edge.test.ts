// The HTTP edge under hostile clients (issue 8): header injection through the X-Openlines-Warnings header,
// oversized headers (Node's 16 KiB limit → a clean 431), slow clients cut off by the request timeout while others
// are served, and hundreds of idle or half-sent connections that do not stop the server answering others.
// Raw sockets show the bytes as sent and received. Waits are bounded guards against hangs, never assertions on
// how long something took.

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';

/** Bytes received on a raw socket until it closes (or the guard expires: then `closed` is false). */
function rawExchange(
  url: string,
  write: (socket: Socket) => void | Promise<void>,
  guardMs = 30_000,
): Promise<{ text: string; closed: boolean }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let text = '';
    const guard = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false });
    }, guardMs);
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(guard);
      resolve({ text, closed: true });
    });
    void write(socket);
  });
}

/** The header block of a raw answer, one line per header. */
function headerLines(text: string): string[] {
  return text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n');
}

describe('X-Openlines-Warnings cannot inject headers', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  const hostile = [
    'bogus\r\nSet-Cookie: injected=1',
    'x\nX-Injected: 1',
    'x\r\n\r\n<html>body</html>',
    'é ✓ 💥 \u0000 \u0007 \u2028',
  ];

  it('values and key names with CR/LF and non-ASCII are escaped inside one ASCII header', async () => {
    for (const value of hostile) {
      const body = JSON.stringify({
        PARAMS: { LINE_NAME: 'Warned', QUEUE_TYPE: value, [value]: 'unknown key', MAX_CHAT: value },
      });
      const { text } = await rawExchange(t.url, (socket) => {
        socket.write(
          `POST /rest/1/${t.webhookCode}/imopenlines.config.add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
      });
      const lines = headerLines(text);
      assert.match(lines[0]!, /^HTTP\/1\.1 200 /, text);
      assert.ok(!lines.some((l) => /^(set-cookie|x-injected):/i.test(l)), `no injected header: ${lines.join(' | ')}`);
      const warning = lines.find((l) => l.toLowerCase().startsWith('x-openlines-warnings:'));
      assert.ok(warning, 'the warnings header is there');
      assert.ok(!/[^\x20-\x7e]/.test(warning), 'printable ASCII only');
      const items = JSON.parse(warning.slice(warning.indexOf(':') + 1).trim()) as { field: string; sent: unknown }[];
      const queueType = items.find((w) => w.field === 'QUEUE_TYPE');
      assert.equal(queueType?.sent, value, 'the sent value survives, escaped');
      assert.equal(text.slice(text.indexOf('\r\n\r\n') + 4).startsWith('{"result":'), true);
    }
  });

  it('batch command keys and form-encoded keys with CR/LF stay inside the header too', async () => {
    const key = 'a\r\nSet-Cookie: b=1';
    const body = `cmd[${encodeURIComponent(key)}]=${encodeURIComponent('imopenlines.config.add?PARAMS[QUEUE_TYPE]=x%0D%0AX-Injected:%201')}&PARAMS%0D%0AX-Injected=1`;
    const { text } = await rawExchange(t.url, (socket) => {
      socket.write(
        `POST /rest/1/${t.webhookCode}/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
    });
    const lines = headerLines(text);
    assert.match(lines[0]!, /^HTTP\/1\.1 200 /, text);
    assert.ok(!lines.some((l) => /^(set-cookie|x-injected):/i.test(l)), lines.join(' | '));
    const warning = lines.find((l) => l.toLowerCase().startsWith('x-openlines-warnings:'))!;
    const fields = (JSON.parse(warning.slice(warning.indexOf(':') + 1)) as { field: string }[]).map((w) => w.field);
    assert.ok(fields.includes(`cmd[${key}].QUEUE_TYPE`), JSON.stringify(fields));
  });

  it('thousands of warnings stay one bounded header', async () => {
    const params: Record<string, string> = { LINE_NAME: 'Many' };
    for (let i = 0; i < 3_000; i++) params[`UNKNOWN_${i}\r\nX: ${'y'.repeat(50)}`] = 'z'.repeat(200);
    const answer = await t.call('imopenlines.config.add', { PARAMS: params });
    assert.equal(answer.status, 200, answer.text);
    const header = answer.headers.get('x-openlines-warnings')!;
    assert.ok(header.length <= 6_200, `bounded: ${header.length}`);
    const items = JSON.parse(header) as { field: string; reason: string }[];
    assert.equal(items.at(-1)!.field, '*');
    assert.match(items.at(-1)!.reason, /^\d+ more warnings not shown$/);
  });
});

describe('oversized headers', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  for (const [name, request] of [
    [
      'one huge header',
      () => `GET /rest/1/x/imopenlines.revision.get HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ],
    ['a huge URL', () => `GET /rest/1/x/imopenlines.revision.get?q=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    [
      'many headers',
      () =>
        `GET /rest/1/x/imopenlines.revision.get HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 1_500 }, (_, i) => `X-H${i}: ${'v'.repeat(10)}\r\n`).join('')}\r\n`,
    ],
  ] as const) {
    it(`${name}: 431 and the connection closed, then the server answers others`, async () => {
      const { text, closed } = await rawExchange(t.url, (socket) => {
        socket.write(request());
      });
      assert.ok(closed, 'the server closes the connection');
      assert.match(text, /^HTTP\/1\.1 431 /, text.slice(0, 200));
      const next = await t.call('imopenlines.revision.get');
      assert.equal(next.status, 200, next.text);
    });
  }
});

describe('what the router refuses', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  // The router's limit applies to named parameters (/admin/:file) once decoded; /rest/* is a wildcard.
  for (const path of [`/admin/${'%0D%0A'.repeat(1_100)}`, `/admin/${'a'.repeat(3_000)}`]) {
    it(`a path segment over 2048 characters (${path.slice(0, 13)}…): 400 INVALID_REQUEST, the URL not echoed`, async () => {
      const answer = await fetch(`${t.url}${path}`);
      assert.equal(answer.status, 400);
      const body = (await answer.json()) as { error: string; error_description: string };
      assert.equal(body.error, 'INVALID_REQUEST');
      assert.doesNotMatch(body.error_description, /%0D|\r|aaaa/);
      const next = await t.call('imopenlines.revision.get');
      assert.equal(next.status, 200, next.text);
    });
  }
});

describe('slow clients are cut off by the request timeout', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer({ settings: { requestTimeoutSeconds: 1 } });
  });
  after(() => t.close());

  /** Writes one byte every 100 ms until the server closes the connection (bounded by the guard). */
  const trickle = (prefix: string, rest: string) =>
    rawExchange(t.url, async (socket) => {
      socket.write(prefix);
      for (let i = 0; i < rest.length && !socket.destroyed; i++) {
        await new Promise((r) => setTimeout(r, 100));
        if (!socket.destroyed) socket.write(rest[i]!);
      }
    });

  it('headers sent one byte at a time: 408 and closed, while other clients are served', async () => {
    const slow = trickle(
      `POST /rest/1/${t.webhookCode}/imopenlines.revision.get HTTP/1.1\r\nHost: x\r\n`,
      `X-Slow: ${'s'.repeat(2_000)}\r\n\r\n`,
    );
    for (let i = 0; i < 5; i++) assert.equal((await t.call('imopenlines.revision.get')).status, 200);
    const { text, closed } = await slow;
    assert.ok(closed, 'the slow client was cut off');
    assert.ok(text === '' || /^HTTP\/1\.1 408 /.test(text), text.slice(0, 200));
  });

  it('a body sent one byte at a time: 408 and closed, while other clients are served', async () => {
    const body = JSON.stringify({ PARAMS: { LINE_NAME: 's'.repeat(2_000) } });
    const slow = trickle(
      `POST /rest/1/${t.webhookCode}/imopenlines.config.add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${body.length}\r\n\r\n`,
      body,
    );
    for (let i = 0; i < 5; i++) assert.equal((await t.call('imopenlines.revision.get')).status, 200);
    const { text, closed } = await slow;
    assert.ok(closed, 'the slow client was cut off');
    assert.ok(text === '' || /^HTTP\/1\.1 408 /.test(text), text.slice(0, 200));
    const lines = await t.call('imopenlines.config.list.get', { PARAMS: { limit: 0 } });
    assert.equal(lines.body.total, 0, 'the cut-off request wrote nothing');
  });

  it('a connection that never sends a byte is closed too', async () => {
    const { closed } = await rawExchange(t.url, () => {});
    assert.ok(closed);
  });
});

describe('many connections', () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer();
  });
  after(() => t.close());

  it('300 idle keep-alive and half-sent connections: the server keeps answering others', async () => {
    const { hostname, port } = new URL(t.url);
    const open = (): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => resolve(socket));
        socket.on('error', reject);
      });
    const idle: Socket[] = [];
    const halfSent: Socket[] = [];
    let halfSentClosed = 0;
    try {
      // Keep-alive connections that made one request and then stay idle.
      await Promise.all(
        Array.from({ length: 150 }, async () => {
          const socket = await open();
          idle.push(socket);
          await new Promise<void>((resolve) => {
            let seen = '';
            socket.on('data', (c: Buffer) => {
              seen += c.toString('latin1');
              if (seen.includes('\r\n\r\n') && seen.endsWith('}')) resolve();
            });
            socket.write(`GET /rest/1/${t.webhookCode}/imopenlines.revision.get HTTP/1.1\r\nHost: x\r\n\r\n`);
          });
        }),
      );
      // Connections that sent half a request line and nothing more.
      for (let i = 0; i < 150; i++) {
        const socket = await open();
        socket.on('close', () => {
          halfSentClosed++;
        });
        socket.write('POST /rest/1/');
        halfSent.push(socket);
      }
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => t.call('imopenlines.config.add', { PARAMS: { LINE_NAME: `Other ${i}` } })),
      );
      assert.deepEqual(
        answers.map((a) => a.status),
        Array(20).fill(200),
      );
      assert.equal(halfSentClosed, 0, 'the half-sent connections were still open while the others were served');
    } finally {
      for (const socket of [...idle, ...halfSent]) socket.destroy();
    }
  });
});
