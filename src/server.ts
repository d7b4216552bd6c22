// Composition: settings → store (migrated) → services → REST core → HTTP and HTTPS listeners.
// Used by `openlines serve` and by the tests, which start real servers on loopback ports.

import type { FastifyInstance } from 'fastify';
import { type Logger, pino } from 'pino';
import { buildApp } from './app.js';
import { type Clock, ManualClock, systemClock, type TimerHandle } from './clock.js';
import { ConnectorService } from './domain/connectors/connector-service.js';
import { ChatMessageService } from './domain/dialogs/chat-messages.js';
import { ChatPoster } from './domain/dialogs/chat-poster.js';
import { DialogService } from './domain/dialogs/dialog-service.js';
import { authenticateWebhook } from './domain/directory/authenticate-webhook.js';
import { DirectoryService } from './domain/directory/directory-service.js';
import { Deliveries } from './domain/events/deliveries.js';
import { EventService } from './domain/events/event-service.js';
import { Outbox } from './domain/events/outbox.js';
import { listHistory } from './domain/history/history.js';
import { LineSchedule } from './domain/lines/line-schedule.js';
import { LineService } from './domain/lines/line-service.js';
import { TemporaryLines } from './domain/lines/temporary-lines.js';
import { LiveChatService } from './domain/livechat/livechat-service.js';
import { Notifications } from './domain/notifications/notifications.js';
import { OAuthService, presentToken } from './domain/oauth/oauth-service.js';
import { PRESENCE_AVAILABILITY } from './domain/operators/operator-states.js';
import { PresenceService } from './domain/operators/presence-service.js';
import { WorkplaceStreams } from './domain/operators/workplace-stream.js';
import { ReadModel } from './domain/read-model/read-model.js';
import { OperatorService } from './domain/sessions/operator-service.js';
import { Routing } from './domain/sessions/routing.js';
import { SessionAlarms } from './domain/sessions/session-alarms.js';
import { newWork, SessionEngine } from './domain/sessions/session-engine.js';
import { chatRoutes } from './http/chat-routes.js';
import { oauthRoutes } from './http/oauth-routes.js';
import { hostWithPort } from './http/origin.js';
import { pageRoutes } from './http/page-routes.js';
import { ensureCertificate, loadCertificate } from './http/tls.js';
import { LineTimers } from './jobs/line-timers.js';
import { Scheduler } from './jobs/scheduler.js';
import { SessionTimers } from './jobs/session-timers.js';
import { TestClock } from './jobs/test-clock.js';
import { CONTACT_CENTER_PATH } from './methods/imopenlines-config.js';
import { buildRegistry } from './methods/index.js';
import type { HistoryQuery, Services } from './methods/services.js';
import { Authenticator } from './rest/authenticate.js';
import { Batch } from './rest/batch.js';
import { buildGuards, type CallGuards } from './rest/call-guards.js';
import { classifyError } from './rest/failure.js';
import { RestCore } from './rest/rest-core.js';
import { RestEndpoint } from './rest/rest-endpoint.js';
import type { Settings } from './settings.js';
import { openStore } from './store/open-store.js';
import type { OpenedStore } from './store/store.js';
import { parseHandlerHosts } from './wire/handler-hosts.js';

export interface RunningServer {
  readonly settings: Settings;
  readonly store: OpenedStore;
  readonly services: Services;
  readonly directory: DirectoryService;
  readonly oauth: OAuthService;
  /** Work started by time: event delivery (tests call runDue()). */
  readonly scheduler: Scheduler;
  /** http://127.0.0.1:PORT */
  readonly httpUrl: string;
  /** https://127.0.0.1:PORT, or null when HTTPS is off. */
  readonly httpsUrl: string | null;
  readonly certPath: string | null;
  /** Set on the first start of an empty store: the code of user 1's webhook. */
  readonly firstWebhook: { userId: number; code: string } | null;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: Logger;
  readonly guards?: CallGuards;
  /**
   * The server's clock (default: the system clock, or a ManualClock at the real time with settings.clock
   * 'manual'); tests give a ManualClock. With settings.clock 'manual' it must be a ManualClock.
   */
  readonly clock?: Clock;
  /** How often an open event stream (openlines.workplace.stream) sends a keep-alive comment; 15 s by default. */
  readonly streamHeartbeatMs?: number;
}

/**
 * On the test clock the scheduler's poll would fire once per poll interval of *test* time on every advance (a
 * month: millions of ticks); due work is found by the scheduler's own next-due timer instead, and a real-time
 * poll picks up work other processes (the CLI) made due. Also for a ManualClock handed in by an embedding test
 * without `--clock manual` (a day of test time was 86 400 polls, four minutes of one test).
 */
const MANUAL_CLOCK_POLL_MS = 86_400_000;
/** Servers sharing a store: how often an operator's workplace stream looks for the other servers' commits. */
const WORKPLACE_CROSS_SERVER_MS = 3000;

function serverClock(settings: Settings, given: Clock | undefined): { clock: Clock; manual: ManualClock | null } {
  if (settings.clock !== 'manual') return { clock: given ?? systemClock, manual: null };
  const clock = given ?? new ManualClock(Date.now());
  if (!(clock instanceof ManualClock))
    throw new Error('settings.clock is manual: the server clock must be a ManualClock');
  return { clock, manual: clock };
}

function listenUrl(app: FastifyInstance, scheme: 'http' | 'https'): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  const host = address.address === '::' || address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  return `${scheme}://${hostWithPort(host, address.port)}`;
}

export async function startServer(settings: Settings, options: StartOptions = {}): Promise<RunningServer> {
  // Asynchronous: lines written while a write is in flight go out together in one write, instead of one
  // blocking write per request (issue 10: ~15% of a config.get); close() flushes what is left.
  const logger = options.logger ?? pino({ level: settings.logLevel }, pino.destination({ dest: 1, sync: false }));
  const { clock, manual } = serverClock(settings, options.clock);
  const store = await openStore(settings.databaseUrl);
  try {
    const directory = new DirectoryService(store);
    const firstWebhook = await directory.bootstrap(settings.portalName);
    const handlerHosts = parseHandlerHosts(settings.eventHandlerHosts);
    // Lines, queues, directory entries, credentials and event bindings answered from memory, never stale (issue 20).
    const model = new ReadModel(store.changes);
    const events = new EventService(store, { clock, timeZone: settings.timeZone, handlerHosts, model });
    const lines = new LineService(store, { companyName: settings.portalName, clock, events, model });
    const connectors = new ConnectorService(store, { clock, events });
    // Deleting a line disconnects its connectors in the same transaction (reference-behaviour.md §5 step 8).
    lines.onLineDeleted(connectors.lineDeleted);
    const history = { list: (query: HistoryQuery) => store.read((db) => listHistory(db, query, settings.timeZone)) };
    const poster = new ChatPoster(events, { companyName: settings.portalName }); // #COMPANY_NAME# at send time
    const engine = new SessionEngine(events, poster, PRESENCE_AVAILABILITY, {
      timeZone: settings.timeZone,
    });
    lines.onLineChanged(async (trx, lineId, fields) => {
      const work = newWork(trx, clock.now());
      await engine.lineChanged(work, lineId, fields);
      return work.wake || work.emitted > 0; // issue 20: the scheduler is woken only for work
    });
    lines.onLineDeleted((trx, lineId) => engine.lineDeleted(newWork(trx, clock.now()), lineId));
    const temporaryLines = new TemporaryLines(store, lines, (error, alarm) =>
      logger.error({ err: error, line: alarm.lineId }, 'a temporary line could not be deleted; retried in a minute'),
    );
    lines.onLineAdded(temporaryLines.lineAdded);
    const dialogs = new DialogService(store, { clock, events, engine, model });
    const chatMessages = new ChatMessageService(store, { clock, events, engine });
    const liveChat = new LiveChatService(store, dialogs, { clock, events });
    const deliveries = new Deliveries(store, { clock });
    const routing = new Routing(store, engine, clock);
    const schedule = new LineSchedule(store, { clock, timeZone: settings.timeZone });
    const operators = new OperatorService(store, engine, PRESENCE_AVAILABILITY, {
      clock,
      events,
      timeZone: settings.timeZone,
    });
    // The operators' live workplace: woken by this server's commits; servers sharing the store also look for each
    // other's every few seconds (one read per connected operator, not per tab).
    const workplace = new WorkplaceStreams(store, {
      crossServerMs: store.capabilities.sharedByServers ? WORKPLACE_CROSS_SERVER_MS : 0,
      onError: (error) => {
        const level = classifyError(error).log ?? 'error';
        logger[level]({ err: error }, 'workplace stream read failed');
      },
    });
    events.onTouched(() => workplace.wake());
    const presence = new PresenceService(store, { clock, committed: () => events.committed() });
    // Presence changes reach the sessions in the same transaction (§3.8, §3.9).
    presence.onAvailabilityGained((trx, userId) => engine.operatorAvailable(newWork(trx, clock.now()), userId));
    presence.onAvailabilityLost((trx, userId, reason) =>
      engine.operatorUnavailable(newWork(trx, clock.now()), userId, reason),
    );
    // The scheduler starts after listen (below); until then there is nothing of its to run.
    let scheduler: Scheduler | null = null;
    const testClock = new TestClock(clock, manual, async () => {
      await scheduler?.runDue();
    });
    const services: Services = {
      settings,
      lines,
      connectors,
      dialogs,
      chatMessages,
      routing,
      schedule,
      operators,
      history,
      events,
      deliveries,
      presence,
      liveChat,
      clock: testClock,
      notifications: new Notifications(store),
      workplace,
    };
    const webhooks = {
      verify: (userId: number, code: string, now: number) => authenticateWebhook(store, userId, code, now, model),
    };
    const oauth = new OAuthService(store, {
      accessTokenTtlSeconds: settings.accessTokenTtlSeconds,
      refreshTokenTtlSeconds: settings.refreshTokenTtlSeconds,
      clock,
      model,
    });
    const envelope = { strict: settings.strict, timeZone: settings.timeZone };
    const guards = options.guards ?? buildGuards(settings, clock, { store, model });
    const core = new RestCore({
      settings: envelope,
      registry: buildRegistry(),
      authenticator: new Authenticator(webhooks, oauth, clock),
      guards,
      services,
      logger,
      clock,
    });
    const endpoint = new RestEndpoint(core, new Batch(core, envelope), guards, (work) => model.scope(work));
    const tokenRoutes = oauthRoutes({
      issuer: { token: async (params, endpoints) => presentToken(await oauth.exchange(params), endpoints) },
      publicUrl: settings.publicUrl,
      requireHttps: settings.requireHttps,
    });
    const appDeps = {
      endpoint,
      logger,
      requireHttps: settings.requireHttps,
      trustProxy: settings.trustProxy,
      requestTimeoutMs: settings.requestTimeoutSeconds * 1000,
      ...(options.streamHeartbeatMs !== undefined ? { streamHeartbeatMs: options.streamHeartbeatMs } : {}),
      plugins: [tokenRoutes, pageRoutes(), chatRoutes({ backend: liveChat, publicPath: CONTACT_CENTER_PATH, clock })],
    };

    const apps: FastifyInstance[] = [];
    const http = await buildApp(appDeps);
    apps.push(http);
    await http.listen({ port: settings.port, host: settings.host });
    let httpsUrl: string | null = null;
    let certPath: string | null = null;
    if (settings.httpsPort >= 0) {
      const certificate = settings.tlsCertPath
        ? loadCertificate(settings.tlsCertPath, settings.tlsKeyPath)
        : await ensureCertificate(settings.dataDir);
      certPath = certificate.certPath;
      const https = await buildApp(appDeps, { https: { key: certificate.key, cert: certificate.cert } });
      apps.push(https);
      await https.listen({ port: settings.httpsPort, host: settings.host });
      httpsUrl = listenUrl(https, 'https');
    }
    const httpUrl = listenUrl(http, 'http');
    // Started after listen (an event's auth block names this server), stopped first in close().
    const running = new Scheduler({
      clock,
      jobs: [new SessionTimers(new SessionAlarms(store, engine, events, clock)), new LineTimers(temporaryLines)],
      outbox: new Outbox(store),
      target: () => ({ base: settings.publicUrl || httpUrl }),
      pollMs: clock instanceof ManualClock ? MANUAL_CLOCK_POLL_MS : settings.eventPollMs,
      timeoutMs: settings.eventTimeoutSeconds * 1000,
      maxAttempts: settings.eventAttempts,
      allowed: (handler) => handlerHosts.allows(handler),
      // Classified as a request's failure is: an unreachable store is a warning, anything else an error.
      onError: (error) => {
        const level = classifyError(error).log ?? 'error';
        logger[level]({ err: error }, 'scheduler tick failed');
      },
    });
    scheduler = running;
    events.onCommitted(() => void running.wake());
    deliveries.onRetried(() => void running.wake());
    running.start();
    let realTimePoll: TimerHandle | null = null;
    // On the test clock the scheduler's own timers only fire when the clock is moved; this real-time wake (not a
    // timer of the domain: nothing is due by it) lets deliveries and retries already due go out meanwhile.
    if (manual) {
      const poll = () => {
        realTimePoll = systemClock.setTimeout(() => {
          void running.wake();
          poll();
        }, settings.eventPollMs);
      };
      poll();
    }
    let closed = false;
    return {
      settings,
      store,
      services,
      directory,
      oauth,
      httpUrl,
      scheduler: running,
      httpsUrl,
      certPath,
      firstWebhook,
      async close() {
        if (closed) return;
        closed = true;
        if (realTimePoll) systemClock.clearTimeout(realTimePoll);
        // The scheduler first (its deliveries in flight finish), then in-flight requests; then the store closes.
        await running.stop();
        workplace.close();
        await Promise.all(apps.map((app) => app.close()));
        await store.close();
        await new Promise<void>((resolve) => logger.flush(() => resolve()));
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
