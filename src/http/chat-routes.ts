// The customer chat of a line, under the public path imopenlines.config.path.get returns (/contact_center/): the
// page (static files from src/chat, the admin page's stylesheet shared) and its three public endpoints — the
// conversation so far, a message from the visitor, and a server-sent-events stream of what is new. No sign-in: a
// cookie names the visitor; abuse limits (messages per visitor and per address, text size, open streams per
// address) answer 429/400 with the error envelope. The chat itself is the built-in connector
// (domain/livechat/livechat-service.ts), reached through the narrow interface below.

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Clock, systemClock, type TimerHandle } from '../clock.js';
import { argumentError, RestError } from '../wire/errors.js';
import { CONTENT_TYPES, FILE_NAME, PAGE_HEADERS, pagesDirectory } from './page-routes.js';
import { sendError } from './reply.js';

/** What the routes need of the built-in connector (LiveChatService). */
export interface LiveChatBackend {
  line(lineId: number): Promise<{ id: number; name: string; active: boolean } | null>;
  send(lineId: number, visitorId: string, text: string): Promise<{ messageId: number }>;
  messages(lineId: number, visitorId: string, afterId?: number): Promise<readonly { id: number }[]>;
  vote(lineId: number, visitorId: string, vote: 'like' | 'dislike'): Promise<void>;
}

export interface ChatRouteOptions {
  readonly backend: LiveChatBackend;
  /** The public path (imopenlines.config.path.get PUBLIC_PATH), with slashes on both sides. */
  readonly publicPath: string;
  /** Rate windows are measured on the server's clock. */
  readonly clock?: Clock;
  /** How often a stream looks for new messages (real time: a transport detail, not a domain deadline). */
  readonly pollMs?: number;
  readonly limits?: Partial<ChatLimits>;
}

export interface ChatLimits {
  /** Messages one visitor may send per window. */
  readonly perVisitor: number;
  /** Messages one address may send per window (several visitors behind it). */
  readonly perAddress: number;
  readonly windowMs: number;
  /** Streams open at once from one address. */
  readonly streamsPerAddress: number;
}

export const DEFAULT_CHAT_LIMITS: ChatLimits = {
  perVisitor: 10,
  perAddress: 60,
  windowMs: 60_000,
  streamsPerAddress: 20,
};

/** The visitor's cookie. */
export const VISITOR_COOKIE = 'openlines_visitor';
const VISITOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COOKIE_MAX_AGE_S = 30 * 24 * 3600;
/** The largest message body read (the text limit itself is the service's). */
const MAX_MESSAGE_BODY = 16 * 1024;

/** Timestamps of recent sends per key; old ones are dropped on each look. */
class SlidingWindow {
  private readonly hits = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one hit for the key; false (and not counted) when the key is at its limit. */
  take(key: string, nowMs: number): boolean {
    const recent = (this.hits.get(key) ?? []).filter((at) => at > nowMs - this.windowMs);
    if (recent.length >= this.limit) {
      this.hits.set(key, recent);
      return false;
    }
    recent.push(nowMs);
    this.hits.set(key, recent);
    if (this.hits.size > 10_000) this.prune(nowMs);
    return true;
  }

  private prune(nowMs: number): void {
    for (const [key, times] of this.hits) if (times.every((at) => at <= nowMs - this.windowMs)) this.hits.delete(key);
  }
}

function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return null;
}

function lineIdOf(raw: string): number {
  return /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : 0;
}

export function chatRoutes(options: ChatRouteOptions) {
  return async (app: FastifyInstance, ctx: { isHttps: boolean }): Promise<void> => {
    const { backend, publicPath } = options;
    const clock = options.clock ?? systemClock;
    const pollMs = options.pollMs ?? 1000;
    const limits = { ...DEFAULT_CHAT_LIMITS, ...options.limits };
    const byVisitor = new SlidingWindow(limits.perVisitor, limits.windowMs);
    const byAddress = new SlidingWindow(limits.perAddress, limits.windowMs);
    const streamsByAddress = new Map<string, number>();
    const openStreams = new Set<ServerResponse>();
    const chatDir = pagesDirectory('chat');
    const adminDir = pagesDirectory('admin');

    /** The visitor's id from the cookie, or a new one set on the answer. */
    const visitorOf = (request: FastifyRequest, reply: FastifyReply): string => {
      const known = readCookie(request, VISITOR_COOKIE);
      if (known && VISITOR_ID.test(known)) return known;
      const id = randomUUID();
      const secure = ctx.isHttps ? '; Secure' : '';
      reply.header(
        'Set-Cookie',
        `${VISITOR_COOKIE}=${id}; Path=${publicPath}; Max-Age=${COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Lax${secure}`,
      );
      return id;
    };

    const answer = (reply: FastifyReply, body: unknown) => {
      reply.headers({ 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
      return reply.code(200).type('application/json; charset=utf-8').send(JSON.stringify(body));
    };

    const fail = (reply: FastifyReply, error: unknown) => {
      if (error instanceof RestError) return sendError(reply, 'json', error);
      throw error;
    };

    const serveFile = async (name: string, reply: FastifyReply) => {
      if (!FILE_NAME.test(name)) return reply.callNotFound();
      // The admin page's stylesheet is shared; everything else is the chat's own.
      const dir = name === 'admin.css' || name === 'favicon.svg' ? adminDir : chatDir;
      let body: Buffer;
      try {
        body = await readFile(join(dir, name));
      } catch {
        return reply.callNotFound();
      }
      reply.headers(PAGE_HEADERS);
      return reply
        .code(200)
        .type(CONTENT_TYPES[name.slice(name.lastIndexOf('.') + 1)]!)
        .send(body);
    };

    type LineParams = { Params: { line: string } };

    app.get<LineParams>(`${publicPath}:line`, (request, reply) => {
      if (!lineIdOf(request.params.line)) return reply.callNotFound();
      return reply.redirect(`${publicPath}${request.params.line}/`, 301);
    });
    app.get<LineParams>(`${publicPath}:line/`, (request, reply) => {
      if (!lineIdOf(request.params.line)) return reply.callNotFound();
      return serveFile('index.html', reply);
    });
    app.get<{ Params: { line: string; file: string } }>(`${publicPath}:line/:file`, (request, reply) => {
      if (!lineIdOf(request.params.line)) return reply.callNotFound();
      return serveFile(request.params.file, reply);
    });

    // The conversation so far (with the line's name and whether the chat is on).
    app.get<LineParams>(`${publicPath}:line/api/state`, async (request, reply) => {
      try {
        const line = await backend.line(lineIdOf(request.params.line));
        if (!line) throw new RestError('LIVECHAT_NOT_FOUND');
        const visitor = visitorOf(request, reply);
        return answer(reply, { result: { line, messages: await backend.messages(line.id, visitor) } });
      } catch (error) {
        return fail(reply, error);
      }
    });

    // A message from the visitor: {"text": "…"}.
    app.post<LineParams>(`${publicPath}:line/api/messages`, async (request, reply) => {
      try {
        const lineId = lineIdOf(request.params.line);
        const raw = request.body as Buffer | undefined;
        if (raw && raw.length > MAX_MESSAGE_BODY) {
          throw new RestError('LIVECHAT_MESSAGE_TOO_LONG', `A message body is at most ${MAX_MESSAGE_BODY} bytes`);
        }
        let text: unknown;
        try {
          text = (JSON.parse(raw?.toString('utf8') ?? '') as { text?: unknown })?.text;
        } catch {
          throw new RestError('INVALID_JSON');
        }
        if (typeof text !== 'string') throw new RestError('LIVECHAT_MESSAGE_EMPTY');
        const visitor = visitorOf(request, reply);
        const now = clock.now();
        if (!byVisitor.take(visitor, now) || !byAddress.take(request.ip, now)) {
          reply.header('Retry-After', String(Math.ceil(limits.windowMs / 1000)));
          throw new RestError(
            'LIVECHAT_RATE_LIMIT',
            `Too many messages: at most ${limits.perVisitor} a visitor per ${limits.windowMs / 1000} seconds`,
          );
        }
        const sent = await backend.send(lineId, visitor, text);
        return answer(reply, { result: { id: sent.messageId } });
      } catch (error) {
        return fail(reply, error);
      }
    });

    // The visitor rates the conversation: {"vote": "like" | "dislike"}; counted with the messages' rate.
    app.post<LineParams>(`${publicPath}:line/api/vote`, async (request, reply) => {
      try {
        const raw = request.body as Buffer | undefined;
        let vote: unknown;
        try {
          vote = (JSON.parse(raw?.toString('utf8') ?? '') as { vote?: unknown })?.vote;
        } catch {
          throw new RestError('INVALID_JSON');
        }
        if (vote !== 'like' && vote !== 'dislike')
          throw argumentError('vote', "Argument 'vote' must be like or dislike");
        const visitor = visitorOf(request, reply);
        if (!byVisitor.take(visitor, clock.now())) {
          reply.header('Retry-After', String(Math.ceil(limits.windowMs / 1000)));
          throw new RestError('LIVECHAT_RATE_LIMIT');
        }
        await backend.vote(lineIdOf(request.params.line), visitor, vote);
        return answer(reply, { result: true });
      } catch (error) {
        return fail(reply, error);
      }
    });

    // What is new, as server-sent events: `event: messages` with the messages after the last id seen (the
    // `after` query or the browser's Last-Event-ID on a reconnect); a comment every poll keeps proxies open.
    app.get<LineParams & { Querystring: unknown }>(`${publicPath}:line/api/stream`, async (request, reply) => {
      const lineId = lineIdOf(request.params.line);
      const visitor = readCookie(request, VISITOR_COOKIE);
      try {
        if (!visitor || !VISITOR_ID.test(visitor)) throw new RestError('LIVECHAT_NOT_FOUND', 'Open the chat first');
        if (!(await backend.line(lineId))) throw new RestError('LIVECHAT_NOT_FOUND');
        const open = streamsByAddress.get(request.ip) ?? 0;
        if (open >= limits.streamsPerAddress) {
          throw new RestError('LIVECHAT_RATE_LIMIT', `At most ${limits.streamsPerAddress} open chats per address`);
        }
      } catch (error) {
        return fail(reply, error);
      }
      const query = new URLSearchParams(request.url.split('?')[1] ?? '');
      const lastEventId = request.headers['last-event-id'];
      let after = Number(typeof lastEventId === 'string' ? lastEventId : (query.get('after') ?? 0));
      if (!Number.isSafeInteger(after) || after < 0) after = 0;

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        'X-Content-Type-Options': 'nosniff',
        'X-Accel-Buffering': 'no',
      });
      res.write('retry: 2000\n\n');
      openStreams.add(res);
      streamsByAddress.set(request.ip, (streamsByAddress.get(request.ip) ?? 0) + 1);
      let timer: TimerHandle | null = null;
      let busy = false;
      let ended = false;
      const tick = async () => {
        if (busy || ended) return;
        busy = true;
        try {
          const fresh = await backend.messages(lineId, visitor, after);
          if (ended) return;
          if (fresh.length > 0) {
            after = fresh[fresh.length - 1]!.id;
            res.write(`id: ${after}\nevent: messages\ndata: ${JSON.stringify(fresh)}\n\n`);
          } else res.write(': idle\n\n');
        } catch {
          // A store hiccup: the next poll tries again.
        } finally {
          busy = false;
        }
      };
      // Real time, not the server's clock: this paces a network stream (how often an open page looks for new
      // messages), it decides nothing about a session; on a test-clock server the page must still update.
      const schedule = () => {
        timer = systemClock.setTimeout(() => {
          void tick().then(() => {
            if (!ended) schedule();
          });
        }, pollMs);
      };
      const end = () => {
        if (ended) return;
        ended = true;
        if (timer) systemClock.clearTimeout(timer);
        openStreams.delete(res);
        const left = (streamsByAddress.get(request.ip) ?? 1) - 1;
        if (left > 0) streamsByAddress.set(request.ip, left);
        else streamsByAddress.delete(request.ip);
      };
      res.on('close', end);
      await tick();
      schedule();
    });

    // Open streams would hold the server's close: they end first (the page reconnects to the next server).
    app.addHook('preClose', (done) => {
      for (const res of openStreams) res.end();
      done();
    });
  };
}
