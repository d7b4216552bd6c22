// The framework floor: Fastify configured as openlines configures it (raw body, no built-in request logging),
// answering a stored JSON answer exactly as the reference server does (bench/reference-server.ts), and with
// LOG=1 one pino line per request written asynchronously, as openlines logs. What openlines adds on top of this
// is its own work; what this loses against the reference is the framework's (bench/framework-floor.ts).

import Fastify from 'fastify';
import { pino } from 'pino';

const answers = new Map<string, unknown>();
const keyOf = (url: string) => (url.split('?', 1)[0] ?? '').split('/').filter(Boolean).pop() ?? '';

const logger = process.env.LOG === '1' ? pino({ level: 'info' }, pino.destination({ dest: 1, sync: false })) : null;
const app = Fastify({ ...(logger ? { loggerInstance: logger } : {}), disableRequestLogging: true });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
if (logger) {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.url, status: reply.statusCode }, 'request');
  });
}

app.all('/*', async (request, reply) => {
  const body = request.body;
  const params = Buffer.isBuffer(body) && body.length > 0 ? JSON.parse(body.toString('utf8')) : {};
  const url = request.raw.url ?? '/';
  if (request.method === 'PUT' && url.startsWith('/__answer/')) {
    answers.set(keyOf(url), params);
    return reply.code(204).send();
  }
  const answer = answers.get(keyOf(url));
  if (answer === undefined) return reply.code(404).send('{"error":"NOT_FOUND"}');
  return reply.type('application/json; charset=utf-8').send(JSON.stringify(answer));
});

const address = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.stdout.write(`listening ${new URL(address).port}\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => void app.close().then(() => process.exit(0)));
