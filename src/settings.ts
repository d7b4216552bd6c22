// Server settings: environment variables, overridden by command-line flags; validated at start.

import { resolve } from 'node:path';
import { HandlerHostsError, parseHandlerHosts } from './wire/handler-hosts.js';
import { isValidTimeZone } from './wire/php-date.js';

export type RatePlan = 'standard' | 'enterprise' | 'off';

export interface Settings {
  /** Plain-HTTP port; 0 picks a free one. */
  readonly port: number;
  /** HTTPS port; 0 picks a free one; -1 disables HTTPS. */
  readonly httpsPort: number;
  readonly host: string;
  readonly dataDir: string;
  /** "sqlite:<file>" or "postgres://…". */
  readonly databaseUrl: string;
  readonly portalName: string;
  readonly timeZone: string;
  /** Public base URL (for config.path.get and printed URLs); derived from the request when empty. */
  readonly publicUrl: string;
  readonly strict: boolean;
  readonly requireHttps: boolean;
  readonly ratePlan: RatePlan;
  /** Seconds of method time per 10 minutes before OPERATION_TIME_LIMIT; 0 = off. */
  readonly operatingLimitSeconds: number;
  readonly logLevel: string;
  /** Certificate and key files for HTTPS (TLS_CERT, TLS_KEY); both or neither. Self-signed when absent. */
  readonly tlsCertPath: string;
  readonly tlsKeyPath: string;
  /** OAuth access-token lifetime (Bitrix24: 1 hour). */
  readonly accessTokenTtlSeconds: number;
  /** OAuth refresh-token lifetime (Bitrix24: 180 days). */
  readonly refreshTokenTtlSeconds: number;
  /**
   * Which proxies' X-Forwarded-For to believe for the client address (the request-rate bucket's key): false,
   * true (any), or comma-separated addresses/CIDRs of the load balancers.
   */
  readonly trustProxy: boolean | string;
  /** Seconds a client may take to send a whole request (headers and body); slower ones get 408 (slow clients). */
  readonly requestTimeoutSeconds: number;
  /** One event POST may take this long before it counts as failed (EVENT_TIMEOUT, DECISIONS.md: 10 s). */
  readonly eventTimeoutSeconds: number;
  /** Attempts per event delivery before it is kept as failed (EVENT_ATTEMPTS, DECISIONS.md: 6). */
  readonly eventAttempts: number;
  /** How often the scheduler looks for due work it was not woken for (EVENT_POLL_MS). */
  readonly eventPollMs: number;
  /**
   * Where event handlers may point (EVENT_HANDLER_HOSTS): host names, *.domains, addresses and CIDR networks,
   * comma-separated; '' = any (DECISIONS.md). Checked at event.bind and before every delivery.
   */
  readonly eventHandlerHosts: string;
}

export class SettingsError extends Error {}

function int(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  if (!/^-?\d+$/.test(raw)) throw new SettingsError(`${name} must be an integer, got '${raw}'`);
  const n = Number(raw);
  if (n < min || n > max) throw new SettingsError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function flag(raw: string | boolean | undefined): boolean {
  if (typeof raw === 'boolean') return raw;
  return raw !== undefined && ['1', 'true', 'yes', 'on', 'y'].includes(raw.toLowerCase());
}

export interface SettingsOverrides {
  port?: string;
  httpsPort?: string;
  host?: string;
  data?: string;
  database?: string;
  strict?: boolean;
  requireHttps?: boolean;
  ratePlan?: string;
  operatingLimit?: string;
  publicUrl?: string;
}

function proxyTrust(raw: string | undefined): boolean | string {
  const value = (raw ?? '').trim();
  if (value === '' || ['0', 'false', 'no', 'off'].includes(value.toLowerCase())) return false;
  if (['true', 'yes', 'on'].includes(value.toLowerCase())) return true;
  if (/^\d+$/.test(value) || !/^[0-9a-fA-F:.,/\s]+$/.test(value)) {
    throw new SettingsError(`TRUST_PROXY must be true or the proxies' addresses/CIDRs, got '${value}'`);
  }
  return value;
}

function handlerHosts(raw: string | undefined): string {
  const value = (raw ?? '').trim();
  try {
    parseHandlerHosts(value);
  } catch (error) {
    if (error instanceof HandlerHostsError) throw new SettingsError(`EVENT_HANDLER_HOSTS: ${error.message}`);
    throw error;
  }
  return value;
}

function tlsFiles(env: NodeJS.ProcessEnv): { tlsCertPath: string; tlsKeyPath: string } {
  const cert = env.TLS_CERT ?? '';
  const key = env.TLS_KEY ?? '';
  if (Boolean(cert) !== Boolean(key)) throw new SettingsError('TLS_CERT and TLS_KEY must be given together');
  return { tlsCertPath: cert ? resolve(cert) : '', tlsKeyPath: key ? resolve(key) : '' };
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env, o: SettingsOverrides = {}): Settings {
  const dataDir = resolve(o.data ?? env.OPENLINES_DATA ?? './data');
  const ratePlan = (o.ratePlan ?? env.RATE_PLAN ?? 'standard') as RatePlan;
  if (!['standard', 'enterprise', 'off'].includes(ratePlan)) {
    throw new SettingsError(`rate plan must be standard, enterprise or off, got '${ratePlan}'`);
  }
  const timeZone = env.PORTAL_TIMEZONE || 'UTC';
  if (!isValidTimeZone(timeZone)) throw new SettingsError(`PORTAL_TIMEZONE '${timeZone}' is not a known time zone`);
  const databaseUrl = o.database || env.DATABASE_URL || `sqlite:${resolve(dataDir, 'openlines.db')}`;
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    throw new SettingsError('DATABASE_URL must start with sqlite: or postgres://');
  }
  const publicUrl = (o.publicUrl ?? env.PUBLIC_URL ?? '').replace(/\/+$/, '');
  if (publicUrl && !/^https?:\/\/[^/]+$/.test(publicUrl)) {
    throw new SettingsError(`PUBLIC_URL must be scheme://host[:port], got '${publicUrl}'`);
  }
  return {
    port: int('PORT', o.port ?? env.PORT, 8080, 0, 65_535),
    httpsPort: int('HTTPS_PORT', o.httpsPort ?? env.HTTPS_PORT, 8443, -1, 65_535),
    host: o.host ?? env.HOST ?? '127.0.0.1',
    dataDir,
    databaseUrl,
    portalName: env.PORTAL_NAME || 'openlines',
    timeZone,
    publicUrl,
    strict: flag(o.strict ?? env.OPENLINES_STRICT),
    requireHttps: flag(o.requireHttps ?? env.REQUIRE_HTTPS),
    ratePlan,
    operatingLimitSeconds: int('OPERATING_LIMIT', o.operatingLimit ?? env.OPERATING_LIMIT, 0, 0, 86_400),
    logLevel: env.LOG_LEVEL || 'info',
    ...tlsFiles(env),
    accessTokenTtlSeconds: int('OAUTH_ACCESS_TOKEN_TTL', env.OAUTH_ACCESS_TOKEN_TTL, 3_600, 1, 31_536_000),
    refreshTokenTtlSeconds: int('OAUTH_REFRESH_TOKEN_TTL', env.OAUTH_REFRESH_TOKEN_TTL, 15_552_000, 1, 315_360_000),
    trustProxy: proxyTrust(env.TRUST_PROXY),
    requestTimeoutSeconds: int('REQUEST_TIMEOUT', env.REQUEST_TIMEOUT, 60, 1, 3_600),
    eventTimeoutSeconds: int('EVENT_TIMEOUT', env.EVENT_TIMEOUT, 10, 1, 300),
    eventAttempts: int('EVENT_ATTEMPTS', env.EVENT_ATTEMPTS, 6, 1, 100),
    eventPollMs: int('EVENT_POLL_MS', env.EVENT_POLL_MS, 1_000, 10, 600_000),
    eventHandlerHosts: handlerHosts(env.EVENT_HANDLER_HOSTS),
  };
}
