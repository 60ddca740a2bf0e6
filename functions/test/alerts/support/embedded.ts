import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadServerConfig } from '../../../src/config';
import { startServer } from '../../../src/server';
import type { Deps } from '../../../src/services/context';
import { capturingLogger } from '../../notify/support/logger';

export interface EmbeddedServer {
  base: string;
  deps: Deps;
  /** A JSON call to the API, with `apiKey` as `x-api-key` when given. */
  api(method: string, route: string, body?: unknown, apiKey?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/**
 * The embedded server as self-hosters start it: a SQLite file in its own temp dir, Pro by
 * default, private webhooks allowed (the receivers are local), limits off, on a free port;
 * `env` adds or changes settings (vendor endpoints pointed at stand-ins).
 */
export async function startEmbedded(checkIntervalSeconds: number, env: Record<string, string> = {}): Promise<EmbeddedServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cronpeek-embedded-'));
  const config = loadServerConfig({
    CRONPEEK_DB: path.join(dir, 'cronpeek.db'),
    CRONPEEK_DEFAULT_PLAN: 'pro',
    CRONPEEK_ALLOW_PRIVATE_WEBHOOKS: '1',
    CRONPEEK_CHECK_INTERVAL: String(checkIntervalSeconds),
    CRONPEEK_RATE_LIMITS: 'off',
    ...env,
  });
  const running = await startServer({ ...config, port: 0 }, capturingLogger());
  const base = `http://127.0.0.1:${(running.server.address() as AddressInfo).port}`;
  return {
    base,
    deps: running.deps,
    async api(method, route, body, apiKey) {
      const res = await fetch(`${base}${route}`, {
        method,
        headers: { 'content-type': 'application/json', ...(apiKey ? { 'x-api-key': apiKey } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    },
    async close() {
      await running.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
