// The reference: a bare node:http server doing the least any JSON API must do per request (read the body,
// JSON.parse it, JSON.stringify an answer of the same shape and size as openlines' answer, write it). Its
// requests/s is the practical limit of Node's HTTP stack on this machine; bench/run.ts measures it in the same
// run as the servers under test and reports their ratio to it.
//
// PUT /__answer/<key> stores an answer (a JSON body); any other request to /<key>… answers with that answer,
// serialised anew on every request. Prints "listening <port>" once it accepts connections.

import { createServer } from 'node:http';

const answers = new Map<string, unknown>();

function keyOf(url: string): string {
  const path = url.split('?', 1)[0] ?? '';
  return path.split('/').filter(Boolean).pop() ?? '';
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
    const url = req.url ?? '/';
    let params: unknown;
    try {
      params = body === '' ? {} : JSON.parse(body);
    } catch {
      res.writeHead(400, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"error":"INVALID_JSON"}');
      return;
    }
    if (req.method === 'PUT' && url.startsWith('/__answer/')) {
      answers.set(keyOf(url), params);
      res.writeHead(204);
      res.end();
      return;
    }
    const answer = answers.get(keyOf(url));
    if (answer === undefined) {
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8' });
      res.end('{"error":"NOT_FOUND"}');
      return;
    }
    const json = JSON.stringify(answer);
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(json),
    });
    res.end(json);
  });
});

server.keepAliveTimeout = 10_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
