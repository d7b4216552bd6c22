// One measurement: autocannon drives a URL with N connections for a fixed time; we keep every response's
// latency (autocannon's own histogram only has whole milliseconds) and the load generator's CPU use, so a
// saturated load generator shows up instead of passing for a slow server.

import autocannon from 'autocannon';

export interface LoadSpec {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly connections: number;
  readonly durationS: number;
  /** Path (with query) and body of the next request; called per request. */
  readonly next: () => { path: string; body?: string };
}

export interface Measurement {
  readonly requestsPerS: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  /** Non-2xx answers, socket errors and timeouts. */
  readonly failed: number;
  /** The load generator's CPU time over wall time (1 = one core busy). */
  readonly loadCpu: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function measure(spec: LoadSpec): Promise<Measurement> {
  const first = spec.next();
  const headers: Record<string, string> = spec.method === 'POST' ? { 'content-type': 'application/json' } : {};
  let latencies = new Float64Array(1 << 14);
  let ok = 0;
  let failed = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: spec.durationS,
        timeout: 30,
        requests: [
          {
            method: spec.method,
            path: first.path,
            headers,
            ...(first.body !== undefined ? { body: first.body } : {}),
            setupRequest(request) {
              const { path, body } = spec.next();
              return body === undefined ? { ...request, path } : { ...request, path, body };
            },
          },
        ],
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        const wallMs = performance.now() - started;
        const cpu = process.cpuUsage(cpuBefore);
        const sorted = latencies.slice(0, ok).sort();
        resolve({
          requestsPerS: ok / spec.durationS,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          ok,
          failed: failed + result.errors + result.timeouts,
          loadCpu: (cpu.user + cpu.system) / 1000 / wallMs,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (status < 200 || status > 299) {
        failed++;
        return;
      }
      if (ok === latencies.length) {
        const grown = new Float64Array(latencies.length * 2);
        grown.set(latencies);
        latencies = grown;
      }
      latencies[ok++] = ms;
    });
  });
}
