import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';

export interface StandInRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface StandInAnswer {
  status: number;
  contentType: string;
  body: string;
  /** Extra answer headers (a 429's `Retry-After`). */
  headers?: Record<string, string>;
}

export interface StandInServer {
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** A real HTTP (or, given a key and certificate, HTTPS) server on 127.0.0.1 and a free port. */
export async function serve(
  handle: (req: StandInRequest) => StandInAnswer,
  tls?: { key: string; cert: string },
): Promise<StandInServer> {
  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = handle({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answer.status, { 'Content-Type': answer.contentType, 'Content-Length': Buffer.byteLength(answer.body), ...answer.headers });
      res.end(answer.body);
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A queue of forced answers, taken one per request before the stand-in's own judgement. */
export class ForcedAnswers<T> {
  private queue: T[] = [];
  next(...answers: T[]): void {
    this.queue.push(...answers);
  }
  always: T | null = null;
  take(): T | null {
    return this.queue.shift() ?? this.always;
  }
}
