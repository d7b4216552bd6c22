// A real event handler on loopback: records every POST it receives, and can answer 500 to the first few (a
// flaky handler) or redirect every request. `until(n)` resolves when n deliveries have arrived.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** When the body had arrived (Date.now()): the crash soak compares it with the moments of its kills. */
  readonly atMs: number;
}

export class EventReceiver {
  readonly received: Received[] = [];
  /** Answer 500 to this many requests first. */
  failFirst = 0;
  /** When set, answer every request with a 302 to this URL (a handler that redirects). */
  redirectTo: string | null = null;
  /** The path of every request that arrived, whatever it was answered. */
  readonly hits: string[] = [];
  private seen = 0;
  private waiters: { count: number; resolve: () => void }[] = [];
  private readonly server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.seen++;
      this.hits.push(req.url ?? '');
      if (this.redirectTo !== null) {
        res.writeHead(302, { location: this.redirectTo }).end();
        return;
      }
      if (this.seen <= this.failFirst) {
        res.writeHead(500).end('no');
        return;
      }
      this.received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        atMs: Date.now(),
      });
      res.writeHead(200).end('ok');
      this.waiters = this.waiters.filter((w) => {
        if (this.received.length < w.count) return true;
        w.resolve();
        return false;
      });
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** Resolves when `count` deliveries have arrived; rejects after `timeoutMs` of real time (a guard, not a wait). */
  until(count: number, timeoutMs = 30_000): Promise<void> {
    if (this.received.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const guard = setTimeout(
        () => reject(new Error(`${this.received.length} of ${count} deliveries arrived`)),
        timeoutMs,
      );
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(guard);
          resolve();
        },
      });
    });
  }

  reset(): void {
    this.received.length = 0;
    this.hits.length = 0;
    this.seen = 0;
    this.failFirst = 0;
    this.redirectTo = null;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
