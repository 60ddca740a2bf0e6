import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadServerConfig, REPO_DIR } from '../../src/config';
import { listeningUrl, startServer } from '../../src/server';
import { capturingLogger } from '../notify/support/logger';
import { freePort } from '../support/emulator';


async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const answers = (url: string) => fetch(url).then((r) => r.ok, () => false);

/** Opens a raw connection and sends `text`; resolves with the socket. */
function rawConnect(url: string, text: string): Promise<net.Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ''), () => {
      socket.write(text);
      resolve(socket);
    });
    socket.on('error', reject);
  });
}

const closedWithin = (socket: net.Socket) =>
  new Promise<{ ms: number; data: string }>((resolve) => {
    const started = Date.now();
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('close', () => resolve({ ms: Date.now() - started, data }));
  });

describe('the embedded server process', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-process-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const config = (env: Record<string, string> = {}) =>
    loadServerConfig({ CRONPEEK_DB: path.join(dir, 'cronpeek.db'), HOST: '127.0.0.1', CRONPEEK_CHECK_INTERVAL: '3600', CRONPEEK_RATE_LIMITS: 'off', ...env });

  test('SIGTERM to `npm start` reaches the server: it stops, frees its port and exits 0', async () => {
    const port = await freePort();
    const child = spawn('npm', ['start'], {
      cwd: REPO_DIR,
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', CRONPEEK_DB: path.join(dir, 'cronpeek.db') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until('the server to answer', () => answers(`http://127.0.0.1:${port}/api/health`), 60_000);
      expect(output).toContain(`listening on http://127.0.0.1:${port}`);
      child.kill('SIGTERM'); // the npm process itself, not its group
      expect(await exited).toBe(0);
      expect(output).toContain('SIGTERM received, shutting down');
      await until('the port to be free', async () => !(await answers(`http://127.0.0.1:${port}/api/health`)), 5_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);

  test('listens on HOST and reports the real address', async () => {
    const running = await startServer({ ...config(), port: 0 }, capturingLogger());
    try {
      expect(listeningUrl(running.server)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await running.close();
    }
  });

  test('a client trickling its headers is cut off after the headers timeout', async () => {
    const running = await startServer({ ...config(), port: 0 }, capturingLogger(), { headersTimeoutMs: 1_000 });
    try {
      const socket = await rawConnect(listeningUrl(running.server), 'GET /api/health HTTP/1.1\r\nHost: x\r\n');
      const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 200);
      const closed = await closedWithin(socket);
      clearInterval(trickle);
      expect(closed.ms).toBeLessThan(3_500);
      expect(closed.data).toMatch(/^HTTP\/1\.1 408/);
    } finally {
      await running.close();
    }
  });

  test('shutdown lets a request in flight finish', async () => {
    const running = await startServer({ ...config(), port: 0 }, capturingLogger(), { shutdownGraceMs: 5_000 });
    const url = listeningUrl(running.server);
    const socket = await rawConnect(url, 'POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 30\r\nConnection: close\r\n\r\n{"email":');
    const response = closedWithin(socket);
    await new Promise((r) => setTimeout(r, 100));
    const closing = running.close();
    await new Promise((r) => setTimeout(r, 300));
    socket.write('"late@example.com"}'.padEnd(21, ' '));
    const { data } = await response;
    await closing;
    expect(data).toMatch(/^HTTP\/1\.1 201/);
    expect(await answers(`${url}/api/health`)).toBe(false);
  });

  test('shutdown waits at most the grace period for a slow client, then cuts it', async () => {
    const running = await startServer({ ...config(), port: 0 }, capturingLogger(), { shutdownGraceMs: 1_000 });
    const socket = await rawConnect(listeningUrl(running.server), 'POST /api/v1/accounts HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{');
    const closed = closedWithin(socket);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(3_000);
    await closed;
  });

  test('an idle keep-alive connection does not hold up shutdown', async () => {
    const running = await startServer({ ...config(), port: 0 }, capturingLogger(), { shutdownGraceMs: 5_000 });
    const socket = await rawConnect(listeningUrl(running.server), 'GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n');
    const closed = closedWithin(socket);
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    await running.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await closed).data).toMatch(/^HTTP\/1\.1 200/);
  });
});
