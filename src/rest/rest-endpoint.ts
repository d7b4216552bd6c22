// One HTTP request: the request-rate bucket is charged once (a batch counts as one request), then the call
// goes through the core, or through batch which sends each command through the core.

import type { Batch } from './batch.js';
import type { CallGuards } from './call-guards.js';
import type { CallAnswer, CallRequest, RestCore } from './rest-core.js';

export interface EndpointRequest extends CallRequest {
  /** The client's address (request.ip): the rate bucket's key. */
  readonly clientAddress: string;
}

export class RestEndpoint {
  constructor(
    private readonly core: RestCore,
    private readonly batch: Batch,
    private readonly guards: CallGuards,
    /** Runs one request in the read model's scope: its reads share one freshness check (domain/read-model/). */
    private readonly scope: <T>(work: () => T) => T = (work) => work(),
  ) {}

  /** The server's clock reading: when a request arrived (the `time` block's start). */
  now(): number {
    return this.core.clock.now();
  }

  handle(request: EndpointRequest): Promise<CallAnswer> {
    return this.scope(() => this.handleInScope(request));
  }

  private async handleInScope(request: EndpointRequest): Promise<CallAnswer> {
    try {
      await this.guards.admitRequest(request.clientAddress);
    } catch (error) {
      // QUERY_LIMIT_EXCEEDED, or the shared bucket's store being unreachable (503 STORE_UNAVAILABLE).
      return this.core.failure(error, request.method);
    }
    if (request.method === 'batch') return this.batch.run(request);
    return this.core.call(request);
  }
}
