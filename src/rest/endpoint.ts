// One HTTP request: the request-rate bucket is charged once (a batch counts as one request), then the call
// goes through the core, or through batch which sends each command through the core.

import type { RestEndpoint } from '../http/rest-routes.js';
import { RestError } from '../wire/errors.js';
import type { CallAnswer, CallRequest, RestCore } from './call-method.js';

export interface BatchRunner {
  run(request: CallRequest): Promise<CallAnswer>;
}

export class HttpCallEndpoint implements RestEndpoint {
  constructor(
    private readonly core: RestCore,
    private readonly batch: BatchRunner | null = null,
  ) {}

  async handle(request: CallRequest & { clientAddress: string }): Promise<CallAnswer> {
    try {
      await this.core.guards.admitRequest(request.clientAddress);
    } catch (error) {
      if (error instanceof RestError) return { ok: false, error, warnings: [] };
      throw error;
    }
    if (request.method === 'batch' && this.batch) return this.batch.run(request);
    return this.core.call(request);
  }
}
