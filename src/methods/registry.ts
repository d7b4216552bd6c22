// Methods by their Bitrix24 name (looked up lower-cased, as the REST core does: reference-behaviour.md §6.1).

import type { Caller } from '../domain/caller.js';
import type { InputReport } from '../domain/input/input-report.js';
import type { ParamTree } from '../wire/php-params.js';
import type { Services } from './services.js';

export interface MethodContext {
  readonly params: ParamTree;
  readonly caller: Caller;
  /** The classic list offset (`start`), removed from params by the envelope; undefined when not sent. */
  readonly start: number | undefined;
  /** The request's auth_connector (an auth key the envelope removes from params; '' none): event.* keys by it. */
  readonly authConnector: string;
  readonly services: Services;
  /**
   * This call's input report: substitutions go to the X-Openlines-Warnings header, refusals answer false; in strict
   * mode (server flag, request header, or the credential's own setting) either is 400 ERROR_ARGUMENT.
   */
  readonly input: InputReport;
  readonly inBatch: boolean;
  /** scheme://host[:port] the client addressed, when the request named a plain host. */
  readonly origin?: string;
}

export interface MethodOutput {
  readonly result: unknown;
  readonly total?: number;
  readonly next?: number;
}

export interface MethodDefinition {
  /** The Bitrix24 name, verbatim (e.g. imopenlines.config.add). */
  readonly name: string;
  /** Any one of these scopes grants the call. */
  readonly scopes: readonly string[];
  /** Refuses webhooks with 403 WRONG_AUTH_TYPE (imconnector.*: openlines-api.md §4). */
  readonly appContextOnly?: boolean;
  /** The WRONG_AUTH_TYPE text when it differs from the imconnector one (event.*: no suffix, runtime-connectors.md §13). */
  readonly wrongAuthTypeText?: string;
  /** false for methods that may not run inside batch (ERROR_BATCH_METHOD_NOT_ALLOWED). */
  readonly batchAllowed?: boolean;
  handler(ctx: MethodContext): Promise<MethodOutput>;
}

export class MethodRegistry {
  private readonly methods = new Map<string, MethodDefinition>();

  define(definition: MethodDefinition): this {
    const key = definition.name.toLowerCase();
    if (this.methods.has(key)) throw new Error(`method ${definition.name} is defined twice`);
    this.methods.set(key, definition);
    return this;
  }

  find(name: string): MethodDefinition | undefined {
    return this.methods.get(name.toLowerCase());
  }

  list(): MethodDefinition[] {
    return [...this.methods.values()];
  }
}
