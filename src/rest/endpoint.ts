// One HTTP request: the request-rate bucket is charged once (a batch counts as one request), then the call
// goes through the core, or through batch which sends each command through the core. The HTTP routes take it as
// their RestEndpoint (http/rest-routes.ts); rest/ does not import http/.

import type { CallAnswer, CallRequest, RestCore } from './call-method.js';

export interface BatchRunner {
  run(request: CallRequest): Promise<CallAnswer>;
}

export class HttpCallEndpoint {
  constructor(
    private readonly core: RestCore,
    private readonly batch: BatchRunner | null = null,
  ) {}

  now(): number {
    return this.core.clock.now();
  }

  async handle(request: CallRequest & { clientAddress: string }): Promise<CallAnswer> {
    try {
      await this.core.guards.admitRequest(request.clientAddress);
    } catch (error) {
      // QUERY_LIMIT_EXCEEDED, or the shared bucket's store being unreachable (503 STORE_UNAVAILABLE).
      return this.core.failure(error, request.method);
    }
    if (request.method === 'batch' && this.batch) return this.batch.run(request);
    return this.core.call(request);
  }
}
