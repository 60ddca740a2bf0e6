import http from 'node:http';
import net from 'node:net';
import { createApp } from '../../src/http/app';
import { API_HEADERS } from '../../src/http/headers';
import { withPingFastPath } from '../../src/http/ping';
import { createHttpServer } from '../../src/server';
import type { Store } from '../../src/store/port';
import { testDeps } from '../support/deps';
import { sqliteKind } from '../support/stores';

interface Raw {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Sends bytes as they are and reads the answer up to the close: the server's `clientError` answers below HTTP's parser. */
function rawExchange(port: number, request: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(request));
    let data = '';
    socket.on('data', (chunk) => (data += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, body] = data.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
  });
}

function get(port: number, urlPath: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers as Record<string, string>, body }));
      })
      .on('error', reject);
  });
}

/** Headers that belong to the connection or to one resource (the ping URLs' CORS), not to the error. */
const incidental = (name: string) => ['date', 'connection', 'keep-alive', 'content-length'].includes(name) || name.startsWith('access-control-');
const errorHeaders = (r: Raw) => Object.fromEntries(Object.entries(r.headers).filter(([name]) => !incidental(name)));

/**
 * An error is answered by one function wherever it is answered: the Express app, the embedded
 * ping fast path, and the server's `clientError` for requests too broken to reach either. The
 * three answers carry the same headers and the same JSON shape.
 */
describe('every error answer comes from the one error mapping', () => {
  let store: Store;
  let server: http.Server;
  let port: number;

  beforeAll(async () => {
    store = await sqliteKind.open();
    const deps = testDeps(store);
    server = createHttpServer(withPingFastPath(deps, createApp(deps)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await store.close();
  });

  test('an Express 404, a fast-path 404 and a malformed request carry the same headers, every API answer’s among them', async () => {
    const express404 = await get(port, '/api/v1/nowhere');
    const fast404 = await get(port, `/api/v1/ping/${'A'.repeat(24)}`);
    const malformed = await rawExchange(port, 'NOT-HTTP\r\n\r\n');
    expect([express404.status, fast404.status, malformed.status]).toEqual([404, 404, 400]);
    const expected = { ...Object.fromEntries(Object.entries(API_HEADERS).map(([k, v]) => [k.toLowerCase(), v])), 'content-type': 'application/json; charset=utf-8' };
    for (const answer of [express404, fast404, malformed]) {
      expect(errorHeaders(answer)).toEqual(expected);
      expect(JSON.parse(answer.body)).toEqual({ error: expect.any(String) });
    }
  });

  test('headers too large: 431 with the same headers and a JSON error', async () => {
    const tooLarge = await rawExchange(port, `GET /api/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(tooLarge.status).toBe(431);
    expect(tooLarge.headers).toMatchObject({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-security-policy': API_HEADERS['Content-Security-Policy'] });
    expect(JSON.parse(tooLarge.body)).toEqual({ error: 'Request headers are too large.' });
  });
});
