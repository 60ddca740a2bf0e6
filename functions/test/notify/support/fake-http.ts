import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the fake answers: a status (with optional JSON body and headers, optionally late), or nothing at all. */
export type Answer = { status: number; json?: unknown; headers?: Record<string, string>; delayMs?: number } | 'hang';

/**
 * A real HTTP server on 127.0.0.1 that records every request and answers as told: the webhook
 * target in webhook tests, SendGrid's API in e-mail tests.
 */
export interface FakeHttp {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  port: number;
  requests: Received[];
  /** Decides the answer to each request; `index` counts requests from 0. Defaults to 200. */
  answer(fn: (req: Received, index: number) => Answer): void;
  /** Resolves once at least `count` requests have arrived; rejects after `timeoutMs`. */
  waitForRequests(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startFakeHttp(): Promise<FakeHttp> {
  const requests: Received[] = [];
  let decide: (req: Received, index: number) => Answer = () => ({ status: 200 });
  const waiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const received: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      const index = requests.push(received) - 1;
      waiters.splice(0).forEach((wake) => wake());
      const answer = decide(received, index);
      if (answer === 'hang') return;
      const body = answer.json === undefined ? '' : JSON.stringify(answer.json);
      setTimeout(() => {
        res.writeHead(answer.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...answer.headers });
        res.end(body);
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests,
    answer(fn) {
      decide = fn;
    },
    async waitForRequests(count, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      while (requests.length < count) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`expected ${count} request(s) within ${timeoutMs} ms, got ${requests.length}`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
      return requests;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
