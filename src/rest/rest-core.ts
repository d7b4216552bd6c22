// RestCore: the one path every call takes, direct or inside batch:
// method lookup (404 before auth) → authenticate → record the user's activity → scope → operating-time check → handler → envelope.

import type { Clock } from '../clock.js';
import type { Caller } from '../domain/caller.js';
import { withCallOrigin } from '../domain/events/call-origin.js';
import { type FieldWarning, InputReport } from '../domain/input/input-report.js';
import type { MethodRegistry } from '../methods/registry.js';
import type { Services } from '../methods/services.js';
import type { SuccessBody } from '../wire/envelope.js';
import { orderedTiming, timeBlock } from '../wire/envelope.js';
import { ERRORS, RestError } from '../wire/errors.js';
import type { ParamTree } from '../wire/php-params.js';
import { phpIntval } from '../wire/php-values.js';
import { type Authenticator, type Credentials, callCredentials } from './authenticate.js';
import type { CallGuards } from './call-guards.js';
import { withoutClientKeys } from './client-keys.js';
import { answerFailure, type FailureLogger } from './failure.js';

/**
 * Keys the REST core consumes before a handler sees the parameters (reference-behaviour.md §6.2); the keys clients
 * add for themselves go too (client-keys.ts).
 */
const ENVELOPE_KEYS = ['auth', 'access_token', 'aplogin', 'ap', 'sessid', 'auth_connector', 'state', 'start'];

export interface CallRequest {
  /** Method name as sent, without the transport suffix. */
  readonly method: string;
  readonly params: ParamTree;
  /** Credentials from the URL path or the Authorization header; parameters add `auth`/`access_token`/`ap`. */
  readonly credentials: Credentials;
  readonly strictRequested: boolean;
  readonly startMs: number;
  /** Inside batch: the outer call's caller (auth is reused, scope re-checked). */
  readonly caller?: Caller;
  readonly inBatch?: boolean;
  /**
   * Inside batch: the methods whose operating time this batch has checked already. A method's limit is read once
   * per batch, not once per command (issue 20: on PostgreSQL each read is a round trip).
   */
  readonly operatingChecked?: Set<string>;
  /** scheme://host[:port] the client addressed (imopenlines.config.path.get). */
  readonly origin?: string;
  /** The HTTP request id, logged with internal errors and sent back as X-Request-Id. */
  readonly requestId?: string;
}

export type CallAnswer =
  | { readonly ok: true; readonly body: SuccessBody; readonly warnings: FieldWarning[]; readonly caller: Caller }
  | { readonly ok: false; readonly error: RestError; readonly warnings: FieldWarning[] };

/** Server settings the envelope applies to every call, batch included. */
export interface EnvelopeSettings {
  /** Server-wide strict mode (settings.strict). */
  readonly strict: boolean;
  /** Portal time zone for the `date_*` keys of the time blocks. */
  readonly timeZone: string;
}

export interface RestCoreDeps {
  readonly settings: EnvelopeSettings;
  readonly registry: MethodRegistry;
  readonly authenticator: Authenticator;
  readonly guards: CallGuards;
  readonly services: Services;
  readonly logger: FailureLogger;
  readonly clock: Clock;
}

export class RestCore {
  constructor(private readonly deps: RestCoreDeps) {}

  /** The server's clock: every figure of a `time` block is read from it. */
  get clock(): Clock {
    return this.deps.clock;
  }

  async call(request: CallRequest): Promise<CallAnswer> {
    let input: InputReport | undefined;
    const warnings = (): FieldWarning[] => [...(input?.warnings ?? [])];
    try {
      const method = this.deps.registry.find(request.method);
      if (!method) throw new RestError('ERROR_METHOD_NOT_FOUND');
      if (request.inBatch && method.batchAllowed === false) throw new RestError('ERROR_BATCH_METHOD_NOT_ALLOWED');
      const caller =
        request.caller ??
        (await this.deps.authenticator.authenticate(callCredentials(request.params, request.credentials)));
      await this.recordActivity(caller, request);
      // No scopes: scope _global, every credential may call it (event.*).
      if (method.scopes.length > 0 && !method.scopes.some((s) => caller.scopes.has(s))) {
        throw new RestError(
          'insufficient_scope',
          caller.authKind === 'oauth'
            ? 'The request requires higher privileges than provided by the access token'
            : ERRORS.insufficient_scope.description,
        );
      }
      if (method.appContextOnly && caller.authKind !== 'oauth') {
        throw new RestError('WRONG_AUTH_TYPE', method.wrongAuthTypeText);
      }
      if (!request.operatingChecked?.has(method.name)) {
        await this.deps.guards.checkOperating(caller, method.name);
        request.operatingChecked?.add(method.name);
      }

      const params = withoutClientKeys(request.params);
      for (const key of ENVELOPE_KEYS) delete params[key];
      const start = request.params.start === undefined ? undefined : phpIntval(request.params.start);
      const sentConnector = request.params.auth_connector;
      const authConnector =
        typeof sentConnector === 'string' || typeof sentConnector === 'number' ? String(sentConnector) : '';
      const report = new InputReport(request.strictRequested || caller.strict || this.deps.settings.strict);
      input = report;

      const handlerStartMs = this.deps.clock.now();
      const origin = {
        clientId: caller.clientId,
        authConnector,
        userId: caller.userId,
        eventSession: caller.eventSession,
      };
      const output = await withCallOrigin(origin, () =>
        method.handler({
          params,
          caller,
          start,
          authConnector,
          services: this.deps.services,
          input: report,
          inBatch: request.inBatch === true,
          ...(request.origin !== undefined ? { origin: request.origin } : {}),
        }),
      );
      const timing = orderedTiming({
        startMs: request.startMs,
        handlerStartMs,
        finishMs: this.deps.clock.now(),
        operatingSeconds: 0,
        operatingResetAt: 0,
      });
      const processingMs = timing.finishMs - timing.handlerStartMs;
      // Inside batch the command's time block has no operating keys (batch.ts commandTime): nothing to read back.
      const operating = await this.deps.guards.recordOperating(
        caller,
        method.name,
        method.movesClock ? 0 : processingMs,
        timing.finishMs,
        request.inBatch !== true,
      );
      const time = timeBlock(
        { ...timing, operatingSeconds: operating.seconds, operatingResetAt: operating.resetAt },
        this.deps.settings.timeZone,
      );
      const body: SuccessBody = {
        result: output.result,
        ...(output.next !== undefined ? { next: output.next } : {}),
        ...(output.total !== undefined ? { total: output.total } : {}),
        time,
      };
      return { ok: true, body, warnings: warnings(), caller };
    } catch (error) {
      return this.failure(error, request.method, warnings(), request.requestId);
    }
  }

  /**
   * The caller's user made a REST call: online by activity (DECISIONS.md "Operator availability"). At most one
   * write a minute per user (PresenceService.recordActivity); a failed write never fails the call.
   */
  private async recordActivity(caller: Caller, request: CallRequest): Promise<void> {
    if (caller.authKind === 'cli' || !(caller.userId > 0)) return;
    try {
      await this.deps.services.presence.recordActivity(caller.userId);
    } catch (error) {
      this.deps.logger.warn({ err: error, method: request.method, reqId: request.requestId }, 'activity not recorded');
    }
  }

  /** Authenticates a request once; batch reuses the caller for every command. Throws RestError. */
  authenticate(credentials: Credentials, params: ParamTree): Promise<Caller> {
    return this.deps.authenticator.authenticate(callCredentials(params, credentials));
  }

  /** Any error as the answer to send (rest/failure.ts): RestErrors as they are, store outages 503, else 500. */
  failure(error: unknown, method: string, warnings: FieldWarning[] = [], reqId?: string): CallAnswer {
    return { ok: false, error: answerFailure(error, this.deps.logger, { method, reqId }), warnings };
  }
}
